// NEOX rotary embeddings, and the fused attention prologue: q/k/v bias + RoPE + KV-cache
// write.
//
// Qwen2 rotates pairs (j, j + head_dim/2) by position * inv_freq[j]. inv_freq comes from
// the host, computed exactly as the CPU twin does (f32 of a double pow), and the angle
// is the same f32 product; cos/sin are taken in double as on the CPU, and the rotation
// uses non-fused multiplies, so the GPU result matches the CPU to a few ulps.
//
// The fused kernel (fused_qkv_bias_rope_cache_write_kernel) reads one row of the packed
// q|k|v GEMM output once, adds the three biases, rotates q and k and stores q for the
// attention and k/v straight into the sequence's cache slot: one pass instead of three
// bias epilogues, two RoPE passes and two copies.
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

__device__ __forceinline__ void rotate_pair(float& a, float& b, int64_t position, float inv_freq) {
  const float angle = __fmul_rn(static_cast<float>(position), inv_freq);
  double s, c;
  sincos(static_cast<double>(angle), &s, &c);
  const float cf = static_cast<float>(c), sf = static_cast<float>(s);
  const float a2 = __fsub_rn(__fmul_rn(a, cf), __fmul_rn(b, sf));
  const float b2 = __fadd_rn(__fmul_rn(b, cf), __fmul_rn(a, sf));
  a = a2;
  b = b2;
}

// Preconditions: head_dim even; x [n, heads, head_dim]; positions [n].
// Grid-stride over n * heads * head_dim / 2 pairs.
__global__ void rope_neox_kernel(float* x, int64_t n, int64_t heads, int64_t head_dim,
                                 const int64_t* __restrict__ positions,
                                 const float* __restrict__ inv_freq) {
  const int64_t half = head_dim / 2;
  const int64_t pairs = n * heads * half;
  for (int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; p < pairs;
       p += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t j = p % half;
    const int64_t row_head = p / half;
    const int64_t i = row_head / heads;
    float* v = x + row_head * head_dim;
    float a = v[j], b = v[j + half];
    rotate_pair(a, b, positions[i], inv_freq[j]);
    v[j] = a;
    v[j + half] = b;
  }
}

// Preconditions: head_dim even; qkv [n, (heads + 2 * kv_heads) * head_dim]; biases
// [heads * head_dim] / [kv_heads * head_dim] or null; the cache rows addressed by
// (row_slot[i], positions[i]) lie inside the cache. Grid-stride over the pairs of q and k
// heads plus the elements of v.
__global__ void fused_qkv_bias_rope_cache_write_kernel(
    const float* __restrict__ qkv, const float* __restrict__ q_bias, const float* __restrict__ k_bias,
    const float* __restrict__ v_bias, const int64_t* __restrict__ positions,
    const int32_t* __restrict__ row_slot, const float* __restrict__ inv_freq, float* __restrict__ q,
    float* __restrict__ k_base, float* __restrict__ v_base, int64_t slot_stride, int64_t n,
    int64_t heads, int64_t kv_heads, int64_t head_dim) {
  const int64_t half = head_dim / 2;
  const int64_t q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
  const int64_t row_width = q_dim + 2 * kv_dim;
  const int64_t rotated_pairs = (heads + kv_heads) * half;  // per row
  const int64_t per_row = rotated_pairs + kv_dim;           // pairs, then v elements
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < n * per_row;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = t / per_row, r = t - i * per_row;
    const float* src = qkv + i * row_width;
    const int64_t pos = positions[i];
    const int64_t cache_row = (row_slot != nullptr ? row_slot[i] : 0) * slot_stride + pos * kv_dim;
    if (r < rotated_pairs) {
      const int64_t head = r / half, j = r - head * half;
      const bool is_q = head < heads;
      const int64_t col = is_q ? head * head_dim + j : q_dim + (head - heads) * head_dim + j;
      const float* bias = is_q ? q_bias : k_bias;
      const int64_t bias_col = is_q ? head * head_dim + j : (head - heads) * head_dim + j;
      float a = src[col], b = src[col + half];
      if (bias != nullptr) {
        a += bias[bias_col];
        b += bias[bias_col + half];
      }
      rotate_pair(a, b, pos, inv_freq[j]);
      if (is_q) {
        q[i * q_dim + col] = a;
        q[i * q_dim + col + half] = b;
      } else {
        k_base[cache_row + bias_col] = a;
        k_base[cache_row + bias_col + half] = b;
      }
    } else {
      const int64_t e = r - rotated_pairs;
      float v = src[q_dim + kv_dim + e];
      if (v_bias != nullptr) v += v_bias[e];
      v_base[cache_row + e] = v;
    }
  }
}

}  // namespace

void launch_rope_neox(float* x, int64_t n, int64_t heads, int64_t head_dim, const int64_t* positions,
                      const float* inv_freq, cudaStream_t stream) {
  const int64_t pairs = n * heads * (head_dim / 2);
  if (pairs <= 0) return;
  rope_neox_kernel<<<grid_for(pairs, 256), 256, 0, stream>>>(x, n, heads, head_dim, positions,
                                                            inv_freq);
  CUDA_CHECK_LAUNCH("rope_neox_kernel");
}

void launch_qkv_bias_rope_cache_write(const float* qkv, const float* q_bias, const float* k_bias,
                                      const float* v_bias, const int64_t* positions,
                                      const int32_t* row_slot, const float* inv_freq, float* q,
                                      float* k_base, float* v_base, int64_t slot_stride, int64_t n,
                                      int64_t heads, int64_t kv_heads, int64_t head_dim,
                                      cudaStream_t stream) {
  const int64_t work = n * ((heads + kv_heads) * (head_dim / 2) + kv_heads * head_dim);
  if (work <= 0) return;
  fused_qkv_bias_rope_cache_write_kernel<<<grid_for(work, 256), 256, 0, stream>>>(
      qkv, q_bias, k_bias, v_bias, positions, row_slot, inv_freq, q, k_base, v_base, slot_stride, n,
      heads, kv_heads, head_dim);
  CUDA_CHECK_LAUNCH("fused_qkv_bias_rope_cache_write_kernel");
}

}  // namespace softcot::cuda
