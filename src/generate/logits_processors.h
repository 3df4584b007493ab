#pragma once
// HF transformers' logits processors, one row of logits at a time, with HF's semantics
// and in HF's order (GenerationMixin._get_logits_processor): repetition penalty, then,
// when sampling, temperature, top-k, top-p. Removed tokens become -inf, as HF's
// filter_value. min_tokens_to_keep is 1 throughout.
#include <cstdint>
#include <span>

namespace softcot::generate {

// Bump when the sampler's arithmetic changes (what a given u picks): it is part of the
// run fingerprint, so a resume never mixes two samplers' draws. The CUDA sampler
// (kernels/sampling.cu) is this sampler's twin and carries the same version.
inline constexpr const char* kSamplerNumericsVersion = "inverse-cdf-id-order-f64.1";

struct SamplingParams {
  bool do_sample = false;  // false: greedy (argmax after the repetition penalty)
  float temperature = 1.0f;
  int64_t top_k = 0;       // 0: off
  float top_p = 1.0f;      // 1: off
  float repetition_penalty = 1.0f;  // 1: off
};

// RepetitionPenaltyLogitsProcessor: every token in `seen` (repeats count once) has its
// logit divided by `penalty` when positive, multiplied when negative.
void apply_repetition_penalty(std::span<float> logits, std::span<const int32_t> seen, float penalty);
// TemperatureLogitsWarper: logits / temperature.
void apply_temperature(std::span<float> logits, float temperature);
// TopKLogitsWarper: removes logits below the k-th largest (ties with it stay).
void apply_top_k(std::span<float> logits, int64_t top_k);
// TopPLogitsWarper: sorts ascending, removes tokens whose cumulative probability is
// <= 1 - top_p, always keeps the most likely token.
void apply_top_p(std::span<float> logits, float top_p);

// All of the above that `params` turns on, in HF's order.
void process_logits(std::span<float> logits, std::span<const int32_t> seen,
                    const SamplingParams& params);

// The first index of the largest logit, as torch.argmax.
int32_t argmax(std::span<const float> logits);

// softmax(logits) in f32, -inf -> 0.
void softmax(std::span<const float> logits, std::span<float> probs);

// Inverse CDF: the first token, in id order, whose cumulative probability exceeds
// u * total. `u` in [0, 1); tokens at -inf are never chosen.
int32_t sample_inverse_cdf(std::span<const float> processed_logits, float u);

// The sampler, one row: process_logits (logits modified in place), then argmax (greedy)
// or the inverse CDF at `u`. The one CPU definition: the generation loop calls it, and the
// CUDA sampler (kernels/sampling.cu) is tested against it on the same draws.
int32_t pick_token(std::span<float> logits, std::span<const int32_t> seen, const SamplingParams& params, float u);

}  // namespace softcot::generate
