// The forward pass and greedy generation against HF transformers' Qwen2ForCausalLM (f32)
// on tiny models: fixtures from tests/oracle/make_model_fixtures.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "generate/generate.h"
#include "io/model_dir.h"
#include "model/model.h"
#include "parity_check.h"
#include "tiny_model_fixture.h"

namespace softcot::model {
namespace {

std::vector<float> columns(const std::vector<float>& logits, int64_t rows, int64_t vocab,
                           int64_t stride) {
  std::vector<float> out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < vocab; c += stride) out.push_back(logits[r * vocab + c]);
  }
  return out;
}

class HfParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HfParity, LogitsHiddenStatesAndGreedyTokensMatchTransformers) {
  const std::string fixture = testing::oracle_dir() + "/model/" + GetParam();
  const nlohmann::json c = testing::read_json(fixture + "/case.json");
  const std::string dir =
      testing::make_tiny_model(GetParam(), c["make_tiny_model_flags"].get<std::vector<std::string>>());
  auto backend = make_cpu_backend();
  auto model = Model::load(io::open_model_dir(dir), *backend);
  const int64_t vocab = model->config().vocab_size, hidden = model->config().hidden_size;
  ASSERT_EQ(vocab, c["vocab_size"].get<int64_t>());
  const auto prompt = c["prompt"].get<std::vector<int32_t>>();
  const int64_t n = static_cast<int64_t>(prompt.size());
  const int64_t stride = c["logit_column_stride"].get<int64_t>();
  std::vector<int64_t> every(static_cast<size_t>(n));
  std::iota(every.begin(), every.end(), 0);

  std::vector<float> embeddings = model->embed(prompt);
  const std::vector<float> logits = model->logits_at(embeddings, n, every);
  testing::expect_parity(columns(logits, n, vocab, stride), testing::read_f32(fixture + "/logits.f32"), "logits");
  if (c.value("full_last_row", false)) {
    const std::vector<float> last(logits.end() - vocab, logits.end());
    testing::expect_parity(last, testing::read_f32(fixture + "/last_logits.f32"), "last row logits");
  }
  testing::expect_parity(model->hidden_states_at(embeddings, n, every),
               testing::read_f32(fixture + "/hidden.f32"), "hidden states");

  // The SoftCoT injection: some prompt rows replaced by given vectors.
  const std::vector<float> vectors = testing::read_f32(fixture + "/injected_vectors.f32");
  const auto rows = c["injected_rows"].get<std::vector<int64_t>>();
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(vectors.begin() + static_cast<std::ptrdiff_t>(i * hidden), hidden,
                embeddings.begin() + rows[i] * hidden);
  }
  testing::expect_parity(columns(model->logits_at(embeddings, n, every), n, vocab, stride),
               testing::read_f32(fixture + "/injected_logits.f32"), "injected logits");
  testing::expect_parity(model->hidden_states_at(embeddings, n, every),
               testing::read_f32(fixture + "/injected_hidden.f32"), "injected hidden");

  generate::GenerationParams params;
  params.max_new_tokens = 64;
  auto tokens = [](const std::vector<generate::GeneratedSequence>& out) { return out.at(0).tokens; };
  EXPECT_EQ(tokens(generate::generate_from_ids(*model, prompt, params, {})),
            c["greedy"].get<std::vector<int32_t>>());
  EXPECT_EQ(tokens(generate::generate_from_embeddings(*model, embeddings, n, params, {})),
            c["greedy_injected"].get<std::vector<int32_t>>());
  // With a repetition penalty: from ids it sees the prompt, from embeddings it does not.
  params.sampling.repetition_penalty = c["repetition_penalty"].get<float>();
  EXPECT_EQ(tokens(generate::generate_from_ids(*model, prompt, params, {})),
            c["greedy_penalized"].get<std::vector<int32_t>>());
  EXPECT_EQ(tokens(generate::generate_from_embeddings(*model, embeddings, n, params, {})),
            c["greedy_injected_penalized"].get<std::vector<int32_t>>());
}

INSTANTIATE_TEST_SUITE_P(TinyQwen2, HfParity,
                         ::testing::Values("hd64_tied_bf16", "hd64_untied_gqa_bf16",
                                           "hd128_untied_f32", "hd128_tied_gqa_bf16"));

}  // namespace
}  // namespace softcot::model
