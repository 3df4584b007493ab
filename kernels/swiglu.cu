// SwiGLU: out = silu(gate) * up, element-wise, in f32 (silu(g) = g / (1 + exp(-g)), the
// CPU twin's formula). Two layouts: separate gate/up buffers (the Backend interface) and
// the packed [n, 2 * inter] output of one fused gate|up GEMM (the batched decode path),
// which saves a launch and a pass over the intermediate activations.
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

// Preconditions: out may alias gate (each element is read before it is written).
__global__ void swiglu_kernel(const float* gate, const float* __restrict__ up, float* out,
                              int64_t count) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const float g = gate[i];
    out[i] = g / (1.0f + expf(-g)) * up[i];
  }
}

// Preconditions: out [n, inter] does not alias gate_up [n, 2 * inter].
__global__ void swiglu_packed_kernel(const float* __restrict__ gate_up, float* __restrict__ out,
                                     int64_t n, int64_t inter) {
  const int64_t count = n * inter;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = i / inter, col = i - row * inter;
    const float g = gate_up[row * 2 * inter + col];
    out[i] = g / (1.0f + expf(-g)) * gate_up[row * 2 * inter + inter + col];
  }
}

}  // namespace

void launch_swiglu(const float* gate, const float* up, float* out, int64_t count,
                   cudaStream_t stream) {
  if (count <= 0) return;
  swiglu_kernel<<<grid_for(count, 256), 256, 0, stream>>>(gate, up, out, count);
  CUDA_CHECK_LAUNCH("swiglu_kernel");
}

void launch_swiglu_packed(const float* gate_up, float* out, int64_t n, int64_t inter,
                          cudaStream_t stream) {
  if (n * inter <= 0) return;
  swiglu_packed_kernel<<<grid_for(n * inter, 256), 256, 0, stream>>>(gate_up, out, n, inter);
  CUDA_CHECK_LAUNCH("swiglu_packed_kernel");
}

}  // namespace softcot::cuda
