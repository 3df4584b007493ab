#pragma once
// The CPU backend's compute kernels as free functions, so tests can call each one
// against a naive reference. Each picks an AVX2/FMA/F16C version at run time when the
// CPU has those, else a portable one; both are multithreaded over the ThreadPool.
#include <cstdint>
#include <span>

#include "model/backend.h"

namespace softcot::model::cpu {

bool has_avx2_fma_f16c();
// Tests force the portable path to check it against the same references.
void force_portable_kernels(bool portable);

// y[n, w.rows] = x[n, w.cols] w^T (+ bias).
void matmul(const float* x, int64_t n, const WeightMatrix& w, const float* bias, float* y);

// One row of a weight matrix as f32 (embedding lookup).
void weight_row_to_f32(const WeightMatrix& w, int64_t row, float* out);

void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int64_t n,
               int64_t start, int64_t heads, int64_t kv_heads, int64_t head_dim);

}  // namespace softcot::model::cpu
