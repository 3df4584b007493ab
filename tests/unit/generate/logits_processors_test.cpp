// The processors against HF transformers' own classes on fixed logits (fixtures from
// tests/oracle/make_model_fixtures.py), and the sampler against the math.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "generate/logits_processors.h"
#include "tiny_model_fixture.h"

namespace softcot::generate {
namespace {

TEST(LogitsProcessors, MatchTransformersOnFixedLogits) {
  const std::string dir = testing::oracle_dir() + "/processors";
  const nlohmann::json cases = testing::read_json(dir + "/cases.json");
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    const std::string prefix = dir + "/case" + std::to_string(c["index"].get<int>());
    std::vector<float> logits = testing::read_f32(prefix + "_logits.f32");
    const std::vector<float> expected = testing::read_f32(prefix + "_processed.f32");
    const std::vector<float> expected_probs = testing::read_f32(prefix + "_probs.f32");
    SamplingParams params;
    params.do_sample = true;
    params.repetition_penalty = c["repetition_penalty"].get<float>();
    params.temperature = c["temperature"].get<float>();
    params.top_k = c["top_k"].get<int64_t>();
    params.top_p = c["top_p"].get<float>();
    const auto history = c["history"].get<std::vector<int32_t>>();
    process_logits(logits, history, params);
    ASSERT_EQ(logits.size(), expected.size());
    int kept = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
      if (std::isinf(expected[i])) {
        ASSERT_TRUE(std::isinf(logits[i]) && logits[i] < 0) << "case " << c["index"] << " token " << i;
      } else {
        ++kept;
        ASSERT_NEAR(logits[i], expected[i], 1e-6 * std::max(1.0f, std::abs(expected[i])))
            << "case " << c["index"] << " token " << i;
      }
    }
    EXPECT_EQ(kept, c["kept"].get<int>()) << "case " << c["index"];
    std::vector<float> probs(logits.size());
    softmax(logits, probs);
    for (size_t i = 0; i < probs.size(); ++i) ASSERT_NEAR(probs[i], expected_probs[i], 1e-6);
  }
}

TEST(LogitsProcessors, GreedySkipsTheWarpersButNotThePenalty) {
  std::vector<float> logits = {2.0f, 1.9f, -1.0f};
  SamplingParams params;  // do_sample false
  params.repetition_penalty = 2.0f;
  params.top_k = 1;
  params.temperature = 0.1f;
  const std::vector<int32_t> seen = {0, 2, 0};
  process_logits(logits, seen, params);
  EXPECT_EQ(logits, (std::vector<float>{1.0f, 1.9f, -2.0f}));
  EXPECT_EQ(argmax(logits), 1);
}

TEST(Sampler, InverseCdfPicksEachTokenWithItsProbability) {
  const float removed = -std::numeric_limits<float>::infinity();
  const std::vector<float> logits = {std::log(0.2f), removed, std::log(0.5f), std::log(0.3f)};
  // Walk u over a fine grid: each token owns an interval of width equal to its probability.
  std::vector<int> hits(4, 0);
  const int steps = 100000;
  for (int i = 0; i < steps; ++i) ++hits[sample_inverse_cdf(logits, (i + 0.5f) / steps)];
  EXPECT_EQ(hits[1], 0);
  EXPECT_NEAR(hits[0] / double(steps), 0.2, 1e-4);
  EXPECT_NEAR(hits[2] / double(steps), 0.5, 1e-4);
  EXPECT_NEAR(hits[3] / double(steps), 0.3, 1e-4);
  EXPECT_EQ(sample_inverse_cdf(logits, 0.0f), 0);
  EXPECT_EQ(sample_inverse_cdf(logits, 0.9999999f), 3);
}

TEST(Sampler, ArgmaxTakesTheFirstOfTiedMaxima) {
  const std::vector<float> logits = {1.0f, 3.0f, 3.0f};
  EXPECT_EQ(argmax(logits), 1);
}

}  // namespace
}  // namespace softcot::generate
