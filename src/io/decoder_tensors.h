#pragma once
// The one place that names a decoder's tensors (HF's Qwen2/Llama names) and gives their
// shapes from the config. The loader checks a directory against it, make-tiny-model writes
// it, and both backends' models take their weights from it: a new architecture is one edit.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/model_config.h"

namespace softcot::io {

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};

struct LayerTensors {
  TensorSpec input_norm, post_attention_norm;  // [H]
  TensorSpec q, k, v, o;                       // [q, H], [kv, H], [kv, H], [H, q]
  TensorSpec gate, up, down;                   // [I, H], [I, H], [H, I]
  // Biases only where the config has them: q/k/v (Qwen2, Llama attention_bias), o (Llama
  // attention_bias), gate/up/down (Llama mlp_bias).
  std::optional<TensorSpec> q_bias, k_bias, v_bias, o_bias, gate_bias, up_bias, down_bias;
};

struct DecoderTensors {
  TensorSpec embed_tokens;          // [V, H]
  std::vector<LayerTensors> layers;
  TensorSpec final_norm;            // [H]
  std::optional<TensorSpec> lm_head;  // [V, H]; absent when tied to embed_tokens
};

DecoderTensors decoder_tensors(const ModelConfig& config);

// Every tensor of decoder_tensors(config), in HF's order.
std::vector<TensorSpec> expected_tensors(const ModelConfig& config);

}  // namespace softcot::io
