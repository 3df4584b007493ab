#include "io/model_config.h"

#include <set>

#include "core/error.h"
#include "core/json_file.h"

namespace softcot::io {
namespace {

int64_t require_positive(const Json& j, const char* key, const std::string& path) {
  const auto value = json_require<int64_t>(j, key, path);
  if (value <= 0) throw bad_input_for_key(path, key, "must be positive");
  return value;
}

// Keys that change nothing at inference (bookkeeping, training-only, generation
// defaults that generation_config.json supersedes). Everything else must be understood.
const std::set<std::string> kInertKeys = {
    "_name_or_path", "architectures", "attention_dropout", "bos_token_id", "eos_token_id",
    "pad_token_id", "initializer_range", "transformers_version", "use_cache", "torch_dtype", "dtype",
    "return_dict", "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16",
    "tf_legacy_loss", "pruned_heads", "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder",
    "add_cross_attention", "tie_encoder_decoder", "cross_attention_hidden_size", "finetuning_task",
    "id2label", "label2id", "problem_type", "tokenizer_class", "prefix", "sep_token_id",
    "decoder_start_token_id", "task_specific_params", "max_length", "min_length", "do_sample",
    "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty", "temperature", "top_k",
    "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
    "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
    "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
    "_attn_implementation_autoset"};
// Keys read below (both architectures) or checked for the one value we implement.
const std::set<std::string> kReadKeys = {
    "model_type", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "head_dim", "rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters",
    "vocab_size", "tie_word_embeddings", "max_position_embeddings", "hidden_act", "layer_types"};
const std::set<std::string> kQwen2Keys = {"use_sliding_window", "sliding_window", "max_window_layers"};
const std::set<std::string> kLlamaKeys = {"attention_bias", "mlp_bias", "pretraining_tp"};

void refuse_unknown_keys(const Json& j, Architecture arch, const std::string& path) {
  const auto& own = arch == Architecture::kQwen2 ? kQwen2Keys : kLlamaKeys;
  for (const auto& [key, value] : j.items()) {
    if (kInertKeys.count(key) || kReadKeys.count(key) || own.count(key)) continue;
    throw bad_input(path, "key '" + key + "' is not supported for model_type " +
                              (arch == Architecture::kQwen2 ? "qwen2" : "llama") +
                              " (we would ignore it; transformers would not)");
  }
}

// Flags whose other values change the computation: only the value we implement passes.
void check_flags(const Json& j, Architecture arch, int64_t layers, const std::string& path) {
  const auto act = json_optional<std::string>(j, "hidden_act", "silu", path);
  if (act != "silu") throw bad_input(path, "key 'hidden_act': '" + act + "' is not supported (silu)");
  if (json_optional<bool>(j, "use_sliding_window", false, path)) {
    throw bad_input(path, "key 'use_sliding_window': true is not supported");
  }
  if (arch == Architecture::kLlama && json_optional<int64_t>(j, "pretraining_tp", 1, path) != 1) {
    throw bad_input(path, "key 'pretraining_tp': only 1 is supported");
  }
  const auto types = j.find("layer_types");
  if (types != j.end() && !types->is_null()) {
    if (!types->is_array() || static_cast<int64_t>(types->size()) != layers) {
      throw bad_input_for_key(path, "layer_types", "is not a list with one entry per layer");
    }
    for (const auto& t : *types) {
      if (!t.is_string() || t.get<std::string>() != "full_attention") {
        throw bad_input(path, "key 'layer_types': only full_attention layers are supported");
      }
    }
  }
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
    // LlamaAttention gives q, k, v and o biases with attention_bias; LlamaMLP all three with mlp_bias.
    c.attention_bias = json_optional<bool>(j, "attention_bias", false, path);
    c.o_proj_bias = c.attention_bias;
    c.mlp_bias = json_optional<bool>(j, "mlp_bias", false, path);
  } else {
    throw bad_input(path, "model_type '" + c.model_type + "' is not supported (qwen2, llama)");
  }
  refuse_unknown_keys(j, c.architecture, path);
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
  if (!(c.rms_norm_eps > 0)) throw bad_input_for_key(path, "rms_norm_eps", "must be positive");
  const RopeConfig rope = read_rope_config(j, /*default_theta (Qwen2Config, LlamaConfig)=*/10000.0, path);
  c.rope_theta = rope.theta;
  c.rope_scaling = rope.scaling;
  c.vocab_size = require_positive(j, "vocab_size", path);
  c.tie_word_embeddings = json_optional<bool>(j, "tie_word_embeddings", false, path);
  c.max_position_embeddings =
      json_optional<int64_t>(j, "max_position_embeddings", c.max_position_embeddings, path);
  // Newer transformers write "dtype" instead of "torch_dtype".
  c.torch_dtype = json_optional<std::string>(j, "torch_dtype", "", path);
  if (c.torch_dtype.empty()) c.torch_dtype = json_optional<std::string>(j, "dtype", "bfloat16", path);
  check_flags(j, c.architecture, c.num_hidden_layers, path);
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
