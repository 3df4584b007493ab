#include "io/model_config.h"

#include "core/error.h"
#include "core/json_file.h"

namespace softcot::io {
namespace {

int64_t require_positive(const Json& j, const char* key, const std::string& path) {
  const auto value = json_require<int64_t>(j, key, path);
  if (value <= 0) throw bad_input_for_key(path, key, "must be positive");
  return value;
}

RopeScaling read_rope_scaling(const Json& j, const std::string& path) {
  RopeScaling scaling;
  const auto it = j.find("rope_scaling");
  if (it == j.end() || it->is_null()) return scaling;
  if (!it->is_object()) throw bad_input_for_key(path, "rope_scaling", "is not an object");
  // transformers renamed "type" to "rope_type"; accept both.
  scaling.type = json_optional<std::string>(*it, "rope_type", "", path);
  if (scaling.type.empty()) scaling.type = json_optional<std::string>(*it, "type", "", path);
  if (scaling.type == "default") scaling.type.clear();
  scaling.factor = json_optional<double>(*it, "factor", scaling.factor, path);
  scaling.low_freq_factor = json_optional<double>(*it, "low_freq_factor", scaling.low_freq_factor, path);
  scaling.high_freq_factor =
      json_optional<double>(*it, "high_freq_factor", scaling.high_freq_factor, path);
  scaling.original_max_position_embeddings = json_optional<int64_t>(
      *it, "original_max_position_embeddings", scaling.original_max_position_embeddings, path);
  if (!scaling.type.empty() && scaling.type != "llama3") {
    throw bad_input(path, "rope_scaling type '" + scaling.type + "' is not supported (only llama3)");
  }
  return scaling;
}

// eos_token_id is an int or a list of ints in HF files.
std::vector<int32_t> read_id_list(const Json& j, const char* key, const std::string& path) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  try {
    if (it->is_array()) return it->get<std::vector<int32_t>>();
    return {it->get<int32_t>()};
  } catch (const nlohmann::json::exception&) {
    throw bad_input_for_key(path, key, "is not an id or a list of ids");
  }
}

std::optional<int32_t> read_optional_id(const Json& j, const char* key, const std::string& path) {
  const auto ids = read_id_list(j, key, path);
  if (ids.empty()) return std::nullopt;
  return ids.front();
}

}  // namespace

ModelConfig read_model_config(const std::string& path) {
  const Json j = read_json_file(path);
  if (!j.is_object()) throw bad_input(path, "not a JSON object");
  ModelConfig c;
  c.source_path = path;
  c.model_type = json_require<std::string>(j, "model_type", path);
  if (c.model_type == "qwen2") {
    c.architecture = Architecture::kQwen2;
    c.attention_bias = true;  // Qwen2 always has q/k/v biases; its config does not say
  } else if (c.model_type == "llama") {
    c.architecture = Architecture::kLlama;
    c.attention_bias = json_optional<bool>(j, "attention_bias", false, path);
  } else {
    throw bad_input(path, "model_type '" + c.model_type + "' is not supported (qwen2, llama)");
  }
  c.hidden_size = require_positive(j, "hidden_size", path);
  c.intermediate_size = require_positive(j, "intermediate_size", path);
  c.num_hidden_layers = require_positive(j, "num_hidden_layers", path);
  c.num_attention_heads = require_positive(j, "num_attention_heads", path);
  c.num_key_value_heads = json_optional<int64_t>(j, "num_key_value_heads", c.num_attention_heads, path);
  if (c.num_key_value_heads <= 0 || c.num_attention_heads % c.num_key_value_heads != 0) {
    throw bad_input(path, "num_attention_heads " + std::to_string(c.num_attention_heads) +
                              " is not a multiple of num_key_value_heads " +
                              std::to_string(c.num_key_value_heads));
  }
  if (j.contains("head_dim") && !j["head_dim"].is_null()) {
    c.head_dim = require_positive(j, "head_dim", path);
  } else {
    if (c.hidden_size % c.num_attention_heads != 0) {
      throw bad_input(path, "hidden_size " + std::to_string(c.hidden_size) +
                                " is not a multiple of num_attention_heads " +
                                std::to_string(c.num_attention_heads) + " and head_dim is absent");
    }
    c.head_dim = c.hidden_size / c.num_attention_heads;
  }
  if (c.head_dim % 2 != 0) throw bad_input_for_key(path, "head_dim", "must be even for RoPE");
  c.rms_norm_eps = json_optional<double>(j, "rms_norm_eps", c.rms_norm_eps, path);
  c.rope_theta = json_optional<double>(j, "rope_theta", c.rope_theta, path);
  if (!(c.rms_norm_eps > 0) || !(c.rope_theta > 0)) {
    throw bad_input(path, "rms_norm_eps and rope_theta must be positive");
  }
  c.rope_scaling = read_rope_scaling(j, path);
  c.vocab_size = require_positive(j, "vocab_size", path);
  c.tie_word_embeddings = json_optional<bool>(j, "tie_word_embeddings", false, path);
  c.max_position_embeddings =
      json_optional<int64_t>(j, "max_position_embeddings", c.max_position_embeddings, path);
  // Newer transformers write "dtype" instead of "torch_dtype".
  c.torch_dtype = json_optional<std::string>(j, "torch_dtype", "", path);
  if (c.torch_dtype.empty()) c.torch_dtype = json_optional<std::string>(j, "dtype", "bfloat16", path);
  const auto act = json_optional<std::string>(j, "hidden_act", "silu", path);
  if (act != "silu") throw bad_input(path, "hidden_act '" + act + "' is not supported (silu)");
  if (json_optional<bool>(j, "use_sliding_window", false, path)) {
    throw bad_input(path, "use_sliding_window true is not supported");
  }
  if (json_optional<bool>(j, "mlp_bias", false, path)) {
    throw bad_input(path, "mlp_bias true is not supported");
  }
  return c;
}

GenerationConfig read_generation_config(const std::string& path) {
  const Json j = read_json_file(path);
  if (!j.is_object()) throw bad_input(path, "not a JSON object");
  GenerationConfig g;
  g.do_sample = json_optional<bool>(j, "do_sample", g.do_sample, path);
  g.temperature = json_optional<double>(j, "temperature", g.temperature, path);
  g.top_p = json_optional<double>(j, "top_p", g.top_p, path);
  g.top_k = json_optional<int64_t>(j, "top_k", g.top_k, path);
  g.repetition_penalty = json_optional<double>(j, "repetition_penalty", g.repetition_penalty, path);
  g.eos_token_ids = read_id_list(j, "eos_token_id", path);
  g.pad_token_id = read_optional_id(j, "pad_token_id", path);
  g.bos_token_id = read_optional_id(j, "bos_token_id", path);
  if (!(g.temperature > 0) || !(g.top_p > 0 && g.top_p <= 1) || g.top_k < 0 ||
      !(g.repetition_penalty > 0)) {
    throw bad_input(path, "temperature, top_p (0, 1], top_k >= 0 and repetition_penalty must be valid");
  }
  return g;
}

}  // namespace softcot::io
