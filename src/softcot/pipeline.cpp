#include "softcot/pipeline.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "core/half.h"
#include "core/json_file.h"
#include "core/non_finite.h"
#include "softcot/extract.h"
#include "softcot/vote.h"
#include "tokenizer/clean_up.h"

namespace softcot {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

float round_to_bf16(float x) { return bf16_to_f32(f32_to_bf16(x)); }

}  // namespace

generate::GenerationParams reference_generation_params(const io::GenerationConfig& base_config,
                                                       const std::vector<int32_t>& eos_token_ids,
                                                       const RunOptions& options) {
  generate::GenerationParams params = generate::params_from_config(base_config);
  params.sampling.do_sample = true;  // the reference passes do_sample=True
  params.sampling.temperature = 1.0f;
  params.sampling.top_p = 1.0f;
  params.max_new_tokens = options.max_new_tokens;
  params.num_return_sequences = options.num_return_sequences;
  params.eos_token_ids = eos_token_ids;
  return params;
}

std::vector<int32_t> reference_eos_token_ids(const std::string& tokenizer_config_json,
                                             const tokenizer::Tokenizer& tokenizer,
                                             const io::GenerationConfig& fallback,
                                             ModelFamily family) {
  std::vector<int32_t> ids;
  if (!tokenizer_config_json.empty()) {
    const Json config = read_json_file(tokenizer_config_json);
    auto it = config.find("eos_token");
    std::string eos;
    if (it != config.end() && it->is_string()) eos = it->get<std::string>();
    if (it != config.end() && it->is_object() && it->contains("content")) {
      eos = (*it)["content"].get<std::string>();
    }
    if (!eos.empty()) {
      const auto id = tokenizer.token_to_id(eos);
      if (!id) throw bad_input(tokenizer_config_json, "eos_token '" + eos + "' is not in the vocabulary");
      ids.push_back(*id);
    }
  }
  if (ids.empty()) ids = fallback.eos_token_ids;
  if (family == ModelFamily::kLlama) {
    if (const auto eot = tokenizer.token_to_id("<|eot_id|>")) ids.push_back(*eot);
  }
  // The reference's list may name <|eot_id|> twice (eos_token is <|eot_id|> in the Instruct files).
  std::vector<int32_t> unique;
  for (int32_t id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  ids = unique;
  if (ids.empty()) {
    throw bad_input(tokenizer_config_json.empty() ? std::string("generation_config.json")
                                                  : tokenizer_config_json,
                    "no eos token: neither eos_token nor generation_config.json's eos_token_id is set");
  }
  return ids;
}

std::string decode_response(const tokenizer::Tokenizer& tokenizer, std::span<const int32_t> tokens,
                            bool clean_up_tokenization_spaces) {
  std::string text = tokenizer.decode(tokens, /*skip_special_tokens=*/true);
  return clean_up_tokenization_spaces ? tokenizer::clean_up_tokenization(std::move(text)) : text;
}

void check_projection_shape(const io::Projection& projection, int64_t assistant_hidden,
                            int64_t base_hidden) {
  if (projection.in_features != assistant_hidden || projection.out_features != base_hidden) {
    throw bad_input(projection.source,
                    "projection weight is [" + std::to_string(projection.out_features) + ", " +
                        std::to_string(projection.in_features) + "] but the models need [" +
                        std::to_string(base_hidden) + ", " + std::to_string(assistant_hidden) +
                        "] (base hidden " + std::to_string(base_hidden) + ", assistant hidden " +
                        std::to_string(assistant_hidden) + ")");
  }
}

std::vector<float> apply_projection(const io::Projection& projection, std::span<const float> x,
                                    int64_t rows) {
  const int64_t in = projection.in_features;
  const int64_t out = projection.out_features;
  const bool bf16 = projection.dtype == io::DType::kBF16;
  std::vector<float> input(x.begin(), x.end());
  if (bf16) {
    for (float& v : input) v = round_to_bf16(v);
  }
  const std::vector<float> weight = projection.weight.to_f32();
  const std::vector<float> bias = projection.bias.to_f32();
  std::vector<float> y(static_cast<size_t>(rows * out));
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = input.data() + r * in;
    for (int64_t o = 0; o < out; ++o) {
      const float* wo = weight.data() + o * in;
      float acc = 0.0f;
      for (int64_t i = 0; i < in; ++i) acc += xr[i] * wo[i];
      acc += bias[static_cast<size_t>(o)];
      y[static_cast<size_t>(r * out + o)] = bf16 ? round_to_bf16(acc) : acc;
    }
  }
  return y;
}

SoftCotPipeline::SoftCotPipeline(const RunOptions& options, PipelineModels models,
                                 generate::GenerationParams generation)
    : options_(options), models_(models), generation_(std::move(generation)) {}

PromptPair SoftCotPipeline::prompts(const Sample& sample) const {
  return build_prompts(options_.task, sample, options_.num_thought_tokens,
                       {models_.base_tokenizer, options_.base_family(), models_.base_chat_template},
                       {models_.assistant_tokenizer, options_.assistant_family(), models_.assistant_chat_template},
                       options_.chat_date);
}

std::vector<float> SoftCotPipeline::assistant_hidden_states(const PromptPair& prompts) const {
  const int64_t begin = prompts.thought_index[2];
  const int64_t end = prompts.thought_index[3];
  // Causal attention: nothing after the last placeholder can change these rows.
  const std::span<const int32_t> ids(prompts.assistant_ids.data(), static_cast<size_t>(end));
  const std::vector<float> embeddings = models_.assistant->embed(ids);
  std::vector<int64_t> positions;
  for (int64_t p = begin; p < end; ++p) positions.push_back(p);
  std::vector<float> hidden = models_.assistant->hidden_states_at(embeddings, end, positions);
  check_finite(hidden, std::filesystem::path(models_.assistant->config().source_path).parent_path().string(),
               "the assistant's hidden states at the thought placeholders");
  return hidden;
}

std::vector<float> SoftCotPipeline::injected_embeddings(const PromptPair& prompts) const {
  std::vector<float> embeddings = models_.base->embed(prompts.base_ids);
  const int64_t n = options_.num_thought_tokens;
  if (n <= 0) return embeddings;
  const std::vector<float> hidden = assistant_hidden_states(prompts);
  const std::vector<float> thoughts = apply_projection(*models_.projection, hidden, n);
  check_finite(thoughts, models_.projection->source, "the projection's output (the soft thoughts)");
  const int64_t width = models_.base->config().hidden_size;
  const int64_t first_row = prompts.thought_index[0];
  std::copy(thoughts.begin(), thoughts.end(), embeddings.begin() + first_row * width);
  return embeddings;
}

SampleResult SoftCotPipeline::run(const Sample& sample, const ResponseObserver& on_response) const {
  SampleResult result;
  result.idx = sample.idx;
  result.ground_truth_json = sample.ground_truth_json;
  result.started_unix_ms = unix_ms_now();
  result.backend = models_.base->backend().name();

  const PromptPair pair = prompts(sample);
  result.base_prompt_tokens = static_cast<int32_t>(pair.base_ids.size());
  result.assistant_prompt_tokens =
      options_.num_thought_tokens > 0 ? static_cast<int32_t>(pair.assistant_ids.size()) : 0;

  std::vector<generate::GeneratedSequence> sequences;
  try {
    const auto assistant_start = Clock::now();
    const std::vector<float> embeddings = injected_embeddings(pair);
    result.assistant_seconds = seconds_since(assistant_start);

    const auto generation_start = Clock::now();
    const PhiloxKey key{options_.seed, static_cast<uint32_t>(sample.idx), 0};
    sequences = generate::generate_from_embeddings(*models_.base, embeddings,
                                                   static_cast<int64_t>(pair.base_ids.size()), generation_, key);
    result.generation_seconds = seconds_since(generation_start);
  } catch (const NonFiniteValues& e) {
    // An error record, not "success" with token 0 sampled from NaNs; the eval loop stops
    // the run when this repeats (GenerationErrorStreak).
    result.status = sample_status::kErrorGeneration;
    result.error_message = e.what();
    result.finished_unix_ms = unix_ms_now();
    return result;
  }

  std::vector<Answer> answers;
  for (size_t s = 0; s < sequences.size(); ++s) {
    ResponseResult response;
    response.text = decode_response(*models_.base_tokenizer, sequences[s].tokens,
                                    models_.clean_up_tokenization_spaces);
    const Answer answer = extract_answer(options_.task, response.text);
    response.answer_json = answer.to_json();
    response.generated_tokens = static_cast<int32_t>(sequences[s].tokens.size());
    result.generated_tokens += response.generated_tokens;
    answers.push_back(answer);
    if (on_response) on_response(static_cast<int64_t>(s), response.text);
    result.responses.push_back(std::move(response));
  }
  const Answer voted = vote(answers);
  result.model_answer_json = voted.to_json();
  result.is_correct = !voted.is_none() && voted == sample.ground_truth;
  result.status = sample_status::kSuccess;
  result.finished_unix_ms = unix_ms_now();
  return result;
}

}  // namespace softcot
