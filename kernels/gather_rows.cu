// Gather of chosen rows (the positions whose hidden state or logits are wanted). The
// final norm usually follows; launch_gather_rmsnorm (rmsnorm.cu) fuses the two, and this
// plain copy serves the Backend interface's gather_rows.
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

// Preconditions: rows[j] is a valid row of x; out does not alias x. One block per row.
__global__ void gather_rows_kernel(const float* __restrict__ x, const int64_t* __restrict__ rows,
                                   int64_t dim, float* __restrict__ out) {
  const float* src = x + rows[blockIdx.x] * dim;
  float* dst = out + static_cast<int64_t>(blockIdx.x) * dim;
  for (int64_t d = threadIdx.x; d < dim; d += blockDim.x) dst[d] = src[d];
}

}  // namespace

void launch_gather_rows(const float* x, const int64_t* rows, int64_t m, int64_t dim, float* out,
                        cudaStream_t stream) {
  if (m <= 0) return;
  gather_rows_kernel<<<static_cast<unsigned>(m), 256, 0, stream>>>(x, rows, dim, out);
  CUDA_CHECK_LAUNCH("gather_rows_kernel");
}

}  // namespace softcot::cuda
