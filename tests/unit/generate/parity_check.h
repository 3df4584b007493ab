#pragma once
// Comparing our f32 outputs with a reference dumped by HF transformers: the normalised
// mean squared error and the max abs error relative to the reference's largest value,
// the two figures the parity goals are stated in.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace softcot::testing {

struct ParityErrors {
  double nmse = 0.0;
  double max_abs = 0.0;
  double max_ref = 0.0;
};

inline ParityErrors parity_errors(const std::vector<float>& ours, const std::vector<float>& ref) {
  ParityErrors e;
  double err2 = 0.0, ref2 = 0.0;
  for (size_t i = 0; i < std::min(ours.size(), ref.size()); ++i) {
    const double d = static_cast<double>(ours[i]) - ref[i];
    err2 += d * d;
    ref2 += static_cast<double>(ref[i]) * ref[i];
    e.max_abs = std::max(e.max_abs, std::abs(d));
    e.max_ref = std::max(e.max_ref, std::abs(static_cast<double>(ref[i])));
  }
  e.nmse = ref2 > 0 ? err2 / ref2 : err2;
  return e;
}

// NMSE <= 1e-10 and max |err| <= 1e-4 x max |ref|, on equal-sized, non-trivial vectors.
inline void expect_parity(const std::vector<float>& ours, const std::vector<float>& ref,
                          const std::string& what) {
  ASSERT_EQ(ours.size(), ref.size()) << what;
  ASSERT_FALSE(ref.empty()) << what;
  const ParityErrors e = parity_errors(ours, ref);
  EXPECT_GT(e.max_ref, 0.0) << what;
  EXPECT_LE(e.nmse, 1e-10) << what;
  EXPECT_LE(e.max_abs, 1e-4 * e.max_ref) << what;
  std::printf("    %-24s NMSE %.3g  max|err| %.3g  (max|ref| %.3g)\n", what.c_str(), e.nmse, e.max_abs,
              e.max_ref);
}

}  // namespace softcot::testing
