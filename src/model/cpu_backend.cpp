// The CPU backend: host memory, weights used in place from the mmap, kernels from
// cpu_matmul.cpp / cpu_attention.cpp, and the cheap element-wise ops here.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "core/thread_pool.h"
#include "model/backend.h"
#include "model/cpu_kernels.h"

namespace softcot::model {

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr && data_ != nullptr) owner_->release(data_);
    owner_ = other.owner_;
    data_ = other.data_;
    floats_ = other.floats_;
    other.owner_ = nullptr;
    other.data_ = nullptr;
    other.floats_ = 0;
  }
  return *this;
}

Buffer::~Buffer() {
  if (owner_ != nullptr && data_ != nullptr) owner_->release(data_);
}

namespace {

// Element-wise loops split in chunks big enough to be worth a thread.
constexpr int64_t kElementGrain = 16384;

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }

  Buffer allocate(int64_t floats) override {
    const size_t bytes = std::max<size_t>(64, (static_cast<size_t>(floats) * 4 + 63) / 64 * 64);
    void* p = std::aligned_alloc(64, bytes);
    if (p == nullptr) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    return Buffer(this, static_cast<float*>(p), floats);
  }
  void release(float* data) override { std::free(data); }
  void upload(std::span<const float> host, float* device) override {
    std::memcpy(device, host.data(), host.size_bytes());
  }
  void download(const float* device, std::span<float> host) override {
    std::memcpy(host.data(), device, host.size_bytes());
  }
  void copy(const float* from, float* to, int64_t floats) override {
    std::memmove(to, from, static_cast<size_t>(floats) * 4);
  }

  WeightMatrix prepare_weight(const io::TensorView& t) override {
    if (t.shape.size() != 2) throw bad_input(t.file, "tensor '" + t.name + "' is not a matrix");
    return WeightMatrix{t.dtype, t.shape[0], t.shape[1], t.data};
  }
  Buffer prepare_vector(const io::TensorView& t) override {
    Buffer out = allocate(t.numel());
    const WeightMatrix as_row{t.dtype, 1, t.numel(), t.data};
    cpu::weight_row_to_f32(as_row, 0, out.data());
    return out;
  }

  void embedding_gather(const WeightMatrix& table, std::span<const int32_t> ids,
                        float* out) override {
    const int64_t n = static_cast<int64_t>(ids.size());
    ThreadPool::instance().parallel_for(n, 8, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) cpu::weight_row_to_f32(table, ids[i], out + i * table.cols);
    });
  }

  void rmsnorm(const float* x, const float* gain, float* out, int64_t n, int64_t dim,
               float eps) override {
    ThreadPool::instance().parallel_for(n, 4, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const float* xi = x + i * dim;
        float* oi = out + i * dim;
        double sum_squares = 0.0;
        for (int64_t d = 0; d < dim; ++d) sum_squares += static_cast<double>(xi[d]) * xi[d];
        const float variance = static_cast<float>(sum_squares / static_cast<double>(dim));
        const float inv_rms = 1.0f / std::sqrt(variance + eps);
        for (int64_t d = 0; d < dim; ++d) oi[d] = gain[d] * (xi[d] * inv_rms);
      }
    });
  }

  void matmul(const float* x, int64_t n, const WeightMatrix& w, const float* bias,
              float* y) override {
    cpu::matmul(x, n, w, bias, y);
  }

  void rope_neox(float* x, int64_t n, int64_t heads, int64_t head_dim,
                 std::span<const int64_t> positions, const float* inv_freq) override {
    const int64_t half = head_dim / 2;
    ThreadPool::instance().parallel_for(n, 4, [&](int64_t b, int64_t e) {
      std::vector<float> cos_v(static_cast<size_t>(half)), sin_v(static_cast<size_t>(half));
      for (int64_t i = b; i < e; ++i) {
        for (int64_t j = 0; j < half; ++j) {
          const float angle = static_cast<float>(positions[i]) * inv_freq[j];
          cos_v[j] = static_cast<float>(std::cos(static_cast<double>(angle)));
          sin_v[j] = static_cast<float>(std::sin(static_cast<double>(angle)));
        }
        for (int64_t h = 0; h < heads; ++h) {
          float* v = x + (i * heads + h) * head_dim;
          for (int64_t j = 0; j < half; ++j) {
            const float a = v[j], b2 = v[j + half];
            v[j] = a * cos_v[j] - b2 * sin_v[j];
            v[j + half] = b2 * cos_v[j] + a * sin_v[j];
          }
        }
      }
    });
  }

  void attention(const float* q, const float* k_cache, const float* v_cache, float* out,
                 int64_t n, int64_t start, int64_t heads, int64_t kv_heads,
                 int64_t head_dim) override {
    cpu::attention(q, k_cache, v_cache, out, n, start, heads, kv_heads, head_dim);
  }

  void swiglu(const float* gate, const float* up, float* out, int64_t count) override {
    ThreadPool::instance().parallel_for(count, kElementGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
    });
  }

  void add_inplace(float* x, const float* y, int64_t count) override {
    for (int64_t i = 0; i < count; ++i) x[i] += y[i];
  }

  void gather_rows(const float* x, std::span<const int64_t> rows, int64_t dim,
                   float* out) override {
    for (size_t j = 0; j < rows.size(); ++j) {
      std::memcpy(out + j * dim, x + rows[j] * dim, static_cast<size_t>(dim) * 4);
    }
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace softcot::model
