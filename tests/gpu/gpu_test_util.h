#pragma once
// Shared helpers of the GPU tests: the skip when there is no device, random inputs,
// the tolerance check |gpu - cpu| <= atol + |cpu| * rtol, and NMSE.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cuda_backend.h"

namespace softcot::gputest {

// rtol for results that went through bf16 (llm.c's 0.079) and for f32 results.
inline constexpr float kBf16Rtol = 0.079f;
inline constexpr float kF32Rtol = 1e-5f;

#define SOFTCOT_REQUIRE_GPU()                                              \
  do {                                                                     \
    std::string softcot_why_;                                              \
    if (!::softcot::cuda::cuda_available(&softcot_why_)) {                 \
      GTEST_SKIP() << "no CUDA device: " << softcot_why_;                  \
    }                                                                      \
  } while (0)

// xorshift64*: deterministic, fast enough for half a billion weights.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }  // [0, 1)
  float normal() {  // Irwin-Hall of 4, scaled to unit variance
    float s = 0.0f;
    for (int i = 0; i < 4; ++i) s += uniform();
    return (s - 2.0f) * 1.7320508f;
  }

 private:
  uint64_t s_;
};

inline std::vector<float> random_vector(size_t n, uint64_t seed, float scale = 1.0f) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = rng.normal() * scale;
  return v;
}

// Every element within atol + |cpu| * rtol; reports the first few misses.
inline ::testing::AssertionResult close(const std::vector<float>& gpu, const std::vector<float>& cpu,
                                        float atol, float rtol) {
  if (gpu.size() != cpu.size()) return ::testing::AssertionFailure() << "size differs";
  int misses = 0;
  std::string report;
  for (size_t i = 0; i < cpu.size(); ++i) {
    const float tol = atol + std::fabs(cpu[i]) * rtol;
    if (!(std::fabs(gpu[i] - cpu[i]) <= tol)) {
      if (++misses <= 5) {
        report += " [" + std::to_string(i) + "] gpu " + std::to_string(gpu[i]) + " cpu " +
                  std::to_string(cpu[i]);
      }
    }
  }
  if (misses == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << misses << " of " << cpu.size() << " outside tolerance:"
                                       << report;
}

// sum (a - b)^2 / sum b^2, llama.cpp's test-backend-ops measure.
inline double nmse(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    den += static_cast<double>(b[i]) * b[i];
  }
  return den > 0.0 ? num / den : num;
}

}  // namespace softcot::gputest
