#pragma once
// Generation with HF semantics: prefill the prompt once, then decode every return
// sequence step by step (one batched forward per step), choosing each token from the
// processed logits: argmax when not sampling, else inverse CDF at a Philox uniform keyed
// by (seed, sample index, sequence index, step) -- so a sequence's tokens depend on
// nothing that ran before it, and a restarted sample draws the same numbers.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/philox.h"
#include "generate/logits_processors.h"
#include "io/model_config.h"
#include "model/model.h"

namespace softcot::generate {

struct GenerationParams {
  SamplingParams sampling;
  int64_t max_new_tokens = 256;
  int64_t num_return_sequences = 1;
  std::vector<int32_t> eos_token_ids;  // a sequence stops after emitting any of them
};

// The model's generation_config.json as HF reads it (do_sample, temperature, top_p,
// top_k, repetition_penalty, eos ids); max_new_tokens and num_return_sequences stay.
GenerationParams params_from_config(const io::GenerationConfig& config);

struct GeneratedSequence {
  std::vector<int32_t> tokens;  // new tokens only, the eos token included when it came
  bool ended_with_eos = false;
};

// Called as each token is chosen (streaming); sequence is 0 .. num_return_sequences-1.
using TokenCallback = std::function<void(int64_t sequence, int32_t token)>;

// From embeddings (the SoftCoT path): the repetition penalty sees generated tokens only,
// as HF's generate(inputs_embeds=...) does. `key.sequence_index` is set per sequence.
std::vector<GeneratedSequence> generate_from_embeddings(model::Model& model,
                                                        std::span<const float> prompt_embeddings,
                                                        int64_t n_prompt,
                                                        const GenerationParams& params,
                                                        PhiloxKey key,
                                                        const TokenCallback* on_token = nullptr);

// From token ids: the repetition penalty sees the prompt too.
std::vector<GeneratedSequence> generate_from_ids(model::Model& model,
                                                 std::span<const int32_t> prompt_ids,
                                                 const GenerationParams& params, PhiloxKey key,
                                                 const TokenCallback* on_token = nullptr);

}  // namespace softcot::generate
