#pragma once
// Non-finite numbers (NaN, Inf) in hidden states or logits mean broken weights, not a
// sample's bad luck: HF's sampler raises on such probabilities, and token 0 "sampled"
// from NaNs must never pass for an answer. The check is one pass over a row, negligible
// next to the matmuls that made it.
#include <cmath>
#include <cstdint>
#include <span>
#include <string>

#include "core/error.h"

namespace softcot {

// `subject` is the model directory or projection file, `stage` says where the values
// came from ("the base model's logits"), `step` the decode step (-1: none, a prompt pass).
class NonFiniteValues : public Error {
 public:
  NonFiniteValues(const std::string& subject, const std::string& stage, int64_t step)
      : Error(ErrorKind::kBadInput, subject,
              "non-finite values (NaN or Inf) in " + stage +
                  (step < 0 ? std::string() : " at decode step " + std::to_string(step)) + ": broken weights?") {}
};

inline void check_finite(std::span<const float> values, const std::string& subject, const std::string& stage,
                         int64_t step = -1) {
  for (float v : values) {
    if (!std::isfinite(v)) throw NonFiniteValues(subject, stage, step);
  }
}

}  // namespace softcot
