// x W^T with W in bf16, f16 or f32, x and y in f32. Decode (n <= 2 rows of x) streams
// W once, converting 8 weights per load straight into FMAs: that step is bound by memory
// bandwidth, so the loop reads each weight byte exactly once per token. Prefill converts
// a few rows of W into an f32 tile that stays in L1 and reuses it for every token.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "core/half.h"
#include "core/thread_pool.h"
#include "model/cpu_kernels.h"

namespace softcot::model::cpu {

namespace {

std::atomic<bool> g_force_portable{false};

float weight_at(const WeightMatrix& w, int64_t index) {
  switch (w.dtype) {
    case io::DType::kBF16: return bf16_to_f32(static_cast<const uint16_t*>(w.data)[index]);
    case io::DType::kF16: return f16_to_f32(static_cast<const uint16_t*>(w.data)[index]);
    case io::DType::kF32: break;
  }
  return static_cast<const float*>(w.data)[index];
}

void convert_row_portable(const WeightMatrix& w, int64_t row, float* out) {
  const int64_t base = row * w.cols;
  for (int64_t c = 0; c < w.cols; ++c) out[c] = weight_at(w, base + c);
}

__attribute__((target("avx2,fma,f16c"))) inline __m256 load8(io::DType dtype, const void* data,
                                                              int64_t index) {
  if (dtype == io::DType::kBF16) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(
        static_cast<const uint16_t*>(data) + index));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
  }
  if (dtype == io::DType::kF16) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(
        static_cast<const uint16_t*>(data) + index)));
  }
  return _mm256_loadu_ps(static_cast<const float*>(data) + index);
}

__attribute__((target("avx2,fma,f16c"))) inline float hsum(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v);
  const __m128 hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma,f16c"))) void convert_row_avx2(const WeightMatrix& w, int64_t row,
                                                                float* out) {
  const int64_t base = row * w.cols;
  int64_t c = 0;
  for (; c + 8 <= w.cols; c += 8) _mm256_storeu_ps(out + c, load8(w.dtype, w.data, base + c));
  for (; c < w.cols; ++c) out[c] = weight_at(w, base + c);
}

// Rows [r0, r1) of y for every token, weights converted while loading (decode path).
template <io::DType D>
__attribute__((target("avx2,fma,f16c"))) void matvec_rows_avx2(const float* x, int64_t n,
                                                                const WeightMatrix& w, int64_t r0,
                                                                int64_t r1, float* y) {
  const int64_t cols = w.cols;
  const int64_t vec_end = cols / 8 * 8;
  constexpr int64_t kElementBytes = D == io::DType::kF32 ? 4 : 2;
  const char* bytes = static_cast<const char*>(w.data);
  for (int64_t t = 0; t < n; ++t) {
    const float* xt = x + t * cols;
    float* yt = y + t * w.rows;
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
      __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
      // Short row streams defeat the hardware prefetcher's ramp-up: ask for the next
      // 4-row block's cache lines while this block is being summed.
      const bool prefetch_next = r + 8 <= r1;
      for (int64_t c = 0; c < vec_end; c += 8) {
        if (prefetch_next && (c * kElementBytes) % 64 == 0) {
          for (int k = 4; k < 8; ++k) _mm_prefetch(bytes + ((r + k) * cols + c) * kElementBytes, _MM_HINT_T0);
        }
        const __m256 xv = _mm256_loadu_ps(xt + c);
        a0 = _mm256_fmadd_ps(load8(D, w.data, (r + 0) * cols + c), xv, a0);
        a1 = _mm256_fmadd_ps(load8(D, w.data, (r + 1) * cols + c), xv, a1);
        a2 = _mm256_fmadd_ps(load8(D, w.data, (r + 2) * cols + c), xv, a2);
        a3 = _mm256_fmadd_ps(load8(D, w.data, (r + 3) * cols + c), xv, a3);
      }
      float s[4] = {hsum(a0), hsum(a1), hsum(a2), hsum(a3)};
      for (int64_t c = vec_end; c < cols; ++c) {
        for (int k = 0; k < 4; ++k) s[k] += weight_at(w, (r + k) * cols + c) * xt[c];
      }
      for (int k = 0; k < 4; ++k) yt[r + k] = s[k];
    }
    for (; r < r1; ++r) {
      __m256 a = _mm256_setzero_ps();
      for (int64_t c = 0; c < vec_end; c += 8) {
        a = _mm256_fmadd_ps(load8(D, w.data, r * cols + c), _mm256_loadu_ps(xt + c), a);
      }
      float s = hsum(a);
      for (int64_t c = vec_end; c < cols; ++c) s += weight_at(w, r * cols + c) * xt[c];
      yt[r] = s;
    }
  }
}

constexpr int64_t kTileRows = 4;

// Prefill: 4 rows of W as f32 in `tile`, then 4 rows x 2 tokens of dot products at once.
__attribute__((target("avx2,fma,f16c"))) void tile_dot_avx2(const float* x, int64_t n,
                                                             int64_t cols, const float* tile,
                                                             int64_t rows_in_tile, int64_t r0,
                                                             int64_t y_stride, float* y) {
  const int64_t vec_end = cols / 8 * 8;
  const float* w0 = tile;
  const float* w1 = tile + cols * std::min<int64_t>(1, rows_in_tile - 1);
  const float* w2 = tile + cols * std::min<int64_t>(2, rows_in_tile - 1);
  const float* w3 = tile + cols * std::min<int64_t>(3, rows_in_tile - 1);
  int64_t t = 0;
  for (; t + 2 <= n; t += 2) {
    const float* xa = x + t * cols;
    const float* xb = xa + cols;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
           a3 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(),
           b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
    for (int64_t c = 0; c < vec_end; c += 8) {
      const __m256 xva = _mm256_loadu_ps(xa + c);
      const __m256 xvb = _mm256_loadu_ps(xb + c);
      const __m256 v0 = _mm256_loadu_ps(w0 + c), v1 = _mm256_loadu_ps(w1 + c);
      const __m256 v2 = _mm256_loadu_ps(w2 + c), v3 = _mm256_loadu_ps(w3 + c);
      a0 = _mm256_fmadd_ps(v0, xva, a0); b0 = _mm256_fmadd_ps(v0, xvb, b0);
      a1 = _mm256_fmadd_ps(v1, xva, a1); b1 = _mm256_fmadd_ps(v1, xvb, b1);
      a2 = _mm256_fmadd_ps(v2, xva, a2); b2 = _mm256_fmadd_ps(v2, xvb, b2);
      a3 = _mm256_fmadd_ps(v3, xva, a3); b3 = _mm256_fmadd_ps(v3, xvb, b3);
    }
    float sa[4] = {hsum(a0), hsum(a1), hsum(a2), hsum(a3)};
    float sb[4] = {hsum(b0), hsum(b1), hsum(b2), hsum(b3)};
    const float* rows[4] = {w0, w1, w2, w3};
    for (int64_t c = vec_end; c < cols; ++c) {
      for (int k = 0; k < 4; ++k) {
        sa[k] += rows[k][c] * xa[c];
        sb[k] += rows[k][c] * xb[c];
      }
    }
    for (int64_t k = 0; k < rows_in_tile; ++k) {
      y[t * y_stride + r0 + k] = sa[k];
      y[(t + 1) * y_stride + r0 + k] = sb[k];
    }
  }
  for (; t < n; ++t) {
    const float* xa = x + t * cols;
    for (int64_t k = 0; k < rows_in_tile; ++k) {
      __m256 a = _mm256_setzero_ps();
      for (int64_t c = 0; c < vec_end; c += 8) {
        a = _mm256_fmadd_ps(_mm256_loadu_ps(tile + k * cols + c), _mm256_loadu_ps(xa + c), a);
      }
      float s = hsum(a);
      for (int64_t c = vec_end; c < cols; ++c) s += tile[k * cols + c] * xa[c];
      y[t * y_stride + r0 + k] = s;
    }
  }
}

void matmul_rows_portable(const float* x, int64_t n, const WeightMatrix& w, int64_t r0,
                          int64_t r1, float* y, std::vector<float>& row) {
  row.resize(static_cast<size_t>(w.cols));
  for (int64_t r = r0; r < r1; ++r) {
    convert_row_portable(w, r, row.data());
    for (int64_t t = 0; t < n; ++t) {
      const float* xt = x + t * w.cols;
      float s = 0.0f;
      for (int64_t c = 0; c < w.cols; ++c) s += row[c] * xt[c];
      y[t * w.rows + r] = s;
    }
  }
}

void matmul_rows_avx2(const float* x, int64_t n, const WeightMatrix& w, int64_t r0, int64_t r1,
                      float* y, std::vector<float>& tile) {
  if (n <= 2) {
    switch (w.dtype) {
      case io::DType::kBF16: return matvec_rows_avx2<io::DType::kBF16>(x, n, w, r0, r1, y);
      case io::DType::kF16: return matvec_rows_avx2<io::DType::kF16>(x, n, w, r0, r1, y);
      case io::DType::kF32: return matvec_rows_avx2<io::DType::kF32>(x, n, w, r0, r1, y);
    }
  }
  tile.resize(static_cast<size_t>(kTileRows * w.cols));
  for (int64_t r = r0; r < r1; r += kTileRows) {
    const int64_t rows_in_tile = std::min(kTileRows, r1 - r);
    for (int64_t k = 0; k < rows_in_tile; ++k) convert_row_avx2(w, r + k, tile.data() + k * w.cols);
    tile_dot_avx2(x, n, w.cols, tile.data(), rows_in_tile, r, w.rows, y);
  }
}

}  // namespace

bool has_avx2_fma_f16c() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                          __builtin_cpu_supports("f16c");
  return has && !g_force_portable.load();
}

void force_portable_kernels(bool portable) { g_force_portable.store(portable); }

void weight_row_to_f32(const WeightMatrix& w, int64_t row, float* out) {
  if (has_avx2_fma_f16c()) {
    convert_row_avx2(w, row, out);
  } else {
    convert_row_portable(w, row, out);
  }
}

void matmul(const float* x, int64_t n, const WeightMatrix& w, const float* bias, float* y) {
  const bool fast = has_avx2_fma_f16c();
  // Chunks of whole 4-row groups; a grain of ~64 KiB of weights keeps scheduling cheap.
  const int64_t row_bytes = w.cols * static_cast<int64_t>(io::dtype_size(w.dtype));
  const int64_t grain_rows = std::max<int64_t>(1, (65536 / std::max<int64_t>(1, row_bytes)));
  const int64_t groups = (w.rows + kTileRows - 1) / kTileRows;
  ThreadPool::instance().parallel_for(
      groups, std::max<int64_t>(1, grain_rows / kTileRows), [&](int64_t g0, int64_t g1) {
        thread_local std::vector<float> scratch;
        const int64_t r0 = g0 * kTileRows;
        const int64_t r1 = std::min(w.rows, g1 * kTileRows);
        if (fast) {
          matmul_rows_avx2(x, n, w, r0, r1, y, scratch);
        } else {
          matmul_rows_portable(x, n, w, r0, r1, y, scratch);
        }
        if (bias != nullptr) {
          for (int64_t t = 0; t < n; ++t) {
            for (int64_t r = r0; r < r1; ++r) y[t * w.rows + r] += bias[r];
          }
        }
      });
}

}  // namespace softcot::model::cpu
