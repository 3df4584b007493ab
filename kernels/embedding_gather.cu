// Embedding gather with the soft-thought rows overwritten.
//
// SoftCoT feeds the base model its prompt embeddings with the N placeholder rows replaced
// by projected assistant hidden states. Rather than gather then overwrite (two passes over
// those rows), one kernel picks, per output row, either the table row (bf16 or f32,
// converted to f32) or the override row. One block per output row; 16-byte loads where
// the row width allows. Memory-bound: it reads n * cols weights once.
#include "cuda_check.h"
#include "device_common.cuh"
#include "launchers.h"

namespace softcot::cuda {

namespace {

// Preconditions: ids[i] < table rows (checked on the host); override_slot[i] < override
// rows; blockDim.x a multiple of 32. Grid: one block per output row.
template <bool kBf16>
__global__ void embedding_gather_with_overrides_kernel(const void* __restrict__ table, int64_t cols,
                                                       const int32_t* __restrict__ ids,
                                                       const int32_t* __restrict__ override_slot,
                                                       const float* __restrict__ override_rows,
                                                       float* __restrict__ out) {
  const int64_t i = blockIdx.x;
  float* dst = out + i * cols;
  const int32_t slot = override_slot != nullptr ? override_slot[i] : -1;
  if (slot >= 0) {
    const float* src = override_rows + static_cast<int64_t>(slot) * cols;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) dst[c] = src[c];
    return;
  }
  const int64_t row = ids[i];
  if constexpr (kBf16) {
    const uint16_t* src = static_cast<const uint16_t*>(table) + row * cols;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) dst[c] = bf16_bits_to_f32(src[c]);
  } else {
    const float* src = static_cast<const float*>(table) + row * cols;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) dst[c] = src[c];
  }
}

}  // namespace

void launch_embedding_gather(const void* table, io::DType dtype, int64_t cols, const int32_t* ids,
                             const int32_t* override_slot, const float* override_rows, float* out,
                             int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  if (dtype == io::DType::kBF16) {
    embedding_gather_with_overrides_kernel<true><<<static_cast<unsigned>(n), 256, 0, stream>>>(
        table, cols, ids, override_slot, override_rows, out);
  } else {
    embedding_gather_with_overrides_kernel<false><<<static_cast<unsigned>(n), 256, 0, stream>>>(
        table, cols, ids, override_slot, override_rows, out);
  }
  CUDA_CHECK_LAUNCH("embedding_gather_with_overrides_kernel");
}

}  // namespace softcot::cuda
