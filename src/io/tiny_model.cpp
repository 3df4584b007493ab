#include "io/tiny_model.h"

#include <cstring>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/half.h"
#include "core/json_file.h"
#include "core/philox.h"
#include "core/thread_pool.h"
#include "io/model_dir.h"

namespace softcot::io {
namespace fs = std::filesystem;
namespace {

struct TokenizerFacts {
  int64_t max_id = -1;
  std::map<std::string, int32_t> added;  // added (special) tokens by content
  int32_t id(const std::string& token, const std::string& path) const {
    const auto it = added.find(token);
    if (it == added.end()) throw bad_input(path, "no " + token + " added token: wrong tokenizer for this architecture");
    return it->second;
  }
};

TokenizerFacts read_tokenizer_facts(const std::string& path) {
  const Json tokenizer = read_json_file(path);
  TokenizerFacts facts;
  const auto model = tokenizer.find("model");
  if (!tokenizer.is_object() || model == tokenizer.end() || !model->contains("vocab") ||
      !(*model)["vocab"].is_object()) {
    throw bad_input(path, "not a tokenizer.json: no model.vocab object");
  }
  for (const auto& [token, id] : (*model)["vocab"].items()) {
    if (!id.is_number_integer()) throw bad_input(path, "model.vocab['" + token + "'] is not an id");
    facts.max_id = std::max<int64_t>(facts.max_id, id.get<int64_t>());
  }
  for (const auto& added : tokenizer.value("added_tokens", Json::array())) {
    const auto id = json_require<int64_t>(added, "id", path);
    const auto content = json_require<std::string>(added, "content", path);
    facts.max_id = std::max(facts.max_id, id);
    facts.added[content] = static_cast<int32_t>(id);
  }
  return facts;
}

// config.json and generation_config.json as Qwen2.5-Instruct ships them.
std::pair<Json, Json> qwen2_configs(const TinyModelOptions& o, const TokenizerFacts& facts, int64_t vocab) {
  const int32_t endoftext = facts.id("<|endoftext|>", o.tokenizer_json);
  const int32_t im_end = facts.id("<|im_end|>", o.tokenizer_json);
  Json config = {
      {"architectures", {"Qwen2ForCausalLM"}},
      {"attention_dropout", 0.0},
      {"bos_token_id", endoftext},
      {"eos_token_id", im_end},
      {"hidden_act", "silu"},
      {"hidden_size", o.hidden_size},
      {"initializer_range", o.init_std},
      {"intermediate_size", o.intermediate_size},
      {"max_position_embeddings", o.max_position_embeddings},
      {"max_window_layers", o.num_layers},
      {"model_type", "qwen2"},
      {"num_attention_heads", o.num_heads},
      {"num_hidden_layers", o.num_layers},
      {"num_key_value_heads", o.num_kv_heads},
      {"rms_norm_eps", 1e-6},
      {"rope_scaling", nullptr},
      {"rope_theta", o.rope_theta},
      {"sliding_window", o.max_position_embeddings},
      {"tie_word_embeddings", o.tied},
      {"torch_dtype", o.dtype == DType::kBF16 ? "bfloat16" : "float32"},
      {"transformers_version", "4.43.1"},
      {"use_cache", true},
      {"use_sliding_window", false},
      {"vocab_size", vocab},
  };
  // Sampling on, eos = <|im_end|> then <|endoftext|>.
  const Json generation = {
      {"bos_token_id", endoftext},
      {"do_sample", true},
      {"eos_token_id", {im_end, endoftext}},
      {"pad_token_id", endoftext},
      {"repetition_penalty", 1.1},
      {"temperature", 0.7},
      {"top_k", 20},
      {"top_p", 0.8},
      {"transformers_version", "4.43.1"},
  };
  return {config, generation};
}

// config.json and generation_config.json as Meta's Llama-3.x-Instruct ship them.
std::pair<Json, Json> llama_configs(const TinyModelOptions& o, const TokenizerFacts& facts, int64_t vocab) {
  const int32_t bos = facts.id("<|begin_of_text|>", o.tokenizer_json);
  // Meta's list: <|end_of_text|>, <|eom_id|> (128008; a reserved token in older tokenizer files), <|eot_id|>.
  const Json eos = {facts.id("<|end_of_text|>", o.tokenizer_json), 128008, facts.id("<|eot_id|>", o.tokenizer_json)};
  Json scaling = nullptr;
  if (o.rope_scaling_factor > 0) {
    scaling = {{"factor", o.rope_scaling_factor},
               {"high_freq_factor", o.high_freq_factor},
               {"low_freq_factor", o.low_freq_factor},
               {"original_max_position_embeddings", o.original_max_position_embeddings},
               {"rope_type", "llama3"}};
  }
  Json config = {
      {"architectures", {"LlamaForCausalLM"}},
      {"attention_bias", o.attention_bias},
      {"attention_dropout", 0.0},
      {"bos_token_id", bos},
      {"eos_token_id", eos},
      {"hidden_act", "silu"},
      {"hidden_size", o.hidden_size},
      {"initializer_range", o.init_std},
      {"intermediate_size", o.intermediate_size},
      {"max_position_embeddings", o.max_position_embeddings},
      {"mlp_bias", o.mlp_bias},
      {"model_type", "llama"},
      {"num_attention_heads", o.num_heads},
      {"num_hidden_layers", o.num_layers},
      {"num_key_value_heads", o.num_kv_heads},
      {"pretraining_tp", 1},
      {"rms_norm_eps", 1e-5},
      {"rope_scaling", scaling},
      {"rope_theta", o.rope_theta},
      {"tie_word_embeddings", o.tied},
      {"torch_dtype", o.dtype == DType::kBF16 ? "bfloat16" : "float32"},
      {"transformers_version", "4.45.0.dev0"},
      {"use_cache", true},
      {"vocab_size", vocab},
  };
  const Json generation = {
      {"bos_token_id", bos},
      {"do_sample", true},
      {"eos_token_id", eos},
      {"temperature", 0.6},
      {"top_p", 0.9},
      {"transformers_version", "4.45.0.dev0"},
  };
  return {config, generation};
}

enum class Init { kWeight, kNorm };

TensorToWrite make_tensor(const TensorSpec& spec, uint32_t index, const TinyModelOptions& o) {
  const Init init = spec.name.find("norm") != std::string::npos ? Init::kNorm : Init::kWeight;
  TensorToWrite t{spec.name, o.dtype, spec.shape, {}};
  int64_t numel = 1;
  for (int64_t d : spec.shape) numel *= d;
  t.bytes.resize(static_cast<size_t>(numel) * dtype_size(o.dtype));
  const float std_dev = static_cast<float>(o.init_std);
  uint8_t* out = t.bytes.data();
  ThreadPool::instance().parallel_for(numel, 1 << 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      // Separate statements and no -mfma in the build: nothing fuses these into an FMA.
      const float noise = tiny_model_noise(o.seed, index, static_cast<uint64_t>(i)) * std_dev;
      const float value = init == Init::kNorm ? 1.0f + noise : noise;
      if (o.dtype == DType::kF32) {
        std::memcpy(out + 4 * i, &value, 4);
      } else {
        const uint16_t half = f32_to_bf16(value);
        std::memcpy(out + 2 * i, &half, 2);
      }
    }
  });
  return t;
}

// Read and rewrite rather than fs::copy_file, which would keep a read-only source's mode
// and make the next run over the same directory fail.
void copy_file(const std::string& from, const std::string& to) {
  write_text_file_atomic(to, read_text_file(from));
}

void write_json(const std::string& path, const Json& json) {
  write_text_file_atomic(path, json.dump(2) + "\n");
}

}  // namespace

float tiny_model_noise(uint64_t seed, uint32_t tensor_index, uint64_t element) {
  const PhiloxKey key{seed, tensor_index, static_cast<uint32_t>(element >> 32)};
  const auto words = Philox::draw(key, static_cast<uint32_t>(element));
  // Sum of four uniforms on [0, 2^24): mean 2^25, variance 4 * 2^48 / 12. The integer sum
  // is exact, and one multiply by a constant rounds once: the same float everywhere.
  int64_t sum = 0;
  for (uint32_t w : words) sum += w >> 8;
  constexpr double kScale = 1.7320508075688772 / 16777216.0;  // sqrt(3) / 2^24
  return static_cast<float>(static_cast<double>(sum - (int64_t{1} << 25)) * kScale);
}

void write_tiny_model(const TinyModelOptions& o) {
  if (o.dtype != DType::kBF16 && o.dtype != DType::kF32) throw usage_error("--dtype must be bf16 or f32");
  if (o.hidden_size <= 0 || o.num_layers <= 0 || o.num_heads <= 0 || o.num_kv_heads <= 0 ||
      o.intermediate_size <= 0 || o.head_dim < 0 || o.vocab_size < 0) {
    throw usage_error("model sizes must be positive");
  }
  if (o.num_heads % o.num_kv_heads != 0) throw usage_error("--num_heads must be a multiple of --num_kv_heads");
  if (o.head_dim == 0 && o.hidden_size % o.num_heads != 0) {
    throw usage_error("--hidden_size must be a multiple of --num_heads (or give --head_dim)");
  }
  const int64_t head_dim = o.head_dim > 0 ? o.head_dim : o.hidden_size / o.num_heads;
  if (head_dim % 2 != 0) throw usage_error("the head dimension must be even (RoPE rotates pairs)");

  const TokenizerFacts facts = read_tokenizer_facts(o.tokenizer_json);
  const int64_t vocab = o.vocab_size > 0 ? o.vocab_size : facts.max_id + 1;
  if (vocab <= facts.max_id) {
    throw usage_error("--vocab_size " + std::to_string(vocab) + " is below the tokenizer's " +
                      std::to_string(facts.max_id + 1) + " ids");
  }

  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw io_error(o.out_dir, "cannot create: " + ec.message());
  const fs::path dir(o.out_dir);

  if (o.architecture != "qwen2" && o.architecture != "llama") {
    throw usage_error("--architecture must be qwen2 or llama, not '" + o.architecture + "'");
  }
  const bool llama = o.architecture == "llama";
  if (!llama && (o.attention_bias || o.mlp_bias || o.rope_scaling_factor > 0)) {
    throw usage_error("--attention_bias, --mlp_bias and --rope_scaling_factor are Llama options");
  }
  auto [config, generation] = llama ? llama_configs(o, facts, vocab) : qwen2_configs(o, facts, vocab);
  if (o.head_dim > 0) config["head_dim"] = o.head_dim;
  write_json((dir / "config.json").string(), config);
  write_json((dir / "generation_config.json").string(), generation);
  copy_file(o.tokenizer_json, (dir / "tokenizer.json").string());
  const fs::path tokenizer_config = fs::path(o.tokenizer_json).parent_path() / "tokenizer_config.json";
  if (fs::exists(tokenizer_config)) {
    Json tc = read_json_file(tokenizer_config.string());
    if (!o.chat_template.empty()) tc["chat_template"] = o.chat_template;
    write_json((dir / "tokenizer_config.json").string(), tc);
  }

  // The config we just wrote is the single source of the tensor list.
  const ModelConfig model_config = read_model_config((dir / "config.json").string());
  std::vector<TensorToWrite> tensors;
  uint32_t index = 0;
  for (const auto& spec : expected_tensors(model_config)) tensors.push_back(make_tensor(spec, index++, o));
  write_safetensors((dir / "model.safetensors").string(), tensors, {{"format", "pt"}});
}

}  // namespace softcot::io
