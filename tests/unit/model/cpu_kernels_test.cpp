// Each CPU op against a naive double-precision reference, on the AVX2 path and on the
// portable path, with sizes that exercise the vector tails and the thread split.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/half.h"
#include "model/backend.h"
#include "model/cpu_kernels.h"

namespace softcot::model {
namespace {

struct StoredMatrix {
  std::vector<uint16_t> halves;
  std::vector<float> floats;
  std::vector<double> exact;  // the values the stored bits mean
  WeightMatrix view;
};

StoredMatrix random_matrix(io::DType dtype, int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  StoredMatrix m;
  for (int64_t i = 0; i < rows * cols; ++i) {
    const float v = dist(gen);
    if (dtype == io::DType::kBF16) {
      m.halves.push_back(f32_to_bf16(v));
      m.exact.push_back(bf16_to_f32(m.halves.back()));
    } else if (dtype == io::DType::kF16) {
      m.halves.push_back(f32_to_f16(v));
      m.exact.push_back(f16_to_f32(m.halves.back()));
    } else {
      m.floats.push_back(v);
      m.exact.push_back(v);
    }
  }
  const void* data = dtype == io::DType::kF32 ? static_cast<const void*>(m.floats.data())
                                              : static_cast<const void*>(m.halves.data());
  m.view = WeightMatrix{dtype, rows, cols, data};
  return m;
}

std::vector<float> random_vector(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

class KernelPaths : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!GetParam() && !cpu::has_avx2_fma_f16c()) GTEST_SKIP() << "no AVX2/FMA/F16C here";
    cpu::force_portable_kernels(GetParam());
  }
  void TearDown() override { cpu::force_portable_kernels(false); }
};

TEST_P(KernelPaths, MatmulMatchesNaiveForEveryDtypeAndShape) {
  for (io::DType dtype : {io::DType::kBF16, io::DType::kF16, io::DType::kF32}) {
    for (int64_t n : {1, 2, 3, 7}) {
      for (auto [rows, cols] : {std::pair<int64_t, int64_t>{37, 45}, {64, 896}, {129, 8}}) {
        const StoredMatrix w = random_matrix(dtype, rows, cols, 1 + static_cast<uint32_t>(rows));
        const std::vector<float> x = random_vector(n * cols, 2);
        const std::vector<float> bias = random_vector(rows, 3);
        std::vector<float> y(static_cast<size_t>(n * rows));
        cpu::matmul(x.data(), n, w.view, bias.data(), y.data());
        for (int64_t t = 0; t < n; ++t) {
          for (int64_t r = 0; r < rows; ++r) {
            double ref = bias[r], magnitude = std::abs(bias[r]);
            for (int64_t c = 0; c < cols; ++c) {
              ref += w.exact[r * cols + c] * x[t * cols + c];
              magnitude += std::abs(w.exact[r * cols + c] * x[t * cols + c]);
            }
            // f32 accumulation in any order: error bounded by ~cols * eps * sum |terms|.
            ASSERT_NEAR(y[t * rows + r], ref, 1e-6 * magnitude + 1e-6)
                << io::dtype_name(dtype) << " n=" << n << " " << rows << "x" << cols;
          }
        }
      }
    }
  }
}

TEST_P(KernelPaths, AttentionIsCausalSoftmaxOverTheGroupsKeyValueHead) {
  const int64_t heads = 4, kv_heads = 2, head_dim = 24, start = 5, n = 3;
  const int64_t total = start + n;
  const std::vector<float> q = random_vector(n * heads * head_dim, 4);
  const std::vector<float> k = random_vector(total * kv_heads * head_dim, 5);
  const std::vector<float> v = random_vector(total * kv_heads * head_dim, 6);
  std::vector<float> out(static_cast<size_t>(n * heads * head_dim));
  cpu::attention(q.data(), k.data(), v.data(), out.data(), n, start, heads, kv_heads, head_dim);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t h = 0; h < heads; ++h) {
      const int64_t g = h / (heads / kv_heads);
      std::vector<double> p;
      double total_p = 0.0;
      for (int64_t j = 0; j <= start + i; ++j) {
        double dot = 0.0;
        for (int64_t d = 0; d < head_dim; ++d) {
          dot += q[(i * heads + h) * head_dim + d] * k[(j * kv_heads + g) * head_dim + d];
        }
        p.push_back(std::exp(dot / std::sqrt(static_cast<double>(head_dim))));
        total_p += p.back();
      }
      for (int64_t d = 0; d < head_dim; ++d) {
        double ref = 0.0;
        for (size_t j = 0; j < p.size(); ++j) ref += p[j] / total_p * v[(j * kv_heads + g) * head_dim + d];
        ASSERT_NEAR(out[(i * heads + h) * head_dim + d], ref, 1e-5) << i << " " << h << " " << d;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CpuPaths, KernelPaths, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "portable" : "avx2"; });

TEST(CpuBackend, RmsNormMatchesTheFormula) {
  auto backend = make_cpu_backend();
  const int64_t n = 3, dim = 50;
  const std::vector<float> x = random_vector(n * dim, 7), gain = random_vector(dim, 8);
  std::vector<float> out(static_cast<size_t>(n * dim));
  backend->rmsnorm(x.data(), gain.data(), out.data(), n, dim, 1e-6f);
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (int64_t d = 0; d < dim; ++d) sum += static_cast<double>(x[i * dim + d]) * x[i * dim + d];
    const double inv = 1.0 / std::sqrt(sum / dim + 1e-6);
    for (int64_t d = 0; d < dim; ++d) ASSERT_NEAR(out[i * dim + d], gain[d] * x[i * dim + d] * inv, 1e-5);
  }
}

TEST(CpuBackend, RopeRotatesNeoxPairsByPositionTimesInverseFrequency) {
  auto backend = make_cpu_backend();
  const int64_t heads = 2, head_dim = 8, half = head_dim / 2;
  const std::vector<int64_t> positions = {0, 3, 1000};
  const std::vector<float> x = random_vector(3 * heads * head_dim, 9);
  std::vector<float> y = x;
  const double theta = 1e6;
  std::vector<float> inv_freq(static_cast<size_t>(half));
  for (int64_t j = 0; j < half; ++j) inv_freq[j] = static_cast<float>(std::pow(theta, -2.0 * j / head_dim));
  backend->rope_neox(y.data(), 3, heads, head_dim, positions, inv_freq.data());
  for (size_t i = 0; i < positions.size(); ++i) {
    for (int64_t h = 0; h < heads; ++h) {
      const float* a = x.data() + (i * heads + h) * head_dim;
      const float* b = y.data() + (i * heads + h) * head_dim;
      for (int64_t j = 0; j < half; ++j) {
        const double angle = positions[i] * static_cast<double>(inv_freq[j]);
        const double re = a[j] * std::cos(angle) - a[j + half] * std::sin(angle);
        const double im = a[j + half] * std::cos(angle) + a[j] * std::sin(angle);
        // f32 angles at position 1000 carry ~1e-4 absolute error, as HF's do.
        ASSERT_NEAR(b[j], re, 2e-4) << positions[i] << " " << j;
        ASSERT_NEAR(b[j + half], im, 2e-4) << positions[i] << " " << j;
      }
    }
  }
}

TEST(CpuBackend, SwigluAndResidualAreElementwise) {
  auto backend = make_cpu_backend();
  const std::vector<float> gate = {-2.0f, 0.0f, 1.5f}, up = {3.0f, 4.0f, -1.0f};
  std::vector<float> out(3);
  backend->swiglu(gate.data(), up.data(), out.data(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(out[i], gate[i] / (1.0 + std::exp(-gate[i])) * up[i], 1e-6);
  }
  std::vector<float> x = {1.0f, 2.0f, 3.0f};
  backend->add_inplace(x.data(), up.data(), 3);
  EXPECT_EQ(x, (std::vector<float>{4.0f, 6.0f, 2.0f}));
}

TEST(CpuBackend, EmbeddingGatherConvertsTheChosenRows) {
  auto backend = make_cpu_backend();
  const StoredMatrix table = random_matrix(io::DType::kBF16, 10, 12, 11);
  const std::vector<int32_t> ids = {7, 0, 7};
  std::vector<float> out(ids.size() * 12);
  backend->embedding_gather(table.view, ids, out.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    for (int64_t c = 0; c < 12; ++c) ASSERT_EQ(out[i * 12 + c], table.exact[ids[i] * 12 + c]);
  }
}

}  // namespace
}  // namespace softcot::model
