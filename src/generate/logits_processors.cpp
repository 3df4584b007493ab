#include "generate/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace softcot::generate {

namespace {
constexpr float kRemoved = -std::numeric_limits<float>::infinity();
}

void apply_repetition_penalty(std::span<float> logits, std::span<const int32_t> seen,
                              float penalty) {
  // HF gathers every seen token's score first and scatters the results back, so a token
  // seen twice is penalised once: mark first, then change each marked token once.
  std::vector<int32_t> unique(seen.begin(), seen.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  for (int32_t token : unique) {
    if (token < 0 || static_cast<size_t>(token) >= logits.size()) continue;
    float& score = logits[token];
    score = score < 0 ? score * penalty : score / penalty;
  }
}

void apply_temperature(std::span<float> logits, float temperature) {
  for (float& x : logits) x = x / temperature;
}

void apply_top_k(std::span<float> logits, int64_t top_k) {
  const size_t k = static_cast<size_t>(std::min<int64_t>(std::max<int64_t>(top_k, 1),
                                                         static_cast<int64_t>(logits.size())));
  std::vector<float> sorted(logits.begin(), logits.end());
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k - 1),
                   sorted.end(), std::greater<float>());
  const float threshold = sorted[k - 1];
  for (float& x : logits) {
    if (x < threshold) x = kRemoved;
  }
}

void apply_top_p(std::span<float> logits, float top_p) {
  const size_t n = logits.size();
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return logits[a] < logits[b]; });
  std::vector<float> sorted(n), probs(n);
  for (size_t i = 0; i < n; ++i) sorted[i] = logits[order[i]];
  softmax(sorted, probs);
  // torch's CPU cumsum of float accumulates in double and rounds each prefix to float;
  // the threshold 1 - top_p is a Python double compared against float values.
  const float threshold = static_cast<float>(1.0 - static_cast<double>(top_p));
  double cumulative = 0.0;
  for (size_t i = 0; i + 1 < n; ++i) {  // the last (most likely) token always stays
    cumulative += probs[i];
    if (static_cast<float>(cumulative) <= threshold) logits[order[i]] = kRemoved;
  }
}

void process_logits(std::span<float> logits, std::span<const int32_t> seen,
                    const SamplingParams& params) {
  if (params.repetition_penalty != 1.0f) apply_repetition_penalty(logits, seen, params.repetition_penalty);
  if (!params.do_sample) return;
  if (params.temperature != 1.0f) apply_temperature(logits, params.temperature);
  if (params.top_k != 0) apply_top_k(logits, params.top_k);
  if (params.top_p < 1.0f) apply_top_p(logits, params.top_p);
}

int32_t argmax(std::span<const float> logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

void softmax(std::span<const float> logits, std::span<float> probs) {
  const float max_logit = *std::max_element(logits.begin(), logits.end());
  float total = 0.0f;
  for (size_t i = 0; i < logits.size(); ++i) {
    probs[i] = logits[i] == kRemoved ? 0.0f : std::exp(logits[i] - max_logit);
    total += probs[i];
  }
  const float inv_total = 1.0f / total;
  for (float& p : probs) p *= inv_total;
}

int32_t sample_inverse_cdf(std::span<const float> processed_logits, float u) {
  const float max_logit = *std::max_element(processed_logits.begin(), processed_logits.end());
  std::vector<double> weights(processed_logits.size());
  double total = 0.0;
  int32_t last_kept = argmax(processed_logits);
  for (size_t i = 0; i < processed_logits.size(); ++i) {
    const float x = processed_logits[i];
    weights[i] = x == kRemoved ? 0.0 : std::exp(static_cast<double>(x) - max_logit);
    total += weights[i];
    if (weights[i] > 0.0) last_kept = static_cast<int32_t>(i);
  }
  const double target = static_cast<double>(u) * total;
  double cumulative = 0.0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0.0) continue;
    cumulative += weights[i];
    if (cumulative > target) return static_cast<int32_t>(i);
  }
  return last_kept;  // only reachable through rounding when u is close to 1
}

int32_t pick_token(std::span<float> logits, std::span<const int32_t> seen, const SamplingParams& params,
                   float u) {
  process_logits(logits, seen, params);
  return params.do_sample ? sample_inverse_cdf(logits, u) : argmax(logits);
}

}  // namespace softcot::generate
