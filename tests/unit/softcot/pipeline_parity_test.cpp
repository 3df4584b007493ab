// The SoftCoT pipeline (prompts -> assistant hidden states at the placeholders -> projection
// -> injection -> base model) against HF transformers in float32, on two tiny models of
// different widths: fixtures from tests/oracle/make_softcot_fixtures.py. The models and the
// projection are rebuilt here with the softcot binary from the fixture's flags (same seeds,
// same bytes). One test only: ctest runs tests in parallel processes, and they would share the
// rebuilt model directories.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "../generate/parity_check.h"
#include "../generate/tiny_model_fixture.h"
#include "io/model_dir.h"
#include "io/torch_checkpoint.h"
#include "model/model.h"
#include "softcot/dataset.h"
#include "softcot/pipeline.h"
#include "tokenizer/tokenizer.h"

namespace softcot {
namespace {

std::string fixture_dir() { return testing::oracle_dir() + "/softcot_pipeline"; }

std::string make_projection(const std::vector<std::string>& flags) {
  std::string args;
  for (const auto& f : flags) args += " " + f;
  const std::string dir = std::string(SOFTCOT_TEST_TMP) + "/tiny-models";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/softcot-parity-projection.safetensors";
  const std::string command =
      std::string(SOFTCOT_BINARY) + " make-tiny-projection --out " + path + args + " > /dev/null";
  if (std::system(command.c_str()) != 0) throw failure(command, "failed");
  return path;
}

class SoftCotParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    c_ = new nlohmann::json(testing::read_json(fixture_dir() + "/case.json"));
    const nlohmann::json& c = *c_;
    const std::string base_dir =
        testing::make_tiny_model("softcot-parity-base", c["base_flags"].get<std::vector<std::string>>());
    const std::string assistant_dir = testing::make_tiny_model(
        "softcot-parity-assistant", c["assistant_flags"].get<std::vector<std::string>>());
    projection_path_ = new std::string(make_projection(c["projection_flags"].get<std::vector<std::string>>()));
    backend_ = model::make_cpu_backend().release();
    base_ = model::Model::load(io::open_model_dir(base_dir), *backend_).release();
    assistant_ = model::Model::load(io::open_model_dir(assistant_dir), *backend_).release();
    base_tok_ = new tokenizer::Tokenizer(tokenizer::Tokenizer::from_file(base_dir + "/tokenizer.json"));
    assistant_tok_ =
        new tokenizer::Tokenizer(tokenizer::Tokenizer::from_file(assistant_dir + "/tokenizer.json"));
    projection_ = new io::Projection(io::load_projection(*projection_path_));

    options_ = new RunOptions();
    options_->base_model_id = base_dir;
    options_->assistant_model_id = assistant_dir;
    options_->params_file_name = *projection_path_;
    options_->num_thought_tokens = c["num_thought_tokens"].get<int>();
    options_->task = parse_task_name(c["task_name"].get<std::string>());
    options_->test_k = c["test_k"].get<int64_t>();
    options_->base_model_family = c["model_family"].get<std::string>();
    options_->assistant_model_family = c["model_family"].get<std::string>();
    options_->max_new_tokens = 1;
  }
  static void TearDownTestSuite() {
    delete c_;
    delete projection_path_;
    delete base_;
    delete assistant_;
    delete backend_;
    delete base_tok_;
    delete assistant_tok_;
    delete projection_;
    delete options_;
  }

  SoftCotPipeline pipeline() const {
    PipelineModels models;
    models.base_tokenizer = base_tok_;
    models.assistant_tokenizer = assistant_tok_;
    models.base = base_;
    models.assistant = assistant_;
    models.projection = projection_;
    return SoftCotPipeline(*options_, models, generate::GenerationParams{});
  }

  static inline nlohmann::json* c_ = nullptr;
  static inline std::string* projection_path_ = nullptr;
  static inline model::Backend* backend_ = nullptr;
  static inline model::Model* base_ = nullptr;
  static inline model::Model* assistant_ = nullptr;
  static inline tokenizer::Tokenizer* base_tok_ = nullptr;
  static inline tokenizer::Tokenizer* assistant_tok_ = nullptr;
  static inline io::Projection* projection_ = nullptr;
  static inline RunOptions* options_ = nullptr;
};

TEST_F(SoftCotParity, PromptsHiddenStatesProjectionAndFirstTokenLogitsMatchTransformers) {
  const nlohmann::json& c = *c_;
  ASSERT_EQ(base_->config().hidden_size, c["base_hidden"].get<int64_t>());
  ASSERT_EQ(assistant_->config().hidden_size, c["assistant_hidden"].get<int64_t>());
  ASSERT_NE(base_->config().hidden_size, assistant_->config().hidden_size);
  const int64_t vocab = base_->config().vocab_size;
  ASSERT_EQ(vocab, c["vocab_size"].get<int64_t>());
  const int64_t n = options_->num_thought_tokens;
  const int64_t stride = c["logit_column_stride"].get<int64_t>();

  const Dataset data = load_dataset(options_->task, options_->data_path(), options_->test_k);
  ASSERT_EQ(data.samples.size(), c["questions"].size());
  const SoftCotPipeline p = pipeline();
  for (size_t q = 0; q < data.samples.size(); ++q) {
    const nlohmann::json& ref = c["questions"][q];
    const Sample& sample = data.samples[q];
    ASSERT_EQ(sample.idx, ref["idx"].get<int64_t>());
    const std::string prefix = fixture_dir() + "/q" + std::to_string(sample.idx);
    const std::string label = "q" + std::to_string(sample.idx) + " ";
    SCOPED_TRACE(label);

    // The prompts are `softcot prompts`' (the fixture's ids), built in-process.
    const PromptPair pair = p.prompts(sample);
    EXPECT_EQ(pair.base_ids, ref["base_ids"].get<std::vector<int32_t>>());
    EXPECT_EQ(pair.assistant_ids, ref["assistant_ids"].get<std::vector<int32_t>>());
    EXPECT_EQ(std::vector<int64_t>(pair.thought_index.begin(), pair.thought_index.end()),
              ref["thought_index"].get<std::vector<int64_t>>());

    // Assistant final-norm hidden states at the placeholders, and their projection.
    const std::vector<float> hidden = p.assistant_hidden_states(pair);
    ASSERT_EQ(static_cast<int64_t>(hidden.size()), n * assistant_->config().hidden_size);
    testing::expect_parity(hidden, testing::read_f32(prefix + "_assistant.f32"), label + "assistant hidden");
    const std::vector<float> projected = apply_projection(*projection_, hidden, n);
    testing::expect_parity(projected, testing::read_f32(prefix + "_projected.f32"), label + "projected");

    // The injected embeddings carry exactly those rows at the base placeholders, and the
    // plain embeddings everywhere else.
    const std::vector<float> embeddings = p.injected_embeddings(pair);
    const int64_t width = base_->config().hidden_size;
    const int64_t rows = static_cast<int64_t>(pair.base_ids.size());
    ASSERT_EQ(static_cast<int64_t>(embeddings.size()), rows * width);
    const std::vector<float> plain = base_->embed(pair.base_ids);
    const int64_t first = pair.thought_index[0];
    for (int64_t r = 0; r < rows; ++r) {
      const bool injected = r >= first && r < first + n;
      for (int64_t k = 0; k < width; ++k) {
        const float want = injected ? projected[(r - first) * width + k] : plain[r * width + k];
        ASSERT_EQ(embeddings[r * width + k], want) << "row " << r << " col " << k;
      }
    }

    // The base model on the injected embeddings: last-position hidden state and logits
    // (the first generated token's distribution).
    const std::vector<int64_t> last{rows - 1};
    testing::expect_parity(base_->hidden_states_at(embeddings, rows, last),
                 testing::read_f32(prefix + "_base_hidden.f32"), label + "base hidden (last)");
    const std::vector<float> logits = base_->logits_at(embeddings, rows, last);
    ASSERT_EQ(static_cast<int64_t>(logits.size()), vocab);
    std::vector<float> sub;
    for (int64_t col = 0; col < vocab; col += stride) sub.push_back(logits[col]);
    testing::expect_parity(sub, testing::read_f32(prefix + "_logits.f32"), label + "first-token logits");
    const auto top_ids = ref["top_ids"].get<std::vector<int64_t>>();
    const auto top_values = ref["top_values"].get<std::vector<float>>();
    for (size_t t = 0; t < top_ids.size(); ++t) {
      EXPECT_NEAR(logits[top_ids[t]], top_values[t], 1e-4 * std::abs(top_values[0]) + 1e-6)
          << "top " << t << " id " << top_ids[t];
    }
    // The injection matters: the plain embeddings of the placeholder tokens give logits far
    // from the fixture, so the comparison above cannot pass by accident.
    {
      const std::vector<float> no_thoughts = base_->logits_at(plain, rows, last);
      std::vector<float> no_sub;
      for (int64_t col = 0; col < vocab; col += stride) no_sub.push_back(no_thoughts[col]);
      EXPECT_GT(testing::parity_errors(no_sub, testing::read_f32(prefix + "_logits.f32")).nmse, 1e-4);
    }
    // The argmax itself, where the top-2 gap is clear of the tolerance.
    const int64_t argmax = std::max_element(logits.begin(), logits.end()) - logits.begin();
    if (ref["top_gap"].get<double>() > 1e-3 * std::abs(top_values[0])) {
      EXPECT_EQ(argmax, ref["argmax"].get<int64_t>());
    }
  }
}

}  // namespace
}  // namespace softcot
