// Logits processing + sampling on the GPU (the contract is in sampling.h).
//
// One block per row of logits. The vocabulary (151936 for Qwen2.5) is too large to sort
// per step, so top-k is found by a radix select on order-preserving 32-bit keys (four
// 8-bit histogram passes in shared memory), the survivors (>= the k-th key, ties kept)
// are gathered and bitonic-sorted in shared memory, and one thread walks them in order
// for softmax, top-p and the inverse-CDF draw, the same serial float sums as the CPU
// twin (sampling_reference.cpp) so that both pick the same token from the same Philox u.
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

// (value desc, id asc): true when a sorts before b.
__device__ __forceinline__ bool before(float va, int ia, float vb, int ib) {
  return va > vb || (va == vb && ia < ib);
}

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
    cand_val[i] = -INFINITY;
    cand_id[i] = INT_MAX;
  }
  __syncthreads();

  // 3d. bitonic sort by (value desc, id asc).
  for (int kk = 2; kk <= size; kk <<= 1) {
    for (int j = kk >> 1; j > 0; j >>= 1) {
      for (int i = tid; i < size; i += blockDim.x) {
        const int partner = i ^ j;
        if (partner > i) {
          const bool ascending_block = (i & kk) == 0;  // "ascending" = our sort order
          const bool swap = ascending_block
                                ? before(cand_val[partner], cand_id[partner], cand_val[i], cand_id[i])
                                : before(cand_val[i], cand_id[i], cand_val[partner], cand_id[partner]);
          if (swap) {
            const float tv = cand_val[i]; cand_val[i] = cand_val[partner]; cand_val[partner] = tv;
            const int ti = cand_id[i]; cand_id[i] = cand_id[partner]; cand_id[partner] = ti;
          }
        }
      }
      __syncthreads();
    }
  }

  // 3e/4. softmax, top-p, inverse-CDF draw: serial, in the CPU twin's order.
  if (tid == 0) {
    const float max_v = cand_val[0];
    float total = 0.0f;
    for (int i = 0; i < count; ++i) {
      cand_val[i] = expf(cand_val[i] - max_v);  // now unnormalised probabilities
      total += cand_val[i];
    }
    int kept = count;
    if (row.top_p < 1.0f) {
      float suffix = 0.0f;
      kept = 1;
      for (int i = count - 1; i >= 1; --i) {
        suffix += cand_val[i] / total;
        if (suffix > 1.0f - row.top_p) { kept = i + 1; break; }
      }
    }
    float kept_total = 0.0f;
    for (int i = 0; i < kept; ++i) kept_total += cand_val[i];
    const PhiloxKey key{row.seed, row.sample_index, row.sequence_index};
    const float target = Philox::uniform(key, row.step) * kept_total;
    int pick = cand_id[kept - 1];
    float running = 0.0f;
    for (int i = 0; i < kept; ++i) {
      running += cand_val[i];
      if (target < running) { pick = cand_id[i]; break; }
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
