#pragma once
// Deterministic stand-in samples for testing the store without a model: the same idx
// always gives the same texts and numbers (timestamps aside). Texts vary in length
// (empty to several KiB), include quotes, commas, newlines and UTF-8, and some answers
// are longer than the inline answer columns.
#include <cstdint>

#include "softcot/sample_result.h"

namespace softcot::store {

SampleResult synthetic_result(int64_t idx, int32_t responses_per_sample = 3);

}  // namespace softcot::store
