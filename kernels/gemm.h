#pragma once
// GEMMs of the CUDA backend: y[n, w.rows] = x[n, w.cols] w^T (+ bias) (+ y).
//
// bf16 weights: for n <= kMatvecMaxRows (decode) a matrix-vector kernel reads the bf16
// weights once with 16-byte loads and the f32 activations directly (no conversion, same
// products as the CPU twin); for larger n the activation is rounded to bf16 and cuBLASLt
// runs a bf16 x bf16 GEMM with f32 accumulation, f32 output and the bias as an epilogue.
// f32 weights (tiny test models) go through cuBLASLt in plain f32 (no TF32), so greedy
// decoding matches the CPU path. `accumulate` adds into y (beta = 1): the residual add
// fused into the o_proj and down_proj GEMMs.
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <tuple>

#include "model/backend.h"

namespace softcot::cuda {

class GemmRunner {
 public:
  explicit GemmRunner(cudaStream_t stream);
  ~GemmRunner();
  GemmRunner(const GemmRunner&) = delete;
  GemmRunner& operator=(const GemmRunner&) = delete;

  // w.data is device memory in bf16 or f32. x, y, bias: device f32.
  void matmul(const float* x, int64_t n, const model::WeightMatrix& w, const float* bias, float* y,
              bool accumulate);
  // Reserve the bf16 activation scratch up front (no allocation while a graph is captured).
  void reserve(int64_t activation_elements);
  // Never use the matrix-vector kernel (tests compare both paths).
  void set_matvec_enabled(bool enabled) { matvec_enabled_ = enabled; }

 private:
  struct Plan {
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
    cublasLtMatmulAlgo_t algo{};
  };
  using Key = std::tuple<int, int64_t, int64_t, int64_t, bool>;  // dtype, m, n, k, bias
  Plan& plan_for(const Key& key);

  cudaStream_t stream_;
  cublasLtHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 32u << 20;
  uint16_t* x_bf16_ = nullptr;
  int64_t x_bf16_capacity_ = 0;
  bool matvec_enabled_ = true;
  std::map<Key, Plan> plans_;
};

}  // namespace softcot::cuda
