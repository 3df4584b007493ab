#pragma once
// The seam between the Qwen2 forward pass and the hardware. The model code calls these
// ops in order and never knows which backend it has: the CPU one here, a CUDA one in
// kernels/ next. Every op works on buffers the backend allocated (host memory for the
// CPU, device memory for CUDA) and on weight matrices the backend prepared from the
// mmapped safetensors views (the CPU keeps them where they are, in bf16/f16/f32).
//
// Shapes are row-major, written [rows, cols]. Activations are always f32.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "io/safetensors.h"

namespace softcot::model {

class Backend;

// Memory owned by a backend: f32 activations, KV caches, small f32 vectors.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Backend* owner, float* data, int64_t floats) : owner_(owner), data_(data), floats_(floats) {}
  Buffer(Buffer&& other) noexcept { *this = std::move(other); }
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  float* data() const { return data_; }
  int64_t floats() const { return floats_; }

 private:
  Backend* owner_ = nullptr;
  float* data_ = nullptr;
  int64_t floats_ = 0;
};

// A weight matrix W [rows, cols] in its stored dtype; `data` is where the backend reads
// it (the mmap for the CPU). Matmuls compute x W^T, as torch.nn.Linear does.
struct WeightMatrix {
  io::DType dtype = io::DType::kF32;
  int64_t rows = 0;
  int64_t cols = 0;
  const void* data = nullptr;
  size_t bytes() const { return static_cast<size_t>(rows * cols) * io::dtype_size(dtype); }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;

  // --- memory ---
  virtual Buffer allocate(int64_t floats) = 0;  // zero-filled
  virtual void release(float* data) = 0;        // called by ~Buffer
  virtual void upload(std::span<const float> host, float* device) = 0;
  virtual void download(const float* device, std::span<float> host) = 0;
  virtual void copy(const float* from, float* to, int64_t floats) = 0;
  // A 2-D weight in place (CPU) or copied to the device; the view must outlive it.
  virtual WeightMatrix prepare_weight(const io::TensorView& tensor) = 0;
  // A 1-D weight (norm gain, bias) as f32 in a buffer: small, so converting is fine.
  virtual Buffer prepare_vector(const io::TensorView& tensor) = 0;

  // --- ops (preconditions in the comments; `n` is a number of token rows) ---
  // out[i, :] = table[ids[i], :] converted to f32; ids already checked < table.rows.
  virtual void embedding_gather(const WeightMatrix& table, std::span<const int32_t> ids,
                                float* out) = 0;
  // out[i, :] = x[i, :] * rsqrt(mean(x[i, :]^2) + eps) * gain; in f32 as HF does. out may be x.
  virtual void rmsnorm(const float* x, const float* gain, float* out, int64_t n, int64_t dim,
                       float eps) = 0;
  // y[n, w.rows] = x[n, w.cols] w^T (+ bias[w.rows] when not null).
  virtual void matmul(const float* x, int64_t n, const WeightMatrix& w, const float* bias,
                      float* y) = 0;
  // NEOX RoPE in place on x[n, heads, head_dim]: pairs (j, j + head_dim/2) rotated by the
  // f32 angle float(positions[i]) * inv_freq[j]. inv_freq [head_dim/2] is this backend's
  // memory, filled once from model::rope_inv_freq(config).
  virtual void rope_neox(float* x, int64_t n, int64_t heads, int64_t head_dim,
                         std::span<const int64_t> positions, const float* inv_freq) = 0;
  // Causal grouped-query attention for n new queries q[n, heads, head_dim] at positions
  // start .. start+n-1, against cached keys/values k, v [start+n, kv_heads, head_dim]
  // (the new rows already stored). out[n, heads * head_dim]. Scale 1/sqrt(head_dim).
  virtual void attention(const float* q, const float* k_cache, const float* v_cache, float* out,
                         int64_t n, int64_t start, int64_t heads, int64_t kv_heads,
                         int64_t head_dim) = 0;
  // out[i] = silu(gate[i]) * up[i] for i < count. out may be gate.
  virtual void swiglu(const float* gate, const float* up, float* out, int64_t count) = 0;
  // x[i] += y[i] for i < count (the residual stream).
  virtual void add_inplace(float* x, const float* y, int64_t count) = 0;
  // out[j, :] = x[rows[j], :] for rows of width `dim`.
  virtual void gather_rows(const float* x, std::span<const int64_t> rows, int64_t dim,
                           float* out) = 0;
};

// The backend a process uses unless told otherwise: the CPU one.
std::unique_ptr<Backend> make_cpu_backend();

}  // namespace softcot::model
