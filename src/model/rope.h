#pragma once
// RoPE inverse frequencies from the config, computed once on the host and handed to
// every backend (CPU and CUDA rotate with the same f32 values). Default RoPE and
// Llama-3's "llama3" scaling, each step in f32 in the order transformers evaluates it
// (_compute_default_rope_parameters, _compute_llama3_parameters), so the values are the
// ones HF's LlamaRotaryEmbedding / Qwen2RotaryEmbedding hold.
#include <vector>

#include "io/model_config.h"

namespace softcot::model {

// [head_dim / 2] f32: inv_freq[j] for the pair (j, j + head_dim / 2).
std::vector<float> rope_inv_freq(const io::ModelConfig& config);

}  // namespace softcot::model
