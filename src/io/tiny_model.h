#pragma once
// Writes a small, complete, deterministic HF Qwen2 or Llama model directory (config.json,
// generation_config.json, tokenizer files, model.safetensors) for tests and demos. The
// config and generation config are written as Qwen2.5-Instruct / Llama-3.x-Instruct ship them.
// Same options and seed -> same bytes on any machine: weights come from Philox and
// integer arithmetic, never from std:: distributions (implementation-defined).
#include <cstdint>
#include <string>

#include "io/safetensors.h"

namespace softcot::io {

struct TinyModelOptions {
  std::string out_dir;
  std::string tokenizer_json;      // copied; tokenizer_config.json beside it too, if present
  std::string architecture = "qwen2";  // "qwen2" or "llama"
  std::string chat_template;       // written into tokenizer_config.json when not empty
  uint64_t seed = 0;
  int64_t hidden_size = 64;
  int64_t num_layers = 2;
  int64_t num_heads = 4;
  int64_t num_kv_heads = 2;
  int64_t intermediate_size = 128;
  int64_t head_dim = 0;            // 0: hidden_size / num_heads, not written to config.json
  int64_t vocab_size = 0;          // 0: the tokenizer's largest id + 1
  DType dtype = DType::kBF16;      // kBF16 or kF32
  bool tied = true;                // tie_word_embeddings (as Qwen2.5-0.5B/1.5B)
  int64_t max_position_embeddings = 32768;
  double rope_theta = 1000000.0;
  double init_std = 0.02;          // weights and biases; norms are 1 + the same noise
  // Llama only: attention_bias / mlp_bias, and llama3 rope_scaling when factor > 0.
  bool attention_bias = false;
  bool mlp_bias = false;
  double rope_scaling_factor = 0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

// Throws usage_error for impossible shapes, bad_input for an unreadable tokenizer.
void write_tiny_model(const TinyModelOptions& options);

// The i-th value of tensor `tensor_index` of a model made with `seed`: approximately
// N(0, 1) (Irwin-Hall sum of four 24-bit uniforms, scaled), exact in float arithmetic.
float tiny_model_noise(uint64_t seed, uint32_t tensor_index, uint64_t element);

}  // namespace softcot::io
