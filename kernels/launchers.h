#pragma once
// Host-side launchers of the CUDA kernels, one .cu per operation. Each launcher takes
// device pointers and a stream, checks its launch (CUDA_CHECK_LAUNCH naming the kernel)
// and never synchronises. Shapes are row-major [rows, cols]; activations are f32.
#include <cuda_runtime.h>

#include <cstdint>

#include "io/safetensors.h"

namespace softcot::cuda {

// --- embedding_gather.cu ---
// out[i, :] = override_rows[slot[i], :] when override_slot && override_slot[i] >= 0,
// else table[ids[i], :] as f32. table [vocab, cols] in bf16 or f32 (dtype), ids [n],
// override_slot [n] (nullable), override_rows [*, cols] f32, out [n, cols] f32.
void launch_embedding_gather(const void* table, io::DType dtype, int64_t cols, const int32_t* ids,
                             const int32_t* override_slot, const float* override_rows, float* out,
                             int64_t n, cudaStream_t stream);

// --- rmsnorm.cu ---
// out[i, :] = x[i, :] * rsqrt(mean(x[i, :]^2) + eps) * gain; x, out [n, dim]; out may be x.
void launch_rmsnorm(const float* x, const float* gain, float* out, int64_t n, int64_t dim, float eps,
                    cudaStream_t stream);
// The final norm fused with the gather of chosen rows: out[j, :] = rmsnorm(x[rows[j], :]).
// rows [m] int64 on the device, out [m, dim] (must not alias x).
void launch_gather_rmsnorm(const float* x, const int64_t* rows, const float* gain, float* out,
                           int64_t m, int64_t dim, float eps, cudaStream_t stream);

// --- matmul.cu --- (the cuBLASLt part lives in GemmRunner, cuda_backend.h)
// Decode matrix-vector for n <= kMatvecMaxRows rows: y[n, rows] = x[n, cols] w^T (+ bias)
// (+ y when accumulate: the residual add fused). w [rows, cols] bf16, cols % 8 == 0.
inline constexpr int64_t kMatvecMaxRows = 8;
void launch_matvec_bf16(const float* x, int64_t n, const uint16_t* w, int64_t rows, int64_t cols,
                        const float* bias, float* y, bool accumulate, cudaStream_t stream);
// x [count] f32 -> out [count] bf16 (round to nearest even), the GEMM input.
void launch_f32_to_bf16(const float* x, uint16_t* out, int64_t count, cudaStream_t stream);
// y[i, :] += bias for y [n, cols] (bias epilogue where cuBLASLt has none for the path).
void launch_add_bias_rows(float* y, const float* bias, int64_t n, int64_t cols, cudaStream_t stream);

// --- rope_kv.cu ---
// inv_freq [head_dim / 2] f32 device memory, from model::rope_inv_freq(config) (host).
// NEOX RoPE in place on x [n, heads, head_dim] at positions [n] (int64, device).
void launch_rope_neox(float* x, int64_t n, int64_t heads, int64_t head_dim, const int64_t* positions,
                      const float* inv_freq, cudaStream_t stream);
// The fused attention prologue: from qkv [n, (heads + 2 kv_heads) * head_dim] (one GEMM
// over the concatenated q/k/v weights, no bias), adds the biases (nullable), rotates q
// and k, writes q [n, heads * head_dim] and the new key/value rows straight into the
// cache: k_base + row_slot[i] * slot_stride + positions[i] * kv_dim (same for v).
void launch_qkv_bias_rope_cache_write(const float* qkv, const float* q_bias, const float* k_bias,
                                      const float* v_bias, const int64_t* positions,
                                      const int32_t* row_slot, const float* inv_freq, float* q,
                                      float* k_base, float* v_base, int64_t slot_stride, int64_t n,
                                      int64_t heads, int64_t kv_heads, int64_t head_dim,
                                      cudaStream_t stream);

// --- attention.cu ---
// One sequence's share of a (possibly mixed prefill/decode) attention call: its new
// query rows are q rows q_row0 .. q_row0+n-1 at positions start .. start+n-1; its keys
// and values are slot `slot` of the cache (k_base + slot * slot_stride), rows 0..start+n-1.
struct AttnSeq {
  int32_t q_row0;
  int32_t n;
  int32_t start;
  int32_t slot;
};
// Scratch for split-sequence (flash-decoding) partial results, in floats.
int64_t attention_scratch_floats(int64_t total_rows, int64_t heads, int64_t head_dim, int splits);
// How many key splits to use for `seqs` sequences of up to `max_rows` new rows and up to
// `max_keys` keys each (1 for prefill-heavy calls; more for decode so every SM works).
int attention_splits(int64_t seqs, int64_t max_rows, int64_t max_keys, int64_t kv_heads,
                     int64_t group, int sm_count);
// out [total_rows, heads * head_dim] for q [total_rows, heads, head_dim]; seqs [n_seqs]
// on the device; head_dim <= 128; scratch >= attention_scratch_floats(...) when splits > 1.
void launch_attention(const float* q, const float* k_base, const float* v_base, int64_t slot_stride,
                      const AttnSeq* seqs, int64_t n_seqs, int64_t max_rows, int64_t total_rows,
                      int64_t heads, int64_t kv_heads, int64_t head_dim, int splits, float* scratch,
                      float* out, cudaStream_t stream);

// --- swiglu.cu ---
// out[i] = silu(gate[i]) * up[i], i < count (out may be gate).
void launch_swiglu(const float* gate, const float* up, float* out, int64_t count, cudaStream_t stream);
// The fused-GEMM layout: gate_up [n, 2 * inter] (gate then up per row) -> out [n, inter].
void launch_swiglu_packed(const float* gate_up, float* out, int64_t n, int64_t inter,
                          cudaStream_t stream);

// --- residual_add.cu ---
// x[i] += y[i], i < count.
void launch_add_inplace(float* x, const float* y, int64_t count, cudaStream_t stream);

// --- gather_rows.cu ---
// out[j, :] = x[rows[j], :] for rows [m] (int64, device), width dim.
void launch_gather_rows(const float* x, const int64_t* rows, int64_t m, int64_t dim, float* out,
                        cudaStream_t stream);

}  // namespace softcot::cuda
