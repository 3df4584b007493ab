#include "generate/generate.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/non_finite.h"

namespace softcot::generate {

GenerationParams params_from_config(const io::GenerationConfig& config) {
  GenerationParams params;
  params.sampling.do_sample = config.do_sample;
  params.sampling.temperature = static_cast<float>(config.temperature);
  params.sampling.top_k = config.top_k;
  params.sampling.top_p = static_cast<float>(config.top_p);
  params.sampling.repetition_penalty = static_cast<float>(config.repetition_penalty);
  params.eos_token_ids = config.eos_token_ids;
  return params;
}

namespace {

struct Running {
  model::KvCache cache;
  std::vector<int32_t> seen;  // what the repetition penalty looks at
  GeneratedSequence out;
  bool done = false;
};

// The model directory, for errors about what it computed.
std::string model_name(const model::Model& model) {
  return std::filesystem::path(model.config().source_path).parent_path().string();
}

// Chooses one token from a row of logits (modified in place) and records it. Non-finite
// logits throw NonFiniteValues, as HF's sampler raises on such probabilities.
void choose(Running& seq, std::span<float> logits, const GenerationParams& params,
            const PhiloxKey& key, uint32_t step, int64_t index, const TokenCallback* on_token,
            const model::Model& model) {
  check_finite(logits, model_name(model), "the base model's logits", step);
  const int32_t token = pick_token(logits, seq.seen, params.sampling, Philox::uniform(key, step));
  seq.out.tokens.push_back(token);
  seq.seen.push_back(token);
  if (std::find(params.eos_token_ids.begin(), params.eos_token_ids.end(), token) !=
      params.eos_token_ids.end()) {
    seq.out.ended_with_eos = true;
    seq.done = true;
  }
  if (static_cast<int64_t>(seq.out.tokens.size()) >= params.max_new_tokens) seq.done = true;
  if (on_token != nullptr) (*on_token)(index, token);
}

std::vector<GeneratedSequence> run(model::Model& model, std::span<const float> prompt_embeddings,
                                   int64_t n_prompt, std::span<const int32_t> prompt_seen,
                                   const GenerationParams& params, PhiloxKey key,
                                   const TokenCallback* on_token) {
  if (params.max_new_tokens <= 0 || params.num_return_sequences <= 0) return {};
  const int64_t vocab = model.config().vocab_size;
  const int64_t last = n_prompt - 1;

  // The prompt is the same for every sequence: prefill once, then copy the cache.
  model::KvCache prompt_cache = model.new_cache(n_prompt + params.max_new_tokens);
  const std::vector<float> prompt_logits =
      model.prefill(prompt_cache, prompt_embeddings, std::span(&last, 1), {}).logits;

  std::vector<Running> seqs;
  for (int64_t s = 0; s < params.num_return_sequences; ++s) {
    seqs.push_back(Running{s + 1 == params.num_return_sequences ? std::move(prompt_cache)
                                                                : prompt_cache.clone(),
                           std::vector<int32_t>(prompt_seen.begin(), prompt_seen.end()), {}});
  }
  std::vector<float> row(static_cast<size_t>(vocab));
  for (int64_t s = 0; s < params.num_return_sequences; ++s) {
    std::copy(prompt_logits.begin(), prompt_logits.end(), row.begin());
    PhiloxKey k = key;
    k.sequence_index = static_cast<uint32_t>(s);
    choose(seqs[s], row, params, k, 0, s, on_token, model);
  }

  const int64_t zero = 0;
  for (uint32_t step = 1;; ++step) {
    throw_if_stop_requested();
    heartbeat();
    std::vector<int64_t> active;
    std::vector<std::vector<float>> embeddings;
    std::vector<model::SequenceStep> batch;
    for (int64_t s = 0; s < params.num_return_sequences; ++s) {
      if (seqs[s].done) continue;
      active.push_back(s);
      embeddings.push_back(model.embed(std::span(&seqs[s].out.tokens.back(), 1)));
    }
    if (active.empty()) break;
    for (size_t i = 0; i < active.size(); ++i) {
      batch.push_back({&seqs[active[i]].cache, embeddings[i], std::span(&zero, 1), {}});
    }
    std::vector<model::StepResult> results = model.forward(batch);
    for (size_t i = 0; i < active.size(); ++i) {
      PhiloxKey k = key;
      k.sequence_index = static_cast<uint32_t>(active[i]);
      choose(seqs[active[i]], results[i].logits, params, k, step, active[i], on_token, model);
    }
  }
  std::vector<GeneratedSequence> out;
  for (Running& seq : seqs) out.push_back(std::move(seq.out));
  return out;
}

}  // namespace

std::vector<GeneratedSequence> generate_from_embeddings(model::Model& model,
                                                        std::span<const float> prompt_embeddings,
                                                        int64_t n_prompt,
                                                        const GenerationParams& params,
                                                        PhiloxKey key,
                                                        const TokenCallback* on_token) {
  if (n_prompt <= 0 ||
      static_cast<int64_t>(prompt_embeddings.size()) != n_prompt * model.config().hidden_size) {
    throw failure("generate", "prompt embeddings must be n_prompt rows of hidden_size");
  }
  return run(model, prompt_embeddings, n_prompt, {}, params, key, on_token);
}

std::vector<GeneratedSequence> generate_from_ids(model::Model& model,
                                                 std::span<const int32_t> prompt_ids,
                                                 const GenerationParams& params, PhiloxKey key,
                                                 const TokenCallback* on_token) {
  if (prompt_ids.empty()) throw failure("generate", "empty prompt");
  const std::vector<float> embeddings = model.embed(prompt_ids);
  return run(model, embeddings, static_cast<int64_t>(prompt_ids.size()), prompt_ids, params, key,
             on_token);
}

}  // namespace softcot::generate
