// The CPU twin of logits_penalty_topk_topp_sample_kernel (sampling.h has the contract):
// the same steps and the same serial float sums, so that both pick the same token.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/philox.h"
#include "sampling.h"

namespace softcot::cuda {

int32_t sample_token_reference(std::span<float> x, const SampleRow& row) {
  const int64_t vocab = static_cast<int64_t>(x.size());
  if (row.repetition_penalty != 1.0f) {
    std::vector<int32_t> seen;
    for (int t = 0; t < row.history_len; ++t) {
      const int32_t id = row.history[t];
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
      const float v = x[id];
      x[id] = v < 0.0f ? v * row.repetition_penalty : v / row.repetition_penalty;
    }
  }
  if (row.greedy) {
    return static_cast<int32_t>(std::max_element(x.begin(), x.end()) - x.begin());  // first max
  }
  if (row.temperature != 1.0f) {
    for (float& v : x) v = v / row.temperature;
  }
  int64_t k = row.top_k;
  if (k < 1 || k > vocab) k = vocab;
  k = std::min<int64_t>(k, kMaxSamplingCandidates);
  std::vector<int32_t> order(static_cast<size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  auto before = [&](int32_t a, int32_t b) { return x[a] > x[b] || (x[a] == x[b] && a < b); };
  std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
  const float kth = x[order[k - 1]];
  std::vector<int32_t> cand;
  for (int64_t i = 0; i < vocab; ++i) {
    if (x[i] >= kth) cand.push_back(static_cast<int32_t>(i));
  }
  std::sort(cand.begin(), cand.end(), before);
  if (cand.size() > static_cast<size_t>(kMaxSamplingCandidates)) cand.resize(kMaxSamplingCandidates);
  const int count = static_cast<int>(cand.size());
  std::vector<float> p(static_cast<size_t>(count));
  const float max_v = x[cand[0]];
  float total = 0.0f;
  for (int i = 0; i < count; ++i) {
    p[i] = std::exp(x[cand[i]] - max_v);
    total += p[i];
  }
  int kept = count;
  if (row.top_p < 1.0f) {
    float suffix = 0.0f;
    kept = 1;
    for (int i = count - 1; i >= 1; --i) {
      suffix += p[i] / total;
      if (suffix > 1.0f - row.top_p) {
        kept = i + 1;
        break;
      }
    }
  }
  float kept_total = 0.0f;
  for (int i = 0; i < kept; ++i) kept_total += p[i];
  const PhiloxKey key{row.seed, row.sample_index, row.sequence_index};
  const float target = Philox::uniform(key, row.step) * kept_total;
  float running = 0.0f;
  for (int i = 0; i < kept; ++i) {
    running += p[i];
    if (target < running) return cand[i];
  }
  return cand[kept - 1];
}

}  // namespace softcot::cuda
