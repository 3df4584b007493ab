#include "softcot/error_streak.h"

#include "core/error.h"

namespace softcot {

void GenerationErrorStreak::observe(const SampleResult& result) {
  if (result.status != sample_status::kErrorGeneration) {
    in_a_row_ = 0;
    return;
  }
  if (in_a_row_++ == 0) first_idx_ = result.idx;
  if (in_a_row_ < limit_) return;
  // The pipeline's message starts with the model or projection that produced the values.
  throw Error(ErrorKind::kBadInput, "",
              result.error_message + " (" + std::to_string(in_a_row_) + " samples in a row, " +
                  std::to_string(first_idx_) + " to " + std::to_string(result.idx) +
                  ", failed like this; stopping: they are committed as errors)");
}

}  // namespace softcot
