// A long prompt is processed in chunks (issue 12): between chunks the prefill beats the
// heartbeat (a watchdog must not take it for a hang) and checks the stop flag (SIGTERM
// acts within a chunk, not after the whole prompt). The assistant pass goes through the
// same prefill (hidden_states_at).
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <string>

#include "core/interrupt.h"
#include "generate/generate.h"
#include "io/model_dir.h"
#include "parity_check.h"
#include "tiny_model_fixture.h"

namespace softcot::generate {
namespace {

std::atomic<int> g_beats{0};
void count_beat() { ++g_beats; }
void stop_on_beat() { request_stop(15); }

class LongPrefill : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::make_tiny_model(
        "sampling", {"--seed", "5", "--hidden_size", "64", "--num_layers", "1", "--num_heads",
                     "2", "--num_kv_heads", "1", "--intermediate_size", "96", "--init_std", "0.5"});
    backend_ = model::make_cpu_backend().release();
    model_ = model::Model::load(io::open_model_dir(dir), *backend_).release();
  }
  void TearDown() override { set_heartbeat(nullptr); }
  // A prompt far longer than one prefill chunk.
  static std::vector<float> long_prompt() {
    std::vector<int32_t> ids(kTokens);
    for (int64_t i = 0; i < kTokens; ++i) ids[i] = static_cast<int32_t>((i * 7919) % 30000);
    return model_->embed(ids);
  }
  static constexpr int64_t kTokens = 1500;
  static inline model::Backend* backend_ = nullptr;
  static inline model::Model* model_ = nullptr;
};

TEST_F(LongPrefill, BeatsTheHeartbeatWhileItRuns) {
  const std::vector<float> prompt = long_prompt();
  const int64_t last = kTokens - 1;
  set_heartbeat(count_beat);
  g_beats = 0;
  model_->logits_at(prompt, kTokens, std::span(&last, 1));
  EXPECT_GE(g_beats.load(), 2) << "logits_at";
  g_beats = 0;
  model_->hidden_states_at(prompt, kTokens, std::span(&last, 1));
  EXPECT_GE(g_beats.load(), 2) << "hidden_states_at (the assistant pass)";
  GenerationParams params;
  params.max_new_tokens = 1;
  g_beats = 0;
  generate_from_embeddings(*model_, prompt, kTokens, params, {});
  EXPECT_GE(g_beats.load(), 2) << "the generation's prefill";
}

// The stop flag cannot be cleared, so these run in child processes (death tests).
TEST_F(LongPrefill, AStopRequestInterruptsTheAssistantPass) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::vector<float> prompt = long_prompt();
  auto run = [&] {
    set_heartbeat(stop_on_beat);
    const int64_t last = kTokens - 1;
    try {
      model_->hidden_states_at(prompt, kTokens, std::span(&last, 1));
    } catch (const Interrupted&) {
      std::exit(0);
    }
    std::exit(2);
  };
  EXPECT_EXIT(run(), ::testing::ExitedWithCode(0), "");
}

TEST_F(LongPrefill, AStopRequestInterruptsTheGenerationPrefill) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::vector<float> prompt = long_prompt();
  auto run = [&] {
    set_heartbeat(stop_on_beat);
    GenerationParams params;
    params.max_new_tokens = 1;
    try {
      generate_from_embeddings(*model_, prompt, kTokens, params, {});
    } catch (const Interrupted&) {
      std::exit(0);
    }
    std::exit(2);
  };
  EXPECT_EXIT(run(), ::testing::ExitedWithCode(0), "");
}

// Chunking changes nothing: prompts of the HF fixtures (tests/oracle/fixtures/model) in
// chunks of 1, 3 and 7 rows give bit-identical logits and hidden states to the whole prompt
// in one pass, and match transformers within the parity bounds.
class ChunkedPrefill : public ::testing::TestWithParam<std::string> {};

std::vector<float> every_kth(const std::vector<float>& logits, int64_t rows, int64_t vocab, int64_t k) {
  std::vector<float> out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < vocab; c += k) out.push_back(logits[r * vocab + c]);
  }
  return out;
}

TEST_P(ChunkedPrefill, GivesTheWholePassBitForBitAndMatchesTransformers) {
  const std::string fixture = testing::oracle_dir() + "/model/" + GetParam();
  const nlohmann::json c = testing::read_json(fixture + "/case.json");
  const std::string dir =
      testing::make_tiny_model(GetParam(), c["make_tiny_model_flags"].get<std::vector<std::string>>());
  auto backend = model::make_cpu_backend();
  auto model = model::Model::load(io::open_model_dir(dir), *backend);
  const auto prompt = c["prompt"].get<std::vector<int32_t>>();
  const int64_t n = static_cast<int64_t>(prompt.size());
  ASSERT_LT(n, model::Model::kDefaultPrefillChunkRows) << "the reference pass must be one chunk";
  std::vector<int64_t> every(static_cast<size_t>(n));
  std::iota(every.begin(), every.end(), 0);
  const std::vector<float> embeddings = model->embed(prompt);
  const std::vector<float> whole_logits = model->logits_at(embeddings, n, every);
  const std::vector<float> whole_hidden = model->hidden_states_at(embeddings, n, every);
  for (int64_t chunk : {1, 3, 7}) {
    model->set_prefill_chunk_rows(chunk);
    const std::vector<float> logits = model->logits_at(embeddings, n, every);
    EXPECT_EQ(logits, whole_logits) << "chunks of " << chunk;
    EXPECT_EQ(model->hidden_states_at(embeddings, n, every), whole_hidden) << "chunks of " << chunk;
    testing::expect_parity(every_kth(logits, n, model->config().vocab_size, c["logit_column_stride"].get<int64_t>()),
                           testing::read_f32(fixture + "/logits.f32"), "chunked logits");
  }
}

INSTANTIATE_TEST_SUITE_P(TinyQwen2, ChunkedPrefill,
                         ::testing::Values("hd64_tied_bf16", "hd64_untied_gqa_bf16", "hd128_untied_f32",
                                           "hd128_tied_gqa_bf16"));

}  // namespace
}  // namespace softcot::generate
