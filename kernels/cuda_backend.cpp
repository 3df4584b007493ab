// CudaBackend: memory, weight upload and the dispatch of the Backend ops to the kernel
// launchers (one .cu per op beside this file). Host code only, compiled by the C++
// compiler against the CUDA runtime.
#include "cuda_backend.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "core/log.h"
#include "cuda_check.h"

namespace softcot::cuda {

namespace {

size_t round_bytes(size_t bytes) {
  if (bytes < 256) return 256;
  if (bytes < (1u << 20)) return (bytes + 511) / 512 * 512;
  return (bytes + (1u << 20) - 1) / (1u << 20) * (1u << 20);
}

enum StagingSlot { kIds = 0, kPositions = 1, kRows = 2, kMisc = 3 };

}  // namespace

bool cuda_available(std::string* why) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    if (why != nullptr) *why = cudaGetErrorString(status);
    cudaGetLastError();  // clear the (non-sticky) error
    return false;
  }
  if (count == 0) {
    if (why != nullptr) *why = "no device found";
    return false;
  }
  return true;
}

CudaBackend::CudaBackend(int device) : device_(device) {
  std::string why;
  if (!cuda_available(&why)) throw failure("cuda", "no CUDA device: " + why);
  int count = 0;
  cudaGetDeviceCount(&count);
  if (device < 0 || device >= count) {
    throw failure("cuda", "no CUDA device: device " + std::to_string(device) + " of " +
                              std::to_string(count));
  }
  CUDA_CHECK("cudaSetDevice", cudaSetDevice(device));
  CUDA_CHECK("cudaDeviceGetAttribute", cudaDeviceGetAttribute(&sm_count_, cudaDevAttrMultiProcessorCount, device));
  CUDA_CHECK("cudaStreamCreate", cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  gemm_ = std::make_unique<GemmRunner>(stream_);
}

CudaBackend::~CudaBackend() {
  cudaStreamSynchronize(stream_);
  gemm_.reset();
  for (auto& [bytes, blocks] : free_blocks_) {
    for (float* p : blocks) cudaFree(p);
  }
  for (auto& [p, bytes] : block_bytes_) cudaFree(p);  // buffers still alive (should be none)
  for (void* p : owned_) cudaFree(p);
  for (Staging& s : staging_) cudaFree(s.data);
  cudaFree(attention_scratch_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

void CudaBackend::synchronize(const char* what) {
  CUDA_CHECK(what, cudaStreamSynchronize(stream_));
}

size_t CudaBackend::free_memory() const {
  size_t free_bytes = 0, total = 0;
  CUDA_CHECK("cudaMemGetInfo", cudaMemGetInfo(&free_bytes, &total));
  return free_bytes;
}

void* CudaBackend::device_alloc(size_t bytes, const char* what) {
  void* p = nullptr;
  const cudaError_t status = cudaMalloc(&p, std::max<size_t>(bytes, 256));
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw failure("cuda", std::string("out of GPU memory allocating ") + what + " (" +
                              std::to_string(bytes >> 20) + " MiB)");
  }
  CUDA_CHECK(what, status);
  owned_.push_back(p);
  return p;
}

model::Buffer CudaBackend::allocate(int64_t floats) {
  const size_t bytes = round_bytes(static_cast<size_t>(std::max<int64_t>(floats, 1)) * sizeof(float));
  float* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& list = free_blocks_[bytes];
    if (!list.empty()) {
      p = list.back();
      list.pop_back();
    }
  }
  if (p == nullptr) {
    const cudaError_t status = cudaMalloc(&p, bytes);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw failure("cuda", "out of GPU memory allocating " + std::to_string(bytes >> 20) + " MiB");
    }
    CUDA_CHECK("cudaMalloc (activation buffer)", status);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    block_bytes_[p] = bytes;
  }
  CUDA_CHECK("cudaMemsetAsync (zero-fill)", cudaMemsetAsync(p, 0, bytes, stream_));
  return model::Buffer(this, p, floats);
}

void CudaBackend::release(float* data) {
  // Stream-ordered reuse: the next user queues after every kernel that used this block.
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = block_bytes_.find(data);
  if (found == block_bytes_.end()) return;
  free_blocks_[found->second].push_back(data);
  block_bytes_.erase(found);
}

void CudaBackend::upload(std::span<const float> host, float* device) {
  CUDA_CHECK("upload (cudaMemcpyAsync)", cudaMemcpyAsync(device, host.data(), host.size_bytes(),
                                                         cudaMemcpyHostToDevice, stream_));
}

void CudaBackend::download(const float* device, std::span<float> host) {
  CUDA_CHECK("download (cudaMemcpyAsync)", cudaMemcpyAsync(host.data(), device, host.size_bytes(),
                                                           cudaMemcpyDeviceToHost, stream_));
  synchronize("download (waiting for the queued kernels)");
}

void CudaBackend::copy(const float* from, float* to, int64_t floats) {
  if (floats <= 0) return;
  CUDA_CHECK("copy (cudaMemcpyAsync)", cudaMemcpyAsync(to, from, static_cast<size_t>(floats) * 4,
                                                       cudaMemcpyDeviceToDevice, stream_));
}

model::WeightMatrix CudaBackend::prepare_weight(const io::TensorView& t) {
  if (t.shape.size() != 2) throw bad_input(t.file, "tensor '" + t.name + "' is not a matrix");
  const io::TensorView* one[] = {&t};
  return prepare_stacked_weight(one);
}

model::WeightMatrix CudaBackend::prepare_stacked_weight(std::span<const io::TensorView* const> tensors) {
  if (tensors.empty()) throw failure("cuda", "no tensors to stack");
  const int64_t cols = tensors[0]->shape.at(1);
  int64_t rows = 0;
  for (const io::TensorView* t : tensors) {
    if (t->shape.size() != 2 || t->shape[1] != cols) {
      throw bad_input(t->file, "tensor '" + t->name + "' cannot be stacked (shape)");
    }
    rows += t->shape[0];
  }
  // f32 stays f32 only when every part is f32; anything else becomes bf16.
  bool all_f32 = true;
  for (const io::TensorView* t : tensors) all_f32 = all_f32 && t->dtype == io::DType::kF32;
  const io::DType dtype = all_f32 ? io::DType::kF32 : io::DType::kBF16;
  const size_t elem = io::dtype_size(dtype);
  auto* dst = static_cast<char*>(device_alloc(static_cast<size_t>(rows * cols) * elem, "weights"));
  size_t offset = 0;
  std::vector<uint16_t> converted;
  for (const io::TensorView* t : tensors) {
    const size_t count = static_cast<size_t>(t->numel());
    const void* src = t->data;
    if (dtype == io::DType::kBF16 && t->dtype != io::DType::kBF16) {
      converted.resize(count);
      for (size_t i = 0; i < count; ++i) {
        const float f = t->dtype == io::DType::kF16 ? f16_to_f32(static_cast<const uint16_t*>(t->data)[i])
                                                    : static_cast<const float*>(t->data)[i];
        converted[i] = f32_to_bf16(f);
      }
      src = converted.data();
    }
    CUDA_CHECK("prepare_weight (cudaMemcpy)", cudaMemcpy(dst + offset, src, count * elem,
                                                         cudaMemcpyHostToDevice));
    offset += count * elem;
  }
  return model::WeightMatrix{dtype, rows, cols, dst};
}

model::Buffer CudaBackend::prepare_vector(const io::TensorView& t) {
  const int64_t n = t.numel();
  std::vector<float> host(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case io::DType::kBF16: host[i] = bf16_to_f32(static_cast<const uint16_t*>(t.data)[i]); break;
      case io::DType::kF16: host[i] = f16_to_f32(static_cast<const uint16_t*>(t.data)[i]); break;
      case io::DType::kF32: host[i] = static_cast<const float*>(t.data)[i]; break;
    }
  }
  model::Buffer out = allocate(n);
  upload(host, out.data());
  synchronize("prepare_vector");
  return out;
}

template <typename T>
T* CudaBackend::stage(std::span<const T> host, int which) {
  Staging& s = staging_[which];
  const size_t bytes = host.size_bytes();
  if (bytes > s.bytes) {
    synchronize("staging growth");
    cudaFree(s.data);
    s.data = nullptr;
    s.bytes = std::max<size_t>(bytes * 2, 4096);
    CUDA_CHECK("cudaMalloc (staging)", cudaMalloc(&s.data, s.bytes));
  }
  if (bytes > 0) {
    CUDA_CHECK("staging (cudaMemcpyAsync)",
               cudaMemcpyAsync(s.data, host.data(), bytes, cudaMemcpyHostToDevice, stream_));
  }
  return static_cast<T*>(s.data);
}

void CudaBackend::embedding_gather(const model::WeightMatrix& table, std::span<const int32_t> ids,
                                   float* out) {
  embedding_gather_with_overrides(table, ids, {}, {}, out);
}

void CudaBackend::embedding_gather_with_overrides(const model::WeightMatrix& table,
                                                  std::span<const int32_t> ids,
                                                  std::span<const float> override_rows,
                                                  std::span<const int64_t> override_positions,
                                                  float* out) {
  const int64_t n = static_cast<int64_t>(ids.size());
  const int32_t* d_ids = stage(ids, kIds);
  const int32_t* d_slots = nullptr;
  const float* d_rows = nullptr;
  if (!override_positions.empty()) {
    if (override_rows.size() != override_positions.size() * static_cast<size_t>(table.cols)) {
      throw failure("embedding_gather", "override rows do not match their positions");
    }
    std::vector<int32_t> slots(static_cast<size_t>(n), -1);
    for (size_t j = 0; j < override_positions.size(); ++j) {
      const int64_t p = override_positions[j];
      if (p < 0 || p >= n) throw failure("embedding_gather", "override position outside the prompt");
      slots[p] = static_cast<int32_t>(j);
    }
    d_slots = stage(std::span<const int32_t>(slots), kPositions);
    d_rows = stage(override_rows, kRows);
  }
  launch_embedding_gather(table.data, table.dtype, table.cols, d_ids, d_slots, d_rows, out, n, stream_);
}

void CudaBackend::rmsnorm(const float* x, const float* gain, float* out, int64_t n, int64_t dim,
                          float eps) {
  launch_rmsnorm(x, gain, out, n, dim, eps, stream_);
}

void CudaBackend::matmul(const float* x, int64_t n, const model::WeightMatrix& w, const float* bias,
                         float* y) {
  gemm_->matmul(x, n, w, bias, y, false);
}

void CudaBackend::matmul_accumulate(const float* x, int64_t n, const model::WeightMatrix& w,
                                    const float* bias, float* y, bool accumulate) {
  gemm_->matmul(x, n, w, bias, y, accumulate);
}

void CudaBackend::rope_neox(float* x, int64_t n, int64_t heads, int64_t head_dim,
                            std::span<const int64_t> positions, const float* inv_freq) {
  const int64_t* d_pos = stage(positions, kPositions);
  launch_rope_neox(x, n, heads, head_dim, d_pos, inv_freq, stream_);
}

void CudaBackend::attention(const float* q, const float* k_cache, const float* v_cache, float* out,
                            int64_t n, int64_t start, int64_t heads, int64_t kv_heads,
                            int64_t head_dim) {
  const AttnSeq seq{0, static_cast<int32_t>(n), static_cast<int32_t>(start), 0};
  const AttnSeq* d_seq = stage(std::span<const AttnSeq>(&seq, 1), kMisc);
  const int splits =
      attention_splits(1, n, start + n, kv_heads, heads / kv_heads, sm_count_);
  const int64_t need = attention_scratch_floats(n, heads, head_dim, splits);
  if (need > attention_scratch_floats_) {
    synchronize("attention scratch growth");
    cudaFree(attention_scratch_);
    CUDA_CHECK("cudaMalloc (attention scratch)",
               cudaMalloc(&attention_scratch_, static_cast<size_t>(need) * 4));
    attention_scratch_floats_ = need;
  }
  launch_attention(q, k_cache, v_cache, 0, d_seq, 1, n, n, heads, kv_heads, head_dim, splits,
                   attention_scratch_, out, stream_);
}

void CudaBackend::swiglu(const float* gate, const float* up, float* out, int64_t count) {
  launch_swiglu(gate, up, out, count, stream_);
}

void CudaBackend::add_inplace(float* x, const float* y, int64_t count) {
  launch_add_inplace(x, y, count, stream_);
}

void CudaBackend::gather_rows(const float* x, std::span<const int64_t> rows, int64_t dim, float* out) {
  const int64_t* d_rows = stage(rows, kRows);
  launch_gather_rows(x, d_rows, static_cast<int64_t>(rows.size()), dim, out, stream_);
}

std::unique_ptr<model::Backend> make_cuda_backend(int device) {
  return std::make_unique<CudaBackend>(device);
}

}  // namespace softcot::cuda
