// Tiny Llama-3 models against HF transformers' LlamaForCausalLM (f32): llama3 RoPE scaling
// (factor 8 and 32), tied and untied heads, GQA, head_dim 64 and 128, attention and MLP
// biases, a 448-token prompt so that the scaling moves the angles. Fixtures from
// tests/oracle/make_llama_fixtures.py; each model is run from its config.json as published
// and as transformers 5 re-saves it (rope_parameters, dtype).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "core/json_file.h"
#include "generate/generate.h"
#include "io/model_dir.h"
#include "model/model.h"
#include "model/rope.h"
#include "parity_check.h"
#include "tiny_model_fixture.h"

namespace softcot::model {
namespace {

namespace fs = std::filesystem;

std::vector<float> pick(const std::vector<float>& logits, const std::vector<int64_t>& positions,
                        int64_t vocab, int64_t stride) {
  std::vector<float> out;
  for (int64_t p : positions) {
    for (int64_t c = 0; c < vocab; c += stride) out.push_back(logits[p * vocab + c]);
  }
  return out;
}

// The fixture's model directory with config.json replaced by transformers 5's re-save.
std::string v5_copy(const std::string& dir, const std::string& fixture) {
  const std::string copy = dir + "-v5";
  fs::remove_all(copy);
  fs::create_directories(copy);
  for (const auto& entry : fs::directory_iterator(dir)) {
    fs::create_symlink(entry.path(), fs::path(copy) / entry.path().filename());
  }
  fs::remove(fs::path(copy) / "config.json");
  fs::copy_file(fixture + "/config_v5.json", fs::path(copy) / "config.json");
  return copy;
}

class LlamaHfParity : public ::testing::TestWithParam<std::string> {};

TEST_P(LlamaHfParity, InverseFrequenciesAreTransformersOwn) {
  const std::string fixture = testing::oracle_dir() + "/llama/" + GetParam();
  const nlohmann::json c = testing::read_json(fixture + "/case.json");
  const std::string dir = testing::make_tiny_model(
      "llama-" + GetParam(), c["make_tiny_model_flags"].get<std::vector<std::string>>(),
      testing::llama_tokenizer());
  const std::vector<float> ours = rope_inv_freq(io::read_model_config(dir + "/config.json"));
  const std::vector<float> hf = testing::read_f32(fixture + "/inv_freq.f32");
  ASSERT_EQ(ours.size(), hf.size());
  for (size_t j = 0; j < hf.size(); ++j) EXPECT_EQ(ours[j], hf[j]) << "inv_freq[" << j << "]";
}

TEST_P(LlamaHfParity, LogitsHiddenStatesAndGreedyTokensMatchTransformersFromBothConfigForms) {
  const std::string fixture = testing::oracle_dir() + "/llama/" + GetParam();
  const nlohmann::json c = testing::read_json(fixture + "/case.json");
  const std::string dir = testing::make_tiny_model(
      "llama-" + GetParam(), c["make_tiny_model_flags"].get<std::vector<std::string>>(),
      testing::llama_tokenizer());
  const auto prompt = c["prompt"].get<std::vector<int32_t>>();
  const auto positions = c["positions"].get<std::vector<int64_t>>();
  const int64_t n = static_cast<int64_t>(prompt.size());
  const int64_t stride = c["logit_column_stride"].get<int64_t>();
  std::vector<int64_t> every(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) every[i] = i;

  std::vector<float> first_logits;
  for (const std::string& model_dir : {dir, v5_copy(dir, fixture)}) {
    SCOPED_TRACE(model_dir);
    auto backend = make_cpu_backend();
    auto model = Model::load(io::open_model_dir(model_dir), *backend);
    const int64_t vocab = model->config().vocab_size;
    ASSERT_EQ(vocab, c["vocab_size"].get<int64_t>());
    ASSERT_EQ(model->config().rope_scaling.type, "llama3");

    const std::vector<float> embeddings = model->embed(prompt);
    const std::vector<float> logits = model->logits_at(embeddings, n, every);
    testing::expect_parity(pick(logits, positions, vocab, stride), testing::read_f32(fixture + "/logits.f32"),
                           "logits");
    if (c.value("full_last_row", false)) {
      const std::vector<float> last(logits.end() - vocab, logits.end());
      testing::expect_parity(last, testing::read_f32(fixture + "/last_logits.f32"), "last row logits");
    }
    testing::expect_parity(model->hidden_states_at(embeddings, n, positions),
                           testing::read_f32(fixture + "/hidden.f32"), "hidden states");
    // Both forms mean the same model: the same numbers to the bit.
    if (first_logits.empty()) {
      first_logits = logits;
    } else {
      EXPECT_EQ(std::memcmp(first_logits.data(), logits.data(), logits.size() * 4), 0);
    }

    generate::GenerationParams params;
    params.max_new_tokens = 64;
    EXPECT_EQ(generate::generate_from_ids(*model, prompt, params, {}).at(0).tokens,
              c["greedy"].get<std::vector<int32_t>>());
  }
}

INSTANTIATE_TEST_SUITE_P(TinyLlama3, LlamaHfParity,
                         ::testing::Values("hd64_tied_gqa_f8_bf16", "hd128_untied_f32_f32",
                                           "hd64_untied_bias_f32_bf16", "hd128_tied_gqa_f8_bf16"));

}  // namespace
}  // namespace softcot::model
