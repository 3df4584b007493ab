#pragma once
// One sample with NaN logits is committed as an error and the run goes on; the same error
// sample after sample means the weights themselves are broken, and running the rest of
// the split would only fill the checkpoint with errors. After `limit` generation errors in
// a row the run stops: exit 65 (bad input, never retried), the last error's subject (the
// model or projection) in the message.
#include <cstdint>
#include <string>

#include "softcot/sample_result.h"

namespace softcot {

class GenerationErrorStreak {
 public:
  static constexpr int kDefaultLimit = 3;
  explicit GenerationErrorStreak(int limit = kDefaultLimit) : limit_(limit) {}

  // Call with every result the pipeline returned (after committing it). Throws bad_input
  // when it is the limit-th error_generation in a row.
  void observe(const SampleResult& result);

 private:
  int limit_;
  int in_a_row_ = 0;
  int64_t first_idx_ = -1;
};

}  // namespace softcot
