// Causal grouped-query attention over the KV cache: one kernel for prefill (tiled,
// causal) and decode (split over the sequence, flash-decoding style), and a combine
// kernel for the splits.
//
// Work unit: a block takes up to 32 "rows" that share one key/value head, where a row
// is (new query position i, query head g of the group). GQA-aware: a K/V tile loaded
// into shared memory once serves every query head of its group (7 for Qwen2.5-0.5B,
// 6 for 1.5B), which is what matters for decode, where K/V reads are the cost.
// Each warp owns 8 rows (round-robin, so a 7-row decode group spreads over the warps);
// a lane owns one key of the 32-key tile for the scores and head_dim/32 output dims for
// the weighted sum; softmax is online (running max and sum per row), all in f32 as the
// CPU twin. K rows in shared memory are padded by one float so that the lane-per-key
// dot products hit 32 different banks.
//
// Prefill: grid.z = sequences, one split. Decode: grid.z = sequences * splits; each split
// covers a contiguous key chunk and writes (max, sum, acc) partials, which
// attention_combine_splits_kernel merges. Variable-length batches (continuous batching)
// come in as an AttnSeq array: each sequence its own new rows, start and cache slot.
#include <algorithm>
#include <mutex>

#include "core/error.h"
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

constexpr int kWarps = 4;
constexpr int kRowsPerBlock = 32;
constexpr int kRowsPerWarp = kRowsPerBlock / kWarps;
constexpr int kKeyTile = 32;

size_t attention_smem_bytes(int64_t head_dim) {
  return static_cast<size_t>(kRowsPerBlock * head_dim + kKeyTile * (head_dim + 1) +
                             kKeyTile * head_dim) * sizeof(float);
}

// Preconditions: head_dim <= 32 * kDimsPerLane; blockDim.x == 32 * kWarps; dynamic shared
// memory == attention_smem_bytes(head_dim); every sequence's cache holds rows
// 0 .. start+n-1 of its slot; q rows of all sequences lie in [0, total_rows).
// Grid: (row tiles of the longest sequence, kv_heads, sequences * splits).
template <int kDimsPerLane>
__global__ void __launch_bounds__(32 * kWarps)
    attention_causal_gqa_tiled_kernel(const float* __restrict__ q, const float* __restrict__ k_base,
                                      const float* __restrict__ v_base, int64_t slot_stride,
                                      const AttnSeq* __restrict__ seqs, int64_t total_rows,
                                      int heads, int kv_heads, int head_dim, int splits,
                                      float* __restrict__ partial, float* __restrict__ out) {
  extern __shared__ float smem[];
  float* q_tile = smem;                                   // [32 rows, head_dim]
  float* k_tile = q_tile + kRowsPerBlock * head_dim;      // [32 keys, head_dim + 1]
  float* v_tile = k_tile + kKeyTile * (head_dim + 1);     // [32 keys, head_dim]

  const int seq_index = blockIdx.z / splits, split = blockIdx.z % splits;
  const AttnSeq s = seqs[seq_index];
  const int group = heads / kv_heads;
  const int kvh = blockIdx.y;
  const int rows = s.n * group;
  const int row0 = blockIdx.x * kRowsPerBlock;
  if (row0 >= rows) return;
  const int row_end = min(rows, row0 + kRowsPerBlock);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t kv_stride = static_cast<int64_t>(kv_heads) * head_dim;
  const float* k_seq = k_base + s.slot * slot_stride + kvh * head_dim;
  const float* v_seq = v_base + s.slot * slot_stride + kvh * head_dim;
  const float scale = 1.0f / sqrtf(static_cast<float>(head_dim));

  // This block's key range: causal limit of its last row, cut to its split's chunk.
  const int block_key_end = s.start + (row_end - 1) / group + 1;
  int key_lo = 0, key_hi = block_key_end;
  if (splits > 1) {
    const int total_keys = s.start + s.n;
    const int chunk = ((total_keys + splits - 1) / splits + kKeyTile - 1) / kKeyTile * kKeyTile;
    key_lo = split * chunk;
    key_hi = min(block_key_end, key_lo + chunk);
  }

  for (int idx = threadIdx.x; idx < kRowsPerBlock * head_dim; idx += blockDim.x) {
    const int r = row0 + idx / head_dim, d = idx % head_dim;
    float value = 0.0f;
    if (r < row_end) {
      const int i = r / group, h = kvh * group + r % group;
      value = q[(static_cast<int64_t>(s.q_row0 + i) * heads + h) * head_dim + d];
    }
    q_tile[idx] = value;
  }

  float m[kRowsPerWarp], l[kRowsPerWarp], acc[kRowsPerWarp][kDimsPerLane];
#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; ++rr) {
    m[rr] = -INFINITY;
    l[rr] = 0.0f;
#pragma unroll
    for (int e = 0; e < kDimsPerLane; ++e) acc[rr][e] = 0.0f;
  }

  for (int tile = key_lo; tile < key_hi; tile += kKeyTile) {
    __syncthreads();  // the previous tile is consumed (and q_tile written, the first time)
    for (int idx = threadIdx.x; idx < kKeyTile * head_dim; idx += blockDim.x) {
      const int j = idx / head_dim, d = idx % head_dim;
      const int key = tile + j;
      float kv = 0.0f, vv = 0.0f;
      if (key < key_hi) {
        kv = k_seq[key * kv_stride + d];
        vv = v_seq[key * kv_stride + d];
      }
      k_tile[j * (head_dim + 1) + d] = kv;
      v_tile[j * head_dim + d] = vv;
    }
    __syncthreads();
#pragma unroll
    for (int rr = 0; rr < kRowsPerWarp; ++rr) {
      const int r = row0 + warp + rr * kWarps;
      if (r >= row_end) continue;  // warp-uniform
      const int position = s.start + r / group;
      const int key = tile + lane;
      const bool visible = key < key_hi && key <= position;
      float score = -INFINITY;
      if (visible) {
        const float* qr = q_tile + (r - row0) * head_dim;
        const float* kr = k_tile + lane * (head_dim + 1);
        float dot = 0.0f;
        for (int d = 0; d < head_dim; ++d) dot += qr[d] * kr[d];
        score = dot * scale;
      }
      const float tile_max = warp_max(score);
      if (tile_max == -INFINITY) continue;  // every key of this tile is in this row's future
      const float m_new = fmaxf(m[rr], tile_max);
      const float alpha = m[rr] == -INFINITY ? 0.0f : expf(m[rr] - m_new);
      const float p = visible ? expf(score - m_new) : 0.0f;
      l[rr] = l[rr] * alpha + warp_sum(p);
      m[rr] = m_new;
#pragma unroll
      for (int e = 0; e < kDimsPerLane; ++e) acc[rr][e] *= alpha;
      for (int j = 0; j < kKeyTile; ++j) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
        for (int e = 0; e < kDimsPerLane; ++e) {
          const int d = lane + 32 * e;
          if (d < head_dim) acc[rr][e] += pj * v_tile[j * head_dim + d];
        }
      }
    }
  }

#pragma unroll
  for (int rr = 0; rr < kRowsPerWarp; ++rr) {
    const int r = row0 + warp + rr * kWarps;
    if (r >= row_end) continue;
    const int i = r / group, h = kvh * group + r % group;
    const int64_t qrow = s.q_row0 + i;
    if (splits == 1) {
      const float inv = 1.0f / l[rr];
#pragma unroll
      for (int e = 0; e < kDimsPerLane; ++e) {
        const int d = lane + 32 * e;
        if (d < head_dim) out[(qrow * heads + h) * head_dim + d] = acc[rr][e] * inv;
      }
    } else {
      // partial: [splits, total_rows, heads, head_dim + 2] = (acc..., max, sum)
      float* dst = partial + ((static_cast<int64_t>(split) * total_rows + qrow) * heads + h) *
                                 (head_dim + 2);
#pragma unroll
      for (int e = 0; e < kDimsPerLane; ++e) {
        const int d = lane + 32 * e;
        if (d < head_dim) dst[d] = acc[rr][e];
      }
      if (lane == 0) {
        dst[head_dim] = m[rr];
        dst[head_dim + 1] = l[rr];
      }
    }
  }
  // Rows of this block with no key in this split write nothing in the loop above only if
  // r >= row_end; rows inside keep m = -inf, l = 0, which the combine weighs as zero.
}

// Preconditions: partial written for every (split, row, head) by the kernel above (a
// split whose block returned early -- row beyond its sequence -- is never read, since
// every row belongs to exactly one sequence). One warp per (row, head).
__global__ void attention_combine_splits_kernel(const float* __restrict__ partial, int64_t total_rows,
                                                int heads, int head_dim, int splits,
                                                float* __restrict__ out) {
  const int64_t pair = blockIdx.x * static_cast<int64_t>(blockDim.x / 32) + (threadIdx.x >> 5);
  if (pair >= total_rows * heads) return;
  const int lane = threadIdx.x & 31;
  const int64_t stride = total_rows * heads * (head_dim + 2);
  const float* base = partial + pair * (head_dim + 2);
  float global_max = -INFINITY;
  for (int sp = 0; sp < splits; ++sp) global_max = fmaxf(global_max, base[sp * stride + head_dim]);
  float total = 0.0f;
  for (int sp = 0; sp < splits; ++sp) {
    const float ms = base[sp * stride + head_dim];
    if (ms != -INFINITY) total += base[sp * stride + head_dim + 1] * expf(ms - global_max);
  }
  const float inv = 1.0f / total;
  for (int d = lane; d < head_dim; d += 32) {
    float sum = 0.0f;
    for (int sp = 0; sp < splits; ++sp) {
      const float ms = base[sp * stride + head_dim];
      if (ms != -INFINITY) sum += base[sp * stride + d] * expf(ms - global_max);
    }
    out[pair * head_dim + d] = sum * inv;
  }
}

template <int kDimsPerLane>
void launch_tiled(dim3 grid, size_t smem, cudaStream_t stream, const float* q, const float* k_base,
                  const float* v_base, int64_t slot_stride, const AttnSeq* seqs, int64_t total_rows,
                  int heads, int kv_heads, int head_dim, int splits, float* partial, float* out) {
  static std::once_flag raised;
  std::call_once(raised, [] {
    CUDA_CHECK("attention_causal_gqa_tiled_kernel (shared memory limit)",
               cudaFuncSetAttribute(attention_causal_gqa_tiled_kernel<kDimsPerLane>,
                                    cudaFuncAttributeMaxDynamicSharedMemorySize,
                                    static_cast<int>(attention_smem_bytes(32 * kDimsPerLane))));
  });
  attention_causal_gqa_tiled_kernel<kDimsPerLane><<<grid, 32 * kWarps, smem, stream>>>(
      q, k_base, v_base, slot_stride, seqs, total_rows, heads, kv_heads, head_dim, splits, partial,
      out);
  CUDA_CHECK_LAUNCH("attention_causal_gqa_tiled_kernel");
}

}  // namespace

int64_t attention_scratch_floats(int64_t total_rows, int64_t heads, int64_t head_dim, int splits) {
  return splits > 1 ? static_cast<int64_t>(splits) * total_rows * heads * (head_dim + 2) : 0;
}

int attention_splits(int64_t seqs, int64_t max_rows, int64_t max_keys, int64_t kv_heads,
                     int64_t group, int sm_count) {
  if (max_rows > 4) return 1;  // prefill-shaped: enough blocks already, no combine pass
  const int64_t tiles = (max_rows * group + kRowsPerBlock - 1) / kRowsPerBlock;
  const int64_t blocks = std::max<int64_t>(1, seqs * kv_heads * tiles);
  const int64_t want = (2LL * sm_count + blocks - 1) / blocks;
  const int64_t by_keys = std::max<int64_t>(1, max_keys / 128);  // >= 128 keys per split
  return static_cast<int>(std::clamp<int64_t>(std::min(want, by_keys), 1, 64));
}

void launch_attention(const float* q, const float* k_base, const float* v_base, int64_t slot_stride,
                      const AttnSeq* seqs, int64_t n_seqs, int64_t max_rows, int64_t total_rows,
                      int64_t heads, int64_t kv_heads, int64_t head_dim, int splits, float* scratch,
                      float* out, cudaStream_t stream) {
  if (n_seqs <= 0 || total_rows <= 0) return;
  if (head_dim > 128 || head_dim % 2 != 0) {
    throw failure("attention", "the CUDA attention supports even head_dim <= 128, not " +
                                   std::to_string(head_dim));
  }
  const int64_t group = heads / kv_heads;
  const dim3 grid(static_cast<unsigned>((max_rows * group + kRowsPerBlock - 1) / kRowsPerBlock),
                  static_cast<unsigned>(kv_heads), static_cast<unsigned>(n_seqs * splits));
  const size_t smem = attention_smem_bytes(head_dim);
  float* target = splits > 1 ? nullptr : out;
  const int h = static_cast<int>(heads), kvh = static_cast<int>(kv_heads), hd = static_cast<int>(head_dim);
  if (head_dim <= 32) {
    launch_tiled<1>(grid, smem, stream, q, k_base, v_base, slot_stride, seqs, total_rows, h, kvh, hd, splits, scratch, target);
  } else if (head_dim <= 64) {
    launch_tiled<2>(grid, smem, stream, q, k_base, v_base, slot_stride, seqs, total_rows, h, kvh, hd, splits, scratch, target);
  } else {
    launch_tiled<4>(grid, smem, stream, q, k_base, v_base, slot_stride, seqs, total_rows, h, kvh, hd, splits, scratch, target);
  }
  if (splits > 1) {
    const int64_t pairs = total_rows * heads;
    attention_combine_splits_kernel<<<grid_for(pairs, 4), 128, 0, stream>>>(scratch, total_rows, h, hd,
                                                                            splits, out);
    CUDA_CHECK_LAUNCH("attention_combine_splits_kernel");
  }
}

}  // namespace softcot::cuda
