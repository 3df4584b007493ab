// Generation-loop semantics on a tiny model: keyed randomness, return sequences, eos,
// max_new_tokens, and the cooperative stop.
#include <gtest/gtest.h>

#include "core/interrupt.h"
#include "generate/generate.h"
#include "io/model_dir.h"
#include "tiny_model_fixture.h"

namespace softcot::generate {
namespace {

class Generation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::make_tiny_model(
        "sampling", {"--seed", "5", "--hidden_size", "64", "--num_layers", "1", "--num_heads",
                     "2", "--num_kv_heads", "1", "--intermediate_size", "96", "--init_std", "0.5"});
    backend_ = model::make_cpu_backend().release();
    model_ = model::Model::load(io::open_model_dir(dir), *backend_).release();
  }
  static GenerationParams sampling(int64_t sequences, int64_t tokens) {
    GenerationParams p;
    p.sampling.do_sample = true;
    p.sampling.top_k = 50;
    p.max_new_tokens = tokens;
    p.num_return_sequences = sequences;
    return p;
  }
  static inline model::Backend* backend_ = nullptr;
  static inline model::Model* model_ = nullptr;
  const std::vector<int32_t> prompt_ = {100, 2000, 30000, 400};
};

TEST_F(Generation, SampledTokensArePureFunctionsOfSeedSampleAndSequence) {
  const PhiloxKey key{42, 7, 0};
  const auto three = generate_from_ids(*model_, prompt_, sampling(3, 12), key);
  ASSERT_EQ(three.size(), 3u);
  // Same key, run alone: sequence 0 draws the same tokens whatever else ran.
  EXPECT_EQ(generate_from_ids(*model_, prompt_, sampling(1, 12), key)[0].tokens, three[0].tokens);
  EXPECT_NE(three[0].tokens, three[1].tokens);
  EXPECT_NE(three[1].tokens, three[2].tokens);
  const auto other_sample = generate_from_ids(*model_, prompt_, sampling(1, 12), PhiloxKey{42, 8, 0});
  EXPECT_NE(other_sample[0].tokens, three[0].tokens);
}

TEST_F(Generation, StopsAtEosIncludingItAndAtMaxNewTokens) {
  GenerationParams p = sampling(1, 10);
  const auto free_run = generate_from_ids(*model_, prompt_, p, {1, 0, 0});
  ASSERT_EQ(free_run[0].tokens.size(), 10u);
  EXPECT_FALSE(free_run[0].ended_with_eos);
  p.eos_token_ids = {free_run[0].tokens[4]};
  const auto stopped = generate_from_ids(*model_, prompt_, p, {1, 0, 0});
  const auto first = std::find(free_run[0].tokens.begin(), free_run[0].tokens.end(), p.eos_token_ids[0]);
  const std::vector<int32_t> expected(free_run[0].tokens.begin(), first + 1);
  EXPECT_EQ(stopped[0].tokens, expected);
  EXPECT_TRUE(stopped[0].ended_with_eos);
}

TEST_F(Generation, StreamsEveryTokenToTheCallback) {
  std::vector<std::pair<int64_t, int32_t>> streamed;
  const TokenCallback callback = [&](int64_t s, int32_t t) { streamed.emplace_back(s, t); };
  const auto out = generate_from_ids(*model_, prompt_, sampling(2, 5), {3, 0, 0}, &callback);
  ASSERT_EQ(streamed.size(), 10u);
  std::vector<int32_t> first;
  for (auto [s, t] : streamed) if (s == 0) first.push_back(t);
  EXPECT_EQ(first, out[0].tokens);
}

// The stop flag cannot be cleared, so this runs in a child process (a death test).
TEST_F(Generation, AStopRequestInterruptsWithinOneStep) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto run_until_interrupted = [&] {
    int calls = 0;
    const TokenCallback callback = [&](int64_t, int32_t) {
      if (++calls == 2) request_stop(15);
    };
    try {
      generate_from_ids(*model_, prompt_, sampling(1, 50), {}, &callback);
    } catch (const Interrupted&) {
      std::exit(calls == 2 ? 0 : 1);  // noticed at the very next step
    }
    std::exit(2);
  };
  EXPECT_EXIT(run_until_interrupted(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace softcot::generate
