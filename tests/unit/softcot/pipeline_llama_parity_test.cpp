// The SoftCoT pipeline against HF transformers (f32) with Llama-3 models: a Llama pair, a
// mixed pair (Llama base, Qwen assistant), and the Llama pair with fine-tuned assistant
// weights (--assistant_model_ckpt, loaded as the reference's load_state_dict). Fixtures from
// tests/oracle/make_softcot_llama_fixtures.py; models rebuilt here from the same flags.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "../generate/parity_check.h"
#include "../generate/tiny_model_fixture.h"
#include "io/fine_tuned_weights.h"
#include "io/model_dir.h"
#include "io/torch_checkpoint.h"
#include "model/model.h"
#include "softcot/dataset.h"
#include "softcot/pipeline.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace softcot {
namespace {

std::string shared(const std::string& relative) { return std::string(SOFTCOT_SHARED_DIR) + "/" + relative; }

std::string make_projection(const std::string& name, const std::vector<std::string>& flags) {
  std::string args;
  for (const auto& f : flags) args += " " + f;
  const std::string dir = std::string(SOFTCOT_TEST_TMP) + "/tiny-models";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + name + ".safetensors";
  const std::string command = std::string(SOFTCOT_BINARY) + " make-tiny-projection --out " + path + args + " > /dev/null";
  if (std::system(command.c_str()) != 0) throw failure(command, "failed");
  return path;
}

class LlamaPipelineParity : public ::testing::TestWithParam<std::string> {};

TEST_P(LlamaPipelineParity, HiddenStatesProjectionAndFirstTokenLogitsMatchTransformers) {
  const std::string fixture = testing::oracle_dir() + "/softcot_pipeline_llama/" + GetParam();
  const nlohmann::json c = testing::read_json(fixture + "/case.json");
  const std::string tag = "softcot-" + GetParam();
  const std::string base_dir = testing::make_tiny_model(tag + "-base", c["base_flags"].get<std::vector<std::string>>(),
                                                        shared(c["base_tokenizer"].get<std::string>()));
  const std::string assistant_dir = testing::make_tiny_model(
      tag + "-assistant", c["assistant_flags"].get<std::vector<std::string>>(),
      shared(c["assistant_tokenizer"].get<std::string>()));
  const io::Projection projection =
      io::load_projection(make_projection(tag + "-projection", c["projection_flags"].get<std::vector<std::string>>()));

  auto backend = model::make_cpu_backend();
  auto base = model::Model::load(io::open_model_dir(base_dir), *backend);
  std::unique_ptr<model::Model> assistant;
  const io::ModelDir adir = io::open_model_dir(assistant_dir);
  if (c.contains("ckpt_flags")) {
    // The fine-tuned weights: another seed's model.safetensors as the state dict file.
    const std::string tuned = testing::make_tiny_model(tag + "-tuned", c["ckpt_flags"].get<std::vector<std::string>>(),
                                                       shared(c["assistant_tokenizer"].get<std::string>()));
    auto weights = io::FineTunedWeights::load(tuned + "/model.safetensors", adir);
    const io::FineTunedWeights& w = *weights;
    assistant = std::make_unique<model::Model>(
        adir.config,
        [&w](const std::string& n, const std::vector<int64_t>& s) -> const io::TensorView& { return w.get(n, s); },
        *backend, weights);
  } else {
    assistant = model::Model::load(adir, *backend);
  }
  const auto base_tok = tokenizer::Tokenizer::from_file(base_dir + "/tokenizer.json");
  const auto assistant_tok = tokenizer::Tokenizer::from_file(assistant_dir + "/tokenizer.json");

  RunOptions options;
  options.base_model_id = base_dir;
  options.assistant_model_id = assistant_dir;
  options.num_thought_tokens = c["num_thought_tokens"].get<int>();
  options.task = parse_task_name(c["task_name"].get<std::string>());
  options.test_k = c["test_k"].get<int64_t>();
  options.base_model_family = c["base_family"].get<std::string>();
  options.assistant_model_family = c["assistant_family"].get<std::string>();
  options.max_new_tokens = 1;
  PipelineModels models;
  models.base_tokenizer = &base_tok;
  models.assistant_tokenizer = &assistant_tok;
  models.base_chat_template = tokenizer::recognise_chat_template(base_dir);
  models.assistant_chat_template = tokenizer::recognise_chat_template(assistant_dir);
  models.base = base.get();
  models.assistant = assistant.get();
  models.projection = &projection;
  const SoftCotPipeline p(options, models, generate::GenerationParams{});

  ASSERT_EQ(base->config().rope_scaling.type, "llama3");
  const int64_t vocab = base->config().vocab_size, n = options.num_thought_tokens;
  const int64_t stride = c["logit_column_stride"].get<int64_t>();
  const Dataset data = load_dataset(options.task, options.data_path(), options.test_k);
  ASSERT_EQ(data.samples.size(), c["questions"].size());
  for (size_t q = 0; q < data.samples.size(); ++q) {
    const nlohmann::json& ref = c["questions"][q];
    const std::string prefix = fixture + "/q" + std::to_string(data.samples[q].idx);
    const std::string label = GetParam() + " q" + std::to_string(data.samples[q].idx) + " ";
    const PromptPair pair = p.prompts(data.samples[q]);
    EXPECT_EQ(pair.base_ids, ref["base_ids"].get<std::vector<int32_t>>());
    EXPECT_EQ(pair.assistant_ids, ref["assistant_ids"].get<std::vector<int32_t>>());

    const std::vector<float> hidden = p.assistant_hidden_states(pair);
    testing::expect_parity(hidden, testing::read_f32(prefix + "_assistant.f32"), label + "assistant hidden");
    const std::vector<float> projected = apply_projection(projection, hidden, n);
    testing::expect_parity(projected, testing::read_f32(prefix + "_projected.f32"), label + "projected");

    const std::vector<float> embeddings = p.injected_embeddings(pair);
    const int64_t rows = static_cast<int64_t>(pair.base_ids.size());
    const std::vector<int64_t> last{rows - 1};
    testing::expect_parity(base->hidden_states_at(embeddings, rows, last),
                           testing::read_f32(prefix + "_base_hidden.f32"), label + "base hidden (last)");
    const std::vector<float> logits = base->logits_at(embeddings, rows, last);
    std::vector<float> sub;
    for (int64_t col = 0; col < vocab; col += stride) sub.push_back(logits[col]);
    testing::expect_parity(sub, testing::read_f32(prefix + "_logits.f32"), label + "first-token logits");
    if (ref["top_gap"].get<double>() > 1e-3 * std::abs(ref["top_values"][0].get<double>())) {
      EXPECT_EQ(std::max_element(logits.begin(), logits.end()) - logits.begin(), ref["argmax"].get<int64_t>());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Llama, LlamaPipelineParity,
                         ::testing::Values("llama_pair", "llama_qwen", "llama_pair_ckpt"));

}  // namespace
}  // namespace softcot
