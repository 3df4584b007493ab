#pragma once
// RoPE as config.json states it, in either of the two forms users have:
//   published (transformers 4.x): "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", ...}
//   re-saved by transformers 5:   "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", ...}
// Only the types we implement ("default" and "llama3") and their fields are accepted; any
// other type or field is refused naming the file and the key, never ignored.
#include <cstdint>
#include <string>

#include "core/json_file.h"

namespace softcot::io {

struct RopeScaling {  // HF's llama3 parameters; type empty = default RoPE (no scaling)
  std::string type;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct RopeConfig {
  double theta = 10000.0;
  RopeScaling scaling;
};

// `config` is the whole config.json object; `default_theta` the model type's default.
RopeConfig read_rope_config(const Json& config, double default_theta, const std::string& path);

}  // namespace softcot::io
