#include <gtest/gtest.h>

#include "io/model_config.h"
#include "io_test_util.h"

namespace softcot::io {
namespace {
using test::expect_error;

// Qwen/Qwen2.5-1.5B-Instruct's config.json as published on the Hub.
constexpr const char* kQwen25_1_5B = R"({
  "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
  "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 1536, "initializer_range": 0.02,
  "intermediate_size": 8960, "max_position_embeddings": 32768, "max_window_layers": 21,
  "model_type": "qwen2", "num_attention_heads": 12, "num_hidden_layers": 28,
  "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
  "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false,
  "vocab_size": 151936})";

// meta-llama/Llama-3.2-1B-Instruct's config.json (abridged to the fields we read).
constexpr const char* kLlama32_1B = R"({
  "architectures": ["LlamaForCausalLM"], "attention_bias": false, "head_dim": 64,
  "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 8192,
  "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
  "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0,
  "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "vocab_size": 128256})";

std::string write_config(const std::string& name, const std::string& text) {
  const std::string path = test::fresh_dir(name) + "/config.json";
  test::write_bytes(path, text);
  return path;
}

TEST(ModelConfig, ReadsQwen25) {
  const auto c = read_model_config(write_config("cfg_qwen", kQwen25_1_5B));
  EXPECT_EQ(c.architecture, Architecture::kQwen2);
  EXPECT_EQ(c.hidden_size, 1536);
  EXPECT_EQ(c.intermediate_size, 8960);
  EXPECT_EQ(c.num_hidden_layers, 28);
  EXPECT_EQ(c.num_attention_heads, 12);
  EXPECT_EQ(c.num_key_value_heads, 2);
  EXPECT_EQ(c.head_dim, 128);  // 1536 / 12: Qwen2 configs do not say
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(c.rope_theta, 1e6);
  EXPECT_TRUE(c.rope_scaling.type.empty());
  EXPECT_EQ(c.vocab_size, 151936);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  EXPECT_TRUE(c.attention_bias);
}

TEST(ModelConfig, ReadsLlama32WithRopeScaling) {
  const auto c = read_model_config(write_config("cfg_llama", kLlama32_1B));
  EXPECT_EQ(c.architecture, Architecture::kLlama);
  EXPECT_FALSE(c.attention_bias);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.rope_scaling.type, "llama3");
  EXPECT_DOUBLE_EQ(c.rope_scaling.factor, 32.0);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 8192);
}

TEST(ModelConfig, MissingFileIsAOneLineError) {
  const std::string path = test::fresh_dir("cfg_missing") + "/config.json";
  expect_error([&] { read_model_config(path); }, path, "cannot open");
}

TEST(ModelConfig, MalformedJsonIsAOneLineError) {
  const std::string path = write_config("cfg_malformed", R"({"model_type": "qwen2", "hidden_size": })");
  expect_error([&] { read_model_config(path); }, path, "invalid JSON");
}

TEST(ModelConfig, MissingOrWrongKeysNameTheKey) {
  std::string text = kQwen25_1_5B;
  std::string no_hidden = text;
  no_hidden.replace(no_hidden.find("\"hidden_size\": 1536,"), 20, "");
  std::string path = write_config("cfg_nohidden", no_hidden);
  expect_error([&] { read_model_config(path); }, path, "key 'hidden_size' is missing");

  std::string bad_type = text;
  bad_type.replace(bad_type.find("\"vocab_size\": 151936"), 20, "\"vocab_size\": \"big\"");
  path = write_config("cfg_badtype", bad_type);
  expect_error([&] { read_model_config(path); }, path, "key 'vocab_size' has the wrong type");

  std::string bad_heads = text;
  bad_heads.replace(bad_heads.find("\"num_key_value_heads\": 2"), 24, "\"num_key_value_heads\": 5");
  path = write_config("cfg_badheads", bad_heads);
  expect_error([&] { read_model_config(path); }, path, "not a multiple of num_key_value_heads 5");

  path = write_config("cfg_gpt2", R"({"model_type": "gpt2"})");
  expect_error([&] { read_model_config(path); }, path, "model_type 'gpt2' is not supported");
}

TEST(GenerationConfig, ReadsQwen25InstructAndDefaults) {
  const std::string dir = test::fresh_dir("gen_cfg");
  test::write_bytes(dir + "/a.json", R"({"bos_token_id": 151643, "pad_token_id": 151643,
    "do_sample": true, "eos_token_id": [151645, 151643], "repetition_penalty": 1.1,
    "temperature": 0.7, "top_p": 0.8, "top_k": 20, "transformers_version": "4.37.0"})");
  const auto g = read_generation_config(dir + "/a.json");
  EXPECT_TRUE(g.do_sample);
  EXPECT_EQ(g.eos_token_ids, (std::vector<int32_t>{151645, 151643}));
  EXPECT_EQ(g.pad_token_id, 151643);
  EXPECT_EQ(g.top_k, 20);
  EXPECT_DOUBLE_EQ(g.top_p, 0.8);
  EXPECT_DOUBLE_EQ(g.temperature, 0.7);
  EXPECT_DOUBLE_EQ(g.repetition_penalty, 1.1);

  test::write_bytes(dir + "/b.json", R"({"eos_token_id": 2})");  // HF defaults for the rest
  const auto d = read_generation_config(dir + "/b.json");
  EXPECT_FALSE(d.do_sample);
  EXPECT_EQ(d.top_k, 50);
  EXPECT_DOUBLE_EQ(d.top_p, 1.0);
  EXPECT_EQ(d.eos_token_ids, (std::vector<int32_t>{2}));
  EXPECT_FALSE(d.pad_token_id.has_value());

  test::write_bytes(dir + "/c.json", R"({"eos_token_id": "x"})");
  expect_error([&] { read_generation_config(dir + "/c.json"); }, dir + "/c.json", "eos_token_id");
}

}  // namespace
}  // namespace softcot::io
