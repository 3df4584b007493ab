// Causal grouped-query attention over the KV cache, one (query row, head) per task.
// Scores, softmax and the weighted sum are f32, as HF's sdpa/eager paths are in f32.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "model/cpu_kernels.h"

namespace softcot::model::cpu {

void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int64_t n,
               int64_t start, int64_t heads, int64_t kv_heads, int64_t head_dim) {
  const int64_t group = heads / kv_heads;  // query heads sharing one key/value head
  const int64_t kv_stride = kv_heads * head_dim;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  ThreadPool::instance().parallel_for(n * heads, 1, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> scores;
    for (int64_t task = begin; task < end; ++task) {
      const int64_t i = task / heads;
      const int64_t h = task % heads;
      const int64_t kvh = h / group;
      const int64_t visible = start + i + 1;  // causal: keys 0 .. start+i
      const float* qi = q + (i * heads + h) * head_dim;
      scores.resize(static_cast<size_t>(visible));
      float max_score = -INFINITY;
      for (int64_t j = 0; j < visible; ++j) {
        const float* kj = k_cache + j * kv_stride + kvh * head_dim;
        float dot = 0.0f;
        for (int64_t d = 0; d < head_dim; ++d) dot += qi[d] * kj[d];
        scores[j] = dot * scale;
        max_score = std::max(max_score, scores[j]);
      }
      float total = 0.0f;
      for (int64_t j = 0; j < visible; ++j) {
        scores[j] = std::exp(scores[j] - max_score);
        total += scores[j];
      }
      const float inv_total = 1.0f / total;
      float* oi = out + (i * heads + h) * head_dim;
      std::fill(oi, oi + head_dim, 0.0f);
      for (int64_t j = 0; j < visible; ++j) {
        const float p = scores[j] * inv_total;
        const float* vj = v_cache + j * kv_stride + kvh * head_dim;
        for (int64_t d = 0; d < head_dim; ++d) oi[d] += p * vj[d];
      }
    }
  });
}

}  // namespace softcot::model::cpu
