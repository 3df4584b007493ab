#pragma once
// The SoftCoT pipeline for one sample, exactly as the reference runs it
// (../shared/docs/softcot-reference.md, section 2):
//
//   prompts -> assistant pass (final-norm hidden states at the N placeholders)
//           -> projection y = x W^T + b -> base embeddings with the N rows overwritten
//           -> sampled generation -> answer per response -> vote -> SampleResult
//
// N = 0 is the zero-shot baseline: no assistant pass, no projection, plain embeddings.
// The pipeline neither reads nor writes checkpoints; the eval loop does (data flows one way).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "generate/generate.h"
#include "io/torch_checkpoint.h"
#include "model/model.h"
#include "softcot/dataset.h"
#include "softcot/prompt_pair.h"
#include "softcot/run_options.h"
#include "softcot/sample_result.h"
#include "tokenizer/tokenizer.h"

namespace softcot {

struct PipelineModels {
  const tokenizer::Tokenizer* base_tokenizer = nullptr;
  const tokenizer::Tokenizer* assistant_tokenizer = nullptr;
  tokenizer::ChatTemplate base_chat_template;  // as each model directory ships it
  tokenizer::ChatTemplate assistant_chat_template;
  bool clean_up_tokenization_spaces = false;  // the base tokenizer_config.json's (decoding)
  model::Model* base = nullptr;
  model::Model* assistant = nullptr;           // unused when N = 0
  const io::Projection* projection = nullptr;  // unused when N = 0
};

// The decoding the reference uses: the base model's generation_config.json with
// do_sample forced on and temperature, top_p forced to 1.0; eos = the tokenizer's eos
// token (Llama adds <|eot_id|>); the run's max_new_tokens and num_return_sequences.
generate::GenerationParams reference_generation_params(const io::GenerationConfig& base_config,
                                                       const std::vector<int32_t>& eos_token_ids,
                                                       const RunOptions& options);

// The eos ids for `family`: tokenizer_config.json's eos_token (+ <|eot_id|> for Llama),
// else generation_config.json's list. Throws bad_input when neither names one.
std::vector<int32_t> reference_eos_token_ids(const std::string& tokenizer_config_json,
                                             const tokenizer::Tokenizer& tokenizer,
                                             const io::GenerationConfig& fallback,
                                             ModelFamily family);

// A response's text as the reference reads answers from it: decode(skip_special_tokens=True),
// then transformers' clean_up_tokenization when the tokenizer config asks for it.
std::string decode_response(const tokenizer::Tokenizer& tokenizer, std::span<const int32_t> tokens,
                            bool clean_up_tokenization_spaces);

// Checks the projection against the two models: in = assistant hidden, out = base hidden.
// Throws bad_input(file, "... [out, in] ... base H, assistant A") with the three numbers.
void check_projection_shape(const io::Projection& projection, int64_t assistant_hidden,
                            int64_t base_hidden);

// y[N, out] = x[N, in] W^T + b. A bf16 projection computes like torch's bf16 Linear:
// inputs rounded to bf16, f32 accumulation, outputs rounded to bf16.
std::vector<float> apply_projection(const io::Projection& projection, std::span<const float> x,
                                    int64_t rows);

// What the eval loop wants to show per response while it streams (may be null).
using ResponseObserver = std::function<void(int64_t sequence, const std::string& text)>;

class SoftCotPipeline {
 public:
  SoftCotPipeline(const RunOptions& options, PipelineModels models,
                  generate::GenerationParams generation);

  PromptPair prompts(const Sample& sample) const;

  // The base prompt's embeddings with the soft thoughts injected: [base_ids, hidden].
  // Exposed for the parity tests.
  std::vector<float> injected_embeddings(const PromptPair& prompts) const;
  // The assistant's final-norm hidden states at its placeholders: [N, assistant hidden].
  std::vector<float> assistant_hidden_states(const PromptPair& prompts) const;

  // Runs one sample. Throws Interrupted on a stop signal (nothing is returned, so nothing
  // half-done reaches the store), bad_input for a sample whose placeholders do not
  // line up.
  SampleResult run(const Sample& sample, const ResponseObserver& on_response = nullptr) const;

  const generate::GenerationParams& generation() const { return generation_; }
  const PipelineModels& models() const { return models_; }

 private:
  RunOptions options_;
  PipelineModels models_;
  generate::GenerationParams generation_;
};

}  // namespace softcot
