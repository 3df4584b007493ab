// Logits processing + sampling on the GPU (the contract is in sampling.h).
//
// One block per row of logits. The vocabulary (151936 for Qwen2.5) is too large to sort
// per step, so top-k is found by a radix select on order-preserving 32-bit keys (four
// 8-bit histogram passes in shared memory), the survivors (>= the k-th key, ties kept)
// are gathered and bitonic-sorted in shared memory (ascending by (logit, id) for top-p,
// then by id for the draw), and one thread walks them for softmax, top-p and the
// inverse-CDF draw with the production CPU sampler's serial sums (generate::pick_token),
// so that both pick the same token from the same Philox u.
#include <climits>

#include "core/error.h"
#include "core/philox.h"
#include "cuda_check.h"
#include "device_common.cuh"
#include "sampling.h"

namespace softcot::cuda {

namespace {

constexpr int kThreads = 512;

__device__ __forceinline__ uint32_t order_key(float f) {
  const uint32_t u = __float_as_uint(f);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// The CPU's top-p order, std::stable_sort ascending by logit over ids in order:
// (value asc, id asc). true when a sorts before b.
struct ByValue {
  __device__ bool operator()(float va, int ia, float vb, int ib) const { return va < vb || (va == vb && ia < ib); }
};
struct ById {
  __device__ bool operator()(float, int ia, float, int ib) const { return ia < ib; }
};

// Bitonic sort of (val, id)[0, size) in shared memory, size a power of two, by `before`.
// All threads of the block call it.
template <typename Before>
__device__ void bitonic_sort(float* val, int* id, int size, Before before) {
  for (int kk = 2; kk <= size; kk <<= 1) {
    for (int j = kk >> 1; j > 0; j >>= 1) {
      for (int i = threadIdx.x; i < size; i += blockDim.x) {
        const int partner = i ^ j;
        if (partner > i) {
          const bool forward = (i & kk) == 0;
          const bool swap = forward ? before(val[partner], id[partner], val[i], id[i])
                                    : before(val[i], id[i], val[partner], id[partner]);
          if (swap) {
            const float tv = val[i]; val[i] = val[partner]; val[partner] = tv;
            const int ti = id[i]; id[i] = id[partner]; id[partner] = ti;
          }
        }
      }
      __syncthreads();
    }
  }
}

constexpr int kRemovedId = INT_MAX;  // a candidate top-p removed: sorts after every id

// Preconditions: blockDim.x == kThreads; 1 <= rows[r].top_k (clamped to the vocab and to
// kMaxSamplingCandidates); history ids < vocab; with append_to_history, history has room
// for one more id. Grid: one block per row.
__global__ void __launch_bounds__(kThreads)
    logits_penalty_topk_topp_sample_kernel(float* logits, const SampleRow* __restrict__ rows,
                                           int64_t vocab, int32_t* __restrict__ out_tokens) {
  __shared__ uint32_t hist[256];
  __shared__ float cand_val[kMaxSamplingCandidates];
  __shared__ int cand_id[kMaxSamplingCandidates];
  __shared__ uint32_t sel_prefix, sel_mask;
  __shared__ int sel_remaining, cand_count;
  __shared__ float red_val[32];
  __shared__ int red_id[32];

  const SampleRow row = rows[blockIdx.x];
  float* x = logits + static_cast<int64_t>(blockIdx.x) * vocab;
  const int tid = threadIdx.x;

  // 1. repetition penalty, each distinct id once (the first occurrence does it).
  if (row.repetition_penalty != 1.0f) {
    for (int t = tid; t < row.history_len; t += blockDim.x) {
      const int32_t id = row.history[t];
      bool first = true;
      for (int k = 0; k < t && first; ++k) first = row.history[k] != id;
      if (first) {
        const float v = x[id];
        x[id] = v < 0.0f ? v * row.repetition_penalty : v / row.repetition_penalty;
      }
    }
    __syncthreads();
  }

  // 2. greedy: argmax, lowest id on ties.
  if (row.greedy) {
    float best = -INFINITY;
    int best_id = INT_MAX;
    for (int64_t i = tid; i < vocab; i += blockDim.x) {
      const float v = x[i];
      if (v > best || (v == best && i < best_id)) { best = v; best_id = static_cast<int>(i); }
    }
    for (int o = 16; o > 0; o >>= 1) {
      const float ov = __shfl_xor_sync(0xffffffffu, best, o);
      const int oi = __shfl_xor_sync(0xffffffffu, best_id, o);
      if (ov > best || (ov == best && oi < best_id)) { best = ov; best_id = oi; }
    }
    if ((tid & 31) == 0) { red_val[tid >> 5] = best; red_id[tid >> 5] = best_id; }
    __syncthreads();
    if (tid == 0) {
      for (int w = 1; w < kThreads / 32; ++w) {
        if (red_val[w] > best || (red_val[w] == best && red_id[w] < best_id)) {
          best = red_val[w];
          best_id = red_id[w];
        }
      }
      out_tokens[blockIdx.x] = best_id;
      if (row.append_to_history) const_cast<int32_t*>(row.history)[row.history_len] = best_id;
    }
    return;
  }

  // 3a. temperature.
  if (row.temperature != 1.0f) {
    for (int64_t i = tid; i < vocab; i += blockDim.x) x[i] = x[i] / row.temperature;
    __syncthreads();
  }

  // 3b. top-k threshold: radix select of the k-th largest order key.
  int k = row.top_k;
  if (k < 1 || k > vocab) k = static_cast<int>(vocab);
  if (k > kMaxSamplingCandidates) k = kMaxSamplingCandidates;
  if (tid == 0) { sel_prefix = 0; sel_mask = 0; sel_remaining = k; cand_count = 0; }
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = tid; b < 256; b += blockDim.x) hist[b] = 0;
    __syncthreads();
    const uint32_t prefix = sel_prefix, mask = sel_mask;
    for (int64_t i = tid; i < vocab; i += blockDim.x) {
      const uint32_t key = order_key(x[i]);
      if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 255u], 1u);
    }
    __syncthreads();
    if (tid == 0) {
      int cum = 0;
      for (int d = 255; d >= 0; --d) {
        if (cum + static_cast<int>(hist[d]) >= sel_remaining) {
          sel_remaining -= cum;
          sel_prefix |= static_cast<uint32_t>(d) << shift;
          sel_mask |= 255u << shift;
          break;
        }
        cum += static_cast<int>(hist[d]);
      }
    }
    __syncthreads();
  }
  const uint32_t kth_key = sel_prefix;

  // 3c. gather the survivors (ties at the k-th value included, up to the cap).
  for (int64_t i = tid; i < vocab; i += blockDim.x) {
    const float v = x[i];
    if (order_key(v) >= kth_key) {
      const int slot = atomicAdd(&cand_count, 1);
      if (slot < kMaxSamplingCandidates) {
        cand_val[slot] = v;
        cand_id[slot] = static_cast<int>(i);
      }
    }
  }
  __syncthreads();
  const int count = min(cand_count, kMaxSamplingCandidates);
  int size = 1;
  while (size < count) size <<= 1;
  for (int i = count + tid; i < size; i += blockDim.x) {
    cand_val[i] = INFINITY;  // padding sorts after every candidate in both orders
    cand_id[i] = kRemovedId;
  }
  __syncthreads();

  // 3d. top-p, as apply_top_p: ascending (logit, id); removed tokens get kRemovedId.
  if (row.top_p < 1.0f) {
    bitonic_sort(cand_val, cand_id, size, ByValue{});
    if (tid == 0) {
      const float max_v = cand_val[count - 1];
      float total = 0.0f;  // softmax(): f32, in this order (removed tokens add 0 there)
      for (int i = 0; i < count; ++i) total += expf(cand_val[i] - max_v);
      const float inv_total = 1.0f / total;
      const float threshold = static_cast<float>(1.0 - static_cast<double>(row.top_p));
      double cumulative = 0.0;  // torch's CPU cumsum: f64 accumulation of f32 values
      for (int i = 0; i + 1 < count; ++i) {  // the most likely token always stays
        cumulative += static_cast<double>(expf(cand_val[i] - max_v) * inv_total);
        if (static_cast<float>(cumulative) <= threshold) cand_id[i] = kRemovedId;
      }
    }
    __syncthreads();
  }

  // 4. sample_inverse_cdf: the survivors in id order, f64 weights and sums.
  bitonic_sort(cand_val, cand_id, size, ById{});
  if (tid == 0) {
    int kept = 0;
    float max_v = -INFINITY;
    while (kept < count && cand_id[kept] != kRemovedId) max_v = fmaxf(max_v, cand_val[kept++]);
    double total = 0.0;
    int pick = cand_id[0];
    for (int i = 0; i < kept; ++i) {
      const double w = exp(static_cast<double>(cand_val[i]) - static_cast<double>(max_v));
      total += w;
      if (w > 0.0) pick = cand_id[i];  // the last kept id: reached only through rounding
    }
    const PhiloxKey key{row.seed, row.sample_index, row.sequence_index};
    const double target = static_cast<double>(Philox::uniform(key, row.step)) * total;
    double cumulative = 0.0;
    for (int i = 0; i < kept; ++i) {
      const double w = exp(static_cast<double>(cand_val[i]) - static_cast<double>(max_v));
      if (w == 0.0) continue;
      cumulative += w;
      if (cumulative > target) { pick = cand_id[i]; break; }
    }
    out_tokens[blockIdx.x] = pick;
    if (row.append_to_history) const_cast<int32_t*>(row.history)[row.history_len] = pick;
  }
}

}  // namespace

void launch_sample_tokens(float* logits, const SampleRow* rows, int64_t n_rows, int64_t vocab,
                          int32_t* out_tokens, cudaStream_t stream) {
  if (n_rows <= 0) return;
  logits_penalty_topk_topp_sample_kernel<<<static_cast<unsigned>(n_rows), kThreads, 0, stream>>>(
      logits, rows, vocab, out_tokens);
  CUDA_CHECK_LAUNCH("logits_penalty_topk_topp_sample_kernel");
}

}  // namespace softcot::cuda
