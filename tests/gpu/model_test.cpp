// Whole models on the GPU against the CPU path: logits NMSE <= 1e-4 at tiny and
// Qwen2.5-0.5B shapes (bf16 random weights), SoftCoT injected embeddings equal, and
// greedy continuations equal on an f32 tiny model.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "cuda_backend.h"
#include "gpu_test_util.h"
#include "model/model.h"
#include "random_model.h"

namespace softcot {
namespace {

using gputest::nmse;
using gputest::qwen_shape;
using gputest::RandomWeights;

std::vector<int32_t> prompt_ids(int64_t n, int64_t vocab, uint64_t seed) {
  gputest::Rng rng(seed);
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (auto& id : ids) id = static_cast<int32_t>(rng.next() % static_cast<uint64_t>(vocab));
  return ids;
}

// Prefill a prompt, then decode a few tokens one by one (teacher-forced with the CPU's
// argmax so both see the same inputs); every step's logits compared by NMSE.
void compare_logits(const std::string& shape, io::DType dtype, int64_t prompt, int64_t decode) {
  const io::ModelConfig config = qwen_shape(shape);
  RandomWeights weights(dtype, 17);
  auto cpu_backend = model::make_cpu_backend();
  cuda::CudaBackend gpu_backend(0);
  model::Model cpu(config, weights.lookup(), *cpu_backend);
  model::Model gpu(config, weights.lookup(), gpu_backend);
  model::KvCache cpu_cache = cpu.new_cache(prompt + decode), gpu_cache = gpu.new_cache(prompt + decode);
  std::vector<int32_t> ids = prompt_ids(prompt, config.vocab_size, 3);
  for (int64_t step = 0; step <= decode; ++step) {
    const std::vector<float> emb = cpu.embed(ids);
    EXPECT_EQ(gpu.embed(ids), emb) << "embedding gather must be exact";
    const int64_t last = static_cast<int64_t>(ids.size()) - 1;
    const model::SequenceStep c{&cpu_cache, emb, std::span<const int64_t>(&last, 1), {}};
    const model::SequenceStep g{&gpu_cache, emb, std::span<const int64_t>(&last, 1), {}};
    const std::vector<float> lc = cpu.forward(std::span(&c, 1))[0].logits;
    const std::vector<float> lg = gpu.forward(std::span(&g, 1))[0].logits;
    const double e = nmse(lg, lc);
    EXPECT_LE(e, 1e-4) << shape << " step " << step;
    const int32_t next = static_cast<int32_t>(std::max_element(lc.begin(), lc.end()) - lc.begin());
    ids = {next};
  }
}

TEST(CudaModel, LogitsNmseTinyBf16) {
  SOFTCOT_REQUIRE_GPU();
  compare_logits("tiny", io::DType::kBF16, 23, 4);
}

TEST(CudaModel, LogitsNmseQwen05BShapesBf16) {
  SOFTCOT_REQUIRE_GPU();
  compare_logits("0.5B", io::DType::kBF16, 40, 3);
}

// SoftCoT: the base prompt's embeddings with the placeholder rows replaced by projected
// thoughts -- the GPU's fused gather-with-overrides equals the CPU's embed + overwrite,
// and the hidden states at the placeholders (the assistant pass) agree.
TEST(CudaModel, InjectedEmbeddingsEqualAndHiddenStatesAgree) {
  SOFTCOT_REQUIRE_GPU();
  const io::ModelConfig config = qwen_shape("tiny");
  RandomWeights weights(io::DType::kBF16, 5);
  auto cpu_backend = model::make_cpu_backend();
  cuda::CudaBackend gpu_backend(0);
  model::Model cpu(config, weights.lookup(), *cpu_backend);
  model::Model gpu(config, weights.lookup(), gpu_backend);
  const std::vector<int32_t> ids = prompt_ids(30, config.vocab_size, 9);
  const std::vector<int64_t> placeholders = {10, 11, 12, 13};
  const std::vector<float> thoughts = gputest::random_vector(4 * config.hidden_size, 10);
  std::vector<float> expect = cpu.embed(ids);
  for (size_t j = 0; j < placeholders.size(); ++j) {
    std::copy_n(thoughts.begin() + j * config.hidden_size, config.hidden_size,
                expect.begin() + placeholders[j] * config.hidden_size);
  }
  const model::WeightMatrix table =
      gpu_backend.prepare_weight(weights.get("model.embed_tokens.weight", {config.vocab_size, config.hidden_size}));
  model::Buffer out = gpu_backend.allocate(static_cast<int64_t>(expect.size()));
  gpu_backend.embedding_gather_with_overrides(table, ids, thoughts, placeholders, out.data());
  std::vector<float> got(expect.size());
  gpu_backend.download(out.data(), got);
  EXPECT_EQ(got, expect);

  const std::vector<float> hc = cpu.hidden_states_at(expect, 30, placeholders);
  const std::vector<float> hg = gpu.hidden_states_at(got, 30, placeholders);
  EXPECT_LE(nmse(hg, hc), 1e-4);
}

// f32 weights stay f32 on the GPU: greedy decoding picks the same tokens.
TEST(CudaModel, GreedyContinuationsEqualOnF32Tiny) {
  SOFTCOT_REQUIRE_GPU();
  const io::ModelConfig config = qwen_shape("tiny");
  RandomWeights weights(io::DType::kF32, 23);
  auto cpu_backend = model::make_cpu_backend();
  cuda::CudaBackend gpu_backend(0);
  auto greedy = [&](model::Backend& backend) {
    model::Model m(config, weights.lookup(), backend);
    model::KvCache cache = m.new_cache(64);
    std::vector<int32_t> ids = prompt_ids(12, config.vocab_size, 4), out;
    for (int step = 0; step < 32; ++step) {
      const std::vector<float> emb = m.embed(ids);
      const int64_t last = static_cast<int64_t>(ids.size()) - 1;
      const model::SequenceStep s{&cache, emb, std::span<const int64_t>(&last, 1), {}};
      const std::vector<float> logits = m.forward(std::span(&s, 1))[0].logits;
      const int32_t next =
          static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
      out.push_back(next);
      ids = {next};
    }
    return out;
  };
  EXPECT_EQ(greedy(gpu_backend), greedy(*cpu_backend));
}

}  // namespace
}  // namespace softcot
