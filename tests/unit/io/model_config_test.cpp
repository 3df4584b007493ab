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

// The four published configs (../shared/data/model_configs/) and the same files re-saved by
// transformers 5 (rope_parameters, dtype, layer_types; tests/oracle/make_llama_fixtures.py):
// both forms read to the same model.
TEST(ModelConfig, PublishedAndTransformers5FormsReadTheSame) {
  for (const char* name : {"llama3_1_8b_instruct", "llama3_2_1b_instruct", "qwen2_5_0_5b_instruct",
                           "qwen2_5_1_5b_instruct"}) {
    SCOPED_TRACE(name);
    const auto a = read_model_config(std::string(SOFTCOT_SHARED_DIR) + "/data/model_configs/" + name + "/config.json");
    const auto b = read_model_config(std::string(SOFTCOT_SOURCE_DIR) + "/tests/oracle/fixtures/model_configs_v5/" +
                                     name + "/config.json");
    EXPECT_EQ(a.architecture, b.architecture);
    EXPECT_EQ(a.hidden_size, b.hidden_size);
    EXPECT_EQ(a.head_dim, b.head_dim);
    EXPECT_EQ(a.num_key_value_heads, b.num_key_value_heads);
    EXPECT_EQ(a.rope_theta, b.rope_theta);
    EXPECT_EQ(a.rope_scaling.type, b.rope_scaling.type);
    EXPECT_EQ(a.rope_scaling.factor, b.rope_scaling.factor);
    EXPECT_EQ(a.rope_scaling.low_freq_factor, b.rope_scaling.low_freq_factor);
    EXPECT_EQ(a.rope_scaling.high_freq_factor, b.rope_scaling.high_freq_factor);
    EXPECT_EQ(a.rope_scaling.original_max_position_embeddings, b.rope_scaling.original_max_position_embeddings);
    EXPECT_EQ(a.tie_word_embeddings, b.tie_word_embeddings);
    EXPECT_EQ(a.torch_dtype, b.torch_dtype);
    EXPECT_EQ(a.attention_bias, b.attention_bias);
  }
  const auto llama = read_model_config(std::string(SOFTCOT_SHARED_DIR) +
                                       "/data/model_configs/llama3_1_8b_instruct/config.json");
  EXPECT_EQ(llama.rope_theta, 500000.0);
  EXPECT_EQ(llama.rope_scaling.type, "llama3");
  EXPECT_EQ(llama.rope_scaling.factor, 8.0);
  EXPECT_FALSE(llama.tie_word_embeddings);
  EXPECT_FALSE(llama.attention_bias);
}

// Replaces `from` (which must occur) in the Llama-3.2-1B text.
std::string llama_with(const std::string& from, const std::string& to) {
  std::string text = kLlama32_1B;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ModelConfig, WhatWeDoNotImplementIsRefusedNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {llama_with("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\""), "rope_scaling.rope_type': 'yarn'"},
      {llama_with("\"factor\": 32.0,", "\"factor\": 32.0, \"attention_factor\": 1.0,"),
       "key 'rope_scaling.attention_factor' is not supported"},
      {llama_with("\"factor\": 32.0,", ""), "key 'rope_scaling.factor' is missing"},
      {llama_with("\"mlp_bias\": false,", "\"mlp_bias\": false, \"partial_rotary_factor\": 0.5,"),
       "key 'partial_rotary_factor' is not supported for model_type llama"},
      {llama_with("\"mlp_bias\": false,", "\"mlp_bias\": false, \"quantization_config\": {},"),
       "key 'quantization_config' is not supported"},
      {llama_with("\"mlp_bias\": false,", "\"mlp_bias\": false, \"pretraining_tp\": 2,"),
       "key 'pretraining_tp': only 1"},
      {llama_with("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""), "key 'hidden_act': 'gelu'"},
      {llama_with("\"rope_theta\": 500000.0,", "\"rope_theta\": 500000.0, \"rope_parameters\": {\"rope_type\": \"default\"},"),
       "'rope_scaling' and 'rope_parameters' are both given"},
      {llama_with("\"rope_scaling\": {", "\"rope_parameters\": {\"rope_theta\": 10000.0, "),
       "'rope_theta' and 'rope_parameters.rope_theta' disagree"},
      {llama_with("\"rope_scaling\": {", "\"layer_types\": [\"sliding_attention\"], \"rope_scaling\": {"),
       "layer_types"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string path = write_config("cfg_refused_" + std::to_string(i), cases[i].first);
    expect_error([&] { read_model_config(path); }, path, cases[i].second);
  }
  std::string qwen = kQwen25_1_5B;
  qwen.replace(qwen.find("\"use_sliding_window\": false"), 27, "\"use_sliding_window\": true");
  std::string path = write_config("cfg_refused_qwen_window", qwen);
  expect_error([&] { read_model_config(path); }, path, "key 'use_sliding_window': true");
  qwen = kQwen25_1_5B;
  qwen.replace(qwen.find("\"rope_theta\": 1000000.0,"), 24,
               "\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 32768},");
  path = write_config("cfg_refused_qwen_yarn", qwen);
  expect_error([&] { read_model_config(path); }, path, "rope_scaling.rope_type': 'yarn'");
  qwen = kQwen25_1_5B;
  qwen.replace(qwen.find("\"use_cache\": true"), 17, "\"use_cache\": true, \"use_mrope\": true");
  path = write_config("cfg_refused_qwen_mrope", qwen);
  expect_error([&] { read_model_config(path); }, path, "key 'use_mrope' is not supported for model_type qwen2");
}

TEST(ModelConfig, LlamaBiasesFollowAttentionBiasAndMlpBias) {
  const auto c = read_model_config(write_config(
      "cfg_llama_bias", llama_with("\"attention_bias\": false", "\"attention_bias\": true")));
  EXPECT_TRUE(c.attention_bias);
  EXPECT_TRUE(c.o_proj_bias);  // LlamaAttention's o_proj has a bias too
  EXPECT_FALSE(c.mlp_bias);
  const auto m = read_model_config(
      write_config("cfg_llama_mlp_bias", llama_with("\"mlp_bias\": false", "\"mlp_bias\": true")));
  EXPECT_FALSE(m.attention_bias);
  EXPECT_TRUE(m.mlp_bias);
  const auto q = read_model_config(write_config("cfg_qwen_bias", kQwen25_1_5B));
  EXPECT_TRUE(q.attention_bias);
  EXPECT_FALSE(q.o_proj_bias);
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
