#pragma once
// The CUDA backend: model::Backend on one GPU, plus the fused paths the batched
// generator uses (they are not in the Backend interface).
//
// Memory: activations, KV caches and vectors are f32 device buffers from a caching
// allocator (the model allocates its scratch per forward call; cudaMalloc per call would
// dominate decode). Weights: bf16 stays bf16, f16 is converted to bf16 on upload
// (Qwen2.5 ships bf16; f16 models lose 3 mantissa bits here), f32 stays f32 (the tiny
// test models, so greedy decoding matches the CPU). Everything runs on one stream;
// download() is the synchronisation point, and every CUDA error there or at a launch
// throws kCrashLike naming the kernel.
#include <cuda_runtime.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gemm.h"
#include "launchers.h"
#include "model/backend.h"

namespace softcot::cuda {

// True when a CUDA device is usable; otherwise `why` (if given) says why, e.g.
// "CUDA driver version is insufficient for CUDA runtime version".
bool cuda_available(std::string* why = nullptr);

class CudaBackend final : public model::Backend {
 public:
  // Throws Error(kFailure, "cuda", "no CUDA device: <why>") when there is none.
  explicit CudaBackend(int device = 0);
  ~CudaBackend() override;

  const char* name() const override { return "cuda"; }

  model::Buffer allocate(int64_t floats) override;
  void release(float* data) override;
  void upload(std::span<const float> host, float* device) override;
  void download(const float* device, std::span<float> host) override;
  void copy(const float* from, float* to, int64_t floats) override;
  model::WeightMatrix prepare_weight(const io::TensorView& tensor) override;
  model::Buffer prepare_vector(const io::TensorView& tensor) override;

  void embedding_gather(const model::WeightMatrix& table, std::span<const int32_t> ids,
                        float* out) override;
  void rmsnorm(const float* x, const float* gain, float* out, int64_t n, int64_t dim,
               float eps) override;
  void matmul(const float* x, int64_t n, const model::WeightMatrix& w, const float* bias,
              float* y) override;
  void rope_neox(float* x, int64_t n, int64_t heads, int64_t head_dim,
                 std::span<const int64_t> positions, const float* inv_freq) override;
  void attention(const float* q, const float* k_cache, const float* v_cache, float* out, int64_t n,
                 int64_t start, int64_t heads, int64_t kv_heads, int64_t head_dim) override;
  void swiglu(const float* gate, const float* up, float* out, int64_t count) override;
  void add_inplace(float* x, const float* y, int64_t count) override;
  void gather_rows(const float* x, std::span<const int64_t> rows, int64_t dim, float* out) override;

  // --- beyond the interface (fused paths, batched generation) ---
  cudaStream_t stream() const { return stream_; }
  int device() const { return device_; }
  int sm_count() const { return sm_count_; }
  GemmRunner& gemm() { return *gemm_; }
  // Waits for the queued work; a CUDA error becomes kCrashLike naming `what`.
  void synchronize(const char* what);
  // y (+)= x w^T (+ bias): accumulate fuses the residual add into the GEMM.
  void matmul_accumulate(const float* x, int64_t n, const model::WeightMatrix& w, const float* bias,
                         float* y, bool accumulate);
  // Embedding gather with rows overwritten: out[positions[j], :] = override_rows[j, :]
  // (host f32 [positions.size(), table.cols]) and table rows elsewhere, in one kernel.
  void embedding_gather_with_overrides(const model::WeightMatrix& table, std::span<const int32_t> ids,
                                       std::span<const float> override_rows,
                                       std::span<const int64_t> override_positions, float* out);
  // Several 2-D weights with the same cols stacked by rows into one device matrix (the
  // fused q|k|v and gate|up GEMMs), in the first tensor's device dtype.
  model::WeightMatrix prepare_stacked_weight(std::span<const io::TensorView* const> tensors);
  // Raw device memory owned by the backend until it is destroyed (for the generator).
  void* device_alloc(size_t bytes, const char* what);
  // Free device memory now (for sizing the KV cache).
  size_t free_memory() const;

 private:
  template <typename T>
  T* stage(std::span<const T> host, int which);  // host -> device staging (stream-ordered)

  int device_ = 0;
  int sm_count_ = 0;
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<GemmRunner> gemm_;
  std::mutex mutex_;
  std::map<size_t, std::vector<float*>> free_blocks_;  // caching allocator, by rounded bytes
  std::unordered_map<float*, size_t> block_bytes_;
  std::vector<void*> owned_;  // weights and generator memory, freed at destruction
  struct Staging {
    void* data = nullptr;
    size_t bytes = 0;
  };
  Staging staging_[4];
  float* attention_scratch_ = nullptr;
  int64_t attention_scratch_floats_ = 0;
};

// The factory the CLI and the evaluation use: a CudaBackend, or kFailure "no CUDA device".
std::unique_ptr<model::Backend> make_cuda_backend(int device = 0);

}  // namespace softcot::cuda
