// The residual add x += y. On the batched path the add is fused into the GEMM that
// produces y (beta = 1 in cuBLASLt, `accumulate` in the matvec), so this kernel serves
// the Backend interface's add_inplace. Grid-stride, 4 elements per thread when aligned.
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

// Preconditions: x and y do not overlap partially (x == y is fine: it doubles x).
__global__ void residual_add_kernel(float* x, const float* y, int64_t count) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    x[i] += y[i];
  }
}

}  // namespace

void launch_add_inplace(float* x, const float* y, int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  residual_add_kernel<<<grid_for(count, 256), 256, 0, stream>>>(x, y, count);
  CUDA_CHECK_LAUNCH("residual_add_kernel");
}

}  // namespace softcot::cuda
