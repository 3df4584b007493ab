// RMSNorm, and the final norm fused with the gather of the rows whose hidden state or
// logits are wanted.
//
// One block per row: the sum of squares is a block reduction in f32 (the CPU twin sums
// in double; for dim <= 8960 the difference is far below the f32 tolerance), then each
// element is written as gain * (x * inv_rms), the HF order of operations.
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

constexpr int kThreads = 256;

// Preconditions: blockDim.x == kThreads; out may alias x (each row is read fully before
// it is written: the reduction's barrier separates the reads from the writes).
// Grid: one block per output row; row_index maps output rows to input rows (nullable).
__global__ void rmsnorm_gather_kernel(const float* __restrict__ x, const int64_t* __restrict__ row_index,
                                      const float* __restrict__ gain, float* out, int64_t dim,
                                      float eps) {
  __shared__ float shared[32];
  const int64_t i = blockIdx.x;
  const int64_t src_row = row_index != nullptr ? row_index[i] : i;
  const float* xi = x + src_row * dim;
  float* oi = out + i * dim;
  float sum = 0.0f;
  for (int64_t d = threadIdx.x; d < dim; d += blockDim.x) sum += xi[d] * xi[d];
  sum = block_sum(sum, shared);
  const float inv_rms = 1.0f / sqrtf(sum / static_cast<float>(dim) + eps);
  for (int64_t d = threadIdx.x; d < dim; d += blockDim.x) oi[d] = gain[d] * (xi[d] * inv_rms);
}

}  // namespace

void launch_rmsnorm(const float* x, const float* gain, float* out, int64_t n, int64_t dim, float eps,
                    cudaStream_t stream) {
  if (n <= 0) return;
  rmsnorm_gather_kernel<<<static_cast<unsigned>(n), kThreads, 0, stream>>>(x, nullptr, gain, out,
                                                                           dim, eps);
  CUDA_CHECK_LAUNCH("rmsnorm_gather_kernel");
}

void launch_gather_rmsnorm(const float* x, const int64_t* rows, const float* gain, float* out,
                           int64_t m, int64_t dim, float eps, cudaStream_t stream) {
  if (m <= 0) return;
  rmsnorm_gather_kernel<<<static_cast<unsigned>(m), kThreads, 0, stream>>>(x, rows, gain, out, dim,
                                                                           eps);
  CUDA_CHECK_LAUNCH("rmsnorm_gather_kernel");
}

}  // namespace softcot::cuda
