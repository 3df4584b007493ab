#pragma once
// What a Hugging Face model directory says about the model: config.json and
// generation_config.json, read and checked. Qwen2 and Llama-3 (Qwen2 with q/k/v biases and
// default RoPE; Llama-3 without biases, llama3 RoPE scaling). Every key of config.json is
// either understood, or known to have no effect on inference, or refused (the file and key
// named): a model we would run differently from transformers never runs quietly.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/rope_config.h"

namespace softcot::io {

enum class Architecture { kQwen2, kLlama };

struct ModelConfig {
  Architecture architecture = Architecture::kQwen2;
  std::string model_type;  // "qwen2", "llama"
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;
  int64_t head_dim = 0;  // from config if present, else hidden_size / num_attention_heads
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;  // from rope_theta or rope_parameters.rope_theta
  RopeScaling rope_scaling;     // from rope_scaling or rope_parameters
  int64_t vocab_size = 0;
  bool tie_word_embeddings = false;
  int64_t max_position_embeddings = 32768;
  std::string torch_dtype;      // "bfloat16", "float16", "float32"
  bool attention_bias = true;   // q/k/v biases: Qwen2 always; Llama with attention_bias
  bool o_proj_bias = false;     // Llama with attention_bias (its o_proj too); never Qwen2
  bool mlp_bias = false;        // gate/up/down biases: Llama with mlp_bias
  std::string source_path;      // the config.json it came from, for error messages
};

struct GenerationConfig {
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 50;  // HF's default when the file does not say
  double repetition_penalty = 1.0;
  std::vector<int32_t> eos_token_ids;
  std::optional<int32_t> pad_token_id;
  std::optional<int32_t> bos_token_id;
};

// Throws softcot::Error (bad_input) naming the file and the reason.
ModelConfig read_model_config(const std::string& config_json_path);
GenerationConfig read_generation_config(const std::string& generation_config_json_path);

}  // namespace softcot::io
