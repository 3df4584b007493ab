// Matrix products: the decode matrix-vector kernel, the f32 -> bf16 activation
// conversion, a bias kernel, and the cuBLASLt GEMM runner (gemm.h says which path runs
// when).
//
// Decode is memory-bound: one token reads every weight once, so the matvec kernel is
// built around the weight stream. One warp per output row, each lane loading 8 bf16
// weights (16 bytes) per step, coalesced across the warp, unrolled so that several loads
// are in flight; the n <= 8 activation rows are read through L1 (they are shared by all
// warps) and the n dot products accumulate in registers, so a batch of 8 costs the same
// weight traffic as one token.
#include <cuda_bf16.h>

#include <string>

#include "core/error.h"
#include "cuda_check.h"
#include "device_common.cuh"
#include "gemm.h"
#include "launchers.h"

namespace softcot::cuda {

namespace {

constexpr int kMatvecWarps = 8;

// Preconditions: cols % 8 == 0; w, x 16-byte aligned with row strides that keep it;
// N <= kMatvecMaxRows. Grid: ceil(rows / kMatvecWarps) blocks of 32 * kMatvecWarps.
template <int N>
__global__ void __launch_bounds__(32 * kMatvecWarps)
    matvec_bf16_bias_residual_kernel(const float* __restrict__ x, const uint16_t* __restrict__ w,
                                     int64_t rows, int64_t cols, const float* __restrict__ bias,
                                     float* __restrict__ y, bool accumulate) {
  const int lane = threadIdx.x & 31;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kMatvecWarps + (threadIdx.x >> 5);
  if (row >= rows) return;
  float acc[N];
#pragma unroll
  for (int t = 0; t < N; ++t) acc[t] = 0.0f;
  const uint4* wrow = reinterpret_cast<const uint4*>(w + row * cols);
  const int64_t chunks = cols / 8;
#pragma unroll 4
  for (int64_t c = lane; c < chunks; c += 32) {
    const uint4 packed = __ldg(wrow + c);
    float wf[8];
    const uint32_t words[4] = {packed.x, packed.y, packed.z, packed.w};
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      wf[2 * k] = __uint_as_float(words[k] << 16);
      wf[2 * k + 1] = __uint_as_float(words[k] & 0xffff0000u);
    }
#pragma unroll
    for (int t = 0; t < N; ++t) {
      const float4* xr = reinterpret_cast<const float4*>(x + t * cols) + 2 * c;
      const float4 x0 = __ldg(xr), x1 = __ldg(xr + 1);
      acc[t] += wf[0] * x0.x + wf[1] * x0.y + wf[2] * x0.z + wf[3] * x0.w + wf[4] * x1.x +
                wf[5] * x1.y + wf[6] * x1.z + wf[7] * x1.w;
    }
  }
#pragma unroll
  for (int t = 0; t < N; ++t) {
    const float sum = warp_sum(acc[t]);
    if (lane == 0) {
      float out = sum + (bias != nullptr ? bias[row] : 0.0f);
      if (accumulate) out += y[t * rows + row];
      y[t * rows + row] = out;
    }
  }
}

// Preconditions: none beyond the sizes. Grid-stride.
__global__ void f32_to_bf16_kernel(const float* __restrict__ x, uint16_t* __restrict__ out,
                                   int64_t count) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[i] = f32_to_bf16_bits(x[i]);
  }
}

// Preconditions: y [n, cols], bias [cols]. Grid-stride.
__global__ void add_bias_rows_kernel(float* y, const float* __restrict__ bias, int64_t n,
                                     int64_t cols) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n * cols;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    y[i] += bias[i % cols];
  }
}

template <int N>
void matvec_n(const float* x, const uint16_t* w, int64_t rows, int64_t cols, const float* bias,
              float* y, bool accumulate, cudaStream_t stream) {
  const unsigned blocks = static_cast<unsigned>((rows + kMatvecWarps - 1) / kMatvecWarps);
  matvec_bf16_bias_residual_kernel<N><<<blocks, 32 * kMatvecWarps, 0, stream>>>(x, w, rows, cols, bias,
                                                                                y, accumulate);
  CUDA_CHECK_LAUNCH("matvec_bf16_bias_residual_kernel");
}

bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

}  // namespace

void launch_matvec_bf16(const float* x, int64_t n, const uint16_t* w, int64_t rows, int64_t cols,
                        const float* bias, float* y, bool accumulate, cudaStream_t stream) {
  switch (n) {
    case 1: return matvec_n<1>(x, w, rows, cols, bias, y, accumulate, stream);
    case 2: return matvec_n<2>(x, w, rows, cols, bias, y, accumulate, stream);
    case 3: return matvec_n<3>(x, w, rows, cols, bias, y, accumulate, stream);
    case 4: return matvec_n<4>(x, w, rows, cols, bias, y, accumulate, stream);
    case 5: return matvec_n<5>(x, w, rows, cols, bias, y, accumulate, stream);
    case 6: return matvec_n<6>(x, w, rows, cols, bias, y, accumulate, stream);
    case 7: return matvec_n<7>(x, w, rows, cols, bias, y, accumulate, stream);
    case 8: return matvec_n<8>(x, w, rows, cols, bias, y, accumulate, stream);
    default: throw failure("matvec", "n = " + std::to_string(n) + " rows is outside 1..8");
  }
}

void launch_f32_to_bf16(const float* x, uint16_t* out, int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  f32_to_bf16_kernel<<<grid_for(count, 256), 256, 0, stream>>>(x, out, count);
  CUDA_CHECK_LAUNCH("f32_to_bf16_kernel");
}

void launch_add_bias_rows(float* y, const float* bias, int64_t n, int64_t cols, cudaStream_t stream) {
  if (n * cols <= 0) return;
  add_bias_rows_kernel<<<grid_for(n * cols, 256), 256, 0, stream>>>(y, bias, n, cols);
  CUDA_CHECK_LAUNCH("add_bias_rows_kernel");
}

// ---------------------------------------------------------------- GemmRunner (cuBLASLt)

GemmRunner::GemmRunner(cudaStream_t stream) : stream_(stream) {
  CUBLAS_CHECK("cublasLtCreate", cublasLtCreate(&handle_));
  CUDA_CHECK("cudaMalloc (cuBLASLt workspace)", cudaMalloc(&workspace_, workspace_bytes_));
}

GemmRunner::~GemmRunner() {
  for (auto& [key, plan] : plans_) {
    cublasLtMatrixLayoutDestroy(plan.a);
    cublasLtMatrixLayoutDestroy(plan.b);
    cublasLtMatrixLayoutDestroy(plan.c);
    cublasLtMatmulDescDestroy(plan.desc);
  }
  cudaFree(x_bf16_);
  cudaFree(workspace_);
  if (handle_ != nullptr) cublasLtDestroy(handle_);
}

void GemmRunner::reserve(int64_t activation_elements) {
  if (activation_elements <= x_bf16_capacity_) return;
  if (x_bf16_ != nullptr) {
    CUDA_CHECK("cudaStreamSynchronize (before growing the GEMM scratch)", cudaStreamSynchronize(stream_));
    cudaFree(x_bf16_);
  }
  CUDA_CHECK("cudaMalloc (GEMM activation scratch)",
             cudaMalloc(&x_bf16_, static_cast<size_t>(activation_elements) * sizeof(uint16_t)));
  x_bf16_capacity_ = activation_elements;
}

GemmRunner::Plan& GemmRunner::plan_for(const Key& key) {
  auto found = plans_.find(key);
  if (found != plans_.end()) return found->second;
  const auto [dtype_code, m, n, k, has_bias] = key;
  const bool bf16 = dtype_code == static_cast<int>(io::DType::kBF16);
  const cudaDataType_t ab = bf16 ? CUDA_R_16BF : CUDA_R_32F;
  Plan plan;
  // Column-major view: D[m = w.rows, n] = op(A) B, A = w stored [k, m] (ld k) transposed,
  // B = x stored [k, n] (ld k), D = y stored [m, n] (ld m) -- i.e. row-major y = x w^T.
  CUBLAS_CHECK("cublasLtMatmulDescCreate",
               cublasLtMatmulDescCreate(&plan.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t transpose = CUBLAS_OP_T, plain = CUBLAS_OP_N;
  CUBLAS_CHECK("cublasLtMatmulDescSetAttribute(TRANSA)",
               cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                              sizeof(transpose)));
  CUBLAS_CHECK("cublasLtMatmulDescSetAttribute(TRANSB)",
               cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &plain,
                                              sizeof(plain)));
  if (has_bias) {
    const cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
    const cudaDataType_t bias_type = CUDA_R_32F;
    CUBLAS_CHECK("cublasLtMatmulDescSetAttribute(EPILOGUE)",
                 cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue,
                                                sizeof(epilogue)));
    CUBLAS_CHECK("cublasLtMatmulDescSetAttribute(BIAS_DATA_TYPE)",
                 cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE,
                                                &bias_type, sizeof(bias_type)));
  }
  CUBLAS_CHECK("cublasLtMatrixLayoutCreate(A)", cublasLtMatrixLayoutCreate(&plan.a, ab, k, m, k));
  CUBLAS_CHECK("cublasLtMatrixLayoutCreate(B)", cublasLtMatrixLayoutCreate(&plan.b, ab, k, n, k));
  CUBLAS_CHECK("cublasLtMatrixLayoutCreate(C)", cublasLtMatrixLayoutCreate(&plan.c, CUDA_R_32F, m, n, m));

  cublasLtMatmulPreference_t pref = nullptr;
  CUBLAS_CHECK("cublasLtMatmulPreferenceCreate", cublasLtMatmulPreferenceCreate(&pref));
  CUBLAS_CHECK("cublasLtMatmulPreferenceSetAttribute",
               cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                    &workspace_bytes_, sizeof(workspace_bytes_)));
  cublasLtMatmulHeuristicResult_t result{};
  int found_algos = 0;
  const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
      handle_, plan.desc, plan.a, plan.b, plan.c, plan.c, pref, 1, &result, &found_algos);
  cublasLtMatmulPreferenceDestroy(pref);
  if (status != CUBLAS_STATUS_SUCCESS || found_algos == 0) {
    throw failure("cuBLASLt", "no GEMM algorithm for m=" + std::to_string(m) + " n=" +
                                  std::to_string(n) + " k=" + std::to_string(k) +
                                  (bf16 ? " bf16" : " f32"));
  }
  plan.algo = result.algo;
  return plans_.emplace(key, plan).first->second;
}

void GemmRunner::matmul(const float* x, int64_t n, const model::WeightMatrix& w, const float* bias,
                        float* y, bool accumulate) {
  if (n <= 0) return;
  const bool bf16 = w.dtype == io::DType::kBF16;
  if (!bf16 && w.dtype != io::DType::kF32) {
    throw failure("matmul", "CUDA weights are bf16 or f32 (prepare_weight converts f16 to bf16)");
  }
  if (bf16 && matvec_enabled_ && n <= kMatvecMaxRows && w.cols % 8 == 0 && aligned16(x) &&
      aligned16(w.data)) {
    launch_matvec_bf16(x, n, static_cast<const uint16_t*>(w.data), w.rows, w.cols, bias, y,
                       accumulate, stream_);
    return;
  }
  const void* b_operand = x;
  if (bf16) {
    reserve(n * w.cols);
    launch_f32_to_bf16(x, x_bf16_, n * w.cols, stream_);
    b_operand = x_bf16_;
  }
  Plan& plan = plan_for(Key{static_cast<int>(w.dtype), w.rows, n, w.cols, bias != nullptr});
  if (bias != nullptr) {
    CUBLAS_CHECK("cublasLtMatmulDescSetAttribute(BIAS_POINTER)",
                 cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
                                                sizeof(bias)));
  }
  const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
  CUBLAS_CHECK("cublasLtMatmul", cublasLtMatmul(handle_, plan.desc, &alpha, w.data, plan.a, b_operand,
                                                plan.b, &beta, y, plan.c, y, plan.c, &plan.algo,
                                                workspace_, workspace_bytes_, stream_));
}

}  // namespace softcot::cuda
