#pragma once
// What a Hugging Face model directory says about the model: config.json and
// generation_config.json, read and checked. Qwen2 first; Llama-3 adds rope scaling
// and drops the q/k/v biases.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace softcot::io {

enum class Architecture { kQwen2, kLlama };

struct RopeScaling {  // HF `rope_scaling`; type "llama3" is the one we will need
  std::string type;   // empty when the config has none
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

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
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  int64_t vocab_size = 0;
  bool tie_word_embeddings = false;
  int64_t max_position_embeddings = 32768;
  std::string torch_dtype;      // "bfloat16", "float16", "float32"
  bool attention_bias = true;   // Qwen2: q/k/v have biases; Llama: none
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
