#pragma once
// Measurements for `softcot bench`: the machine's read bandwidth, timed generation,
// and the process's peak resident memory.
#include <cstddef>
#include <cstdint>
#include <span>

#include "generate/generate.h"
#include "io/model_config.h"
#include "model/model.h"

namespace softcot::generate {

// Best of several multithreaded passes summing a `bytes` buffer (bigger than the caches).
double measure_read_bandwidth_gbs(size_t bytes);

// Peak resident set (VmHWM); reset_peak_rss starts a new window (/proc/self/clear_refs).
size_t peak_rss_bytes();
void reset_peak_rss();

size_t kv_cache_bytes(const io::ModelConfig& config, int64_t tokens);

struct DecodeTiming {
  double prefill_seconds = 0;  // until the first new token
  double decode_seconds = 0;   // the remaining max_new_tokens - 1 tokens
};
DecodeTiming time_generation(model::Model& model, std::span<const int32_t> prompt,
                             const GenerationParams& params);

}  // namespace softcot::generate
