// Every CUDA op against its CPU twin (the CPU backend's op, or the production sampler)
// on random inputs: |gpu - cpu| <= atol + |cpu| * rtol, rtol 0.079 where the GPU rounds
// to bf16 (cuBLASLt GEMMs), 1e-5 for f32 results (atol scaled with the length of the
// reductions, whose order differs).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numeric>

#include "core/error.h"
#include "core/half.h"
#include "core/philox.h"
#include "cuda_backend.h"
#include "generate/logits_processors.h"
#include "gpu_test_util.h"
#include "model/rope.h"
#include "sampling.h"

namespace softcot {
namespace {

using gputest::close;
using gputest::kBf16Rtol;
using gputest::kF32Rtol;
using gputest::random_vector;

// A 2-D weight in host memory (bf16 or f32) and its TensorView.
struct HostWeight {
  std::vector<uint16_t> bf16;
  std::vector<float> f32;
  io::TensorView view;
  HostWeight(int64_t rows, int64_t cols, io::DType dtype, uint64_t seed, float scale = 0.05f) {
    std::vector<float> v = random_vector(static_cast<size_t>(rows * cols), seed, scale);
    view.name = "w";
    view.dtype = dtype;
    view.shape = {rows, cols};
    if (dtype == io::DType::kBF16) {
      bf16.resize(v.size());
      for (size_t i = 0; i < v.size(); ++i) bf16[i] = f32_to_bf16(v[i]);
      view.data = bf16.data();
      view.nbytes = bf16.size() * 2;
    } else {
      f32 = v;
      view.data = f32.data();
      view.nbytes = f32.size() * 4;
    }
  }
};

class CudaOps : public ::testing::Test {
 protected:
  void SetUp() override {
    SOFTCOT_REQUIRE_GPU();
    cpu_ = model::make_cpu_backend();
    gpu_ = std::make_unique<cuda::CudaBackend>(0);
  }
  model::Buffer put(model::Backend& b, const std::vector<float>& host) {
    model::Buffer buf = b.allocate(static_cast<int64_t>(host.size()));
    b.upload(host, buf.data());
    return buf;
  }
  std::vector<float> get(model::Backend& b, const model::Buffer& buf, int64_t floats) {
    std::vector<float> host(static_cast<size_t>(floats));
    b.download(buf.data(), host);
    return host;
  }
  std::unique_ptr<model::Backend> cpu_;
  std::unique_ptr<cuda::CudaBackend> gpu_;
};

TEST(CudaProbe, NoDeviceIsAFailureWithAReasonNotACrash) {
  std::string why;
  if (cuda::cuda_available(&why)) GTEST_SKIP() << "a CUDA device is present: nothing to check";
  EXPECT_FALSE(why.empty());
  try {
    cuda::make_cuda_backend(0);
    FAIL() << "make_cuda_backend succeeded without a device";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFailure);
    EXPECT_NE(std::string(e.what()).find("no CUDA device: "), std::string::npos) << e.what();
  }
}

TEST_F(CudaOps, EmbeddingGatherBf16AndF32WithOverrides) {
  for (io::DType dtype : {io::DType::kBF16, io::DType::kF32}) {
    const int64_t vocab = 1000, hidden = 72;
    HostWeight table(vocab, hidden, dtype, 1);
    const model::WeightMatrix tc = cpu_->prepare_weight(table.view);
    const model::WeightMatrix tg = gpu_->prepare_weight(table.view);
    const std::vector<int32_t> ids = {5, 999, 0, 17, 17, 400, 3};
    model::Buffer oc = cpu_->allocate(7 * hidden), og = gpu_->allocate(7 * hidden);
    cpu_->embedding_gather(tc, ids, oc.data());
    gpu_->embedding_gather(tg, ids, og.data());
    std::vector<float> expect = get(*cpu_, oc, 7 * hidden);
    EXPECT_TRUE(close(get(*gpu_, og, 7 * hidden), expect, 0.0f, 0.0f));
    // Soft-thought rows 2 and 4 overwritten: exactly the override values there.
    const std::vector<float> rows = random_vector(2 * hidden, 2);
    const std::vector<int64_t> at = {2, 4};
    gpu_->embedding_gather_with_overrides(tg, ids, rows, at, og.data());
    for (size_t j = 0; j < at.size(); ++j) {
      std::copy(rows.begin() + j * hidden, rows.begin() + (j + 1) * hidden,
                expect.begin() + at[j] * hidden);
    }
    EXPECT_TRUE(close(get(*gpu_, og, 7 * hidden), expect, 0.0f, 0.0f));
  }
}

TEST_F(CudaOps, RmsnormAndGatherRows) {
  const int64_t n = 13, dim = 896;
  const std::vector<float> x = random_vector(n * dim, 3, 2.0f);
  const std::vector<float> gain = random_vector(dim, 4);
  model::Buffer xc = put(*cpu_, x), xg = put(*gpu_, x), gc = put(*cpu_, gain), gg = put(*gpu_, gain);
  model::Buffer oc = cpu_->allocate(n * dim), og = gpu_->allocate(n * dim);
  cpu_->rmsnorm(xc.data(), gc.data(), oc.data(), n, dim, 1e-6f);
  gpu_->rmsnorm(xg.data(), gg.data(), og.data(), n, dim, 1e-6f);
  EXPECT_TRUE(close(get(*gpu_, og, n * dim), get(*cpu_, oc, n * dim), 1e-6f, 1e-5f));
  // In place (out == x) too.
  gpu_->rmsnorm(xg.data(), gg.data(), xg.data(), n, dim, 1e-6f);
  EXPECT_TRUE(close(get(*gpu_, xg, n * dim), get(*cpu_, oc, n * dim), 1e-6f, 1e-5f));

  const std::vector<int64_t> rows = {12, 0, 5};
  model::Buffer rc = cpu_->allocate(3 * dim), rg = gpu_->allocate(3 * dim);
  cpu_->gather_rows(oc.data(), rows, dim, rc.data());
  gpu_->gather_rows(og.data(), rows, dim, rg.data());
  EXPECT_TRUE(close(get(*gpu_, rg, 3 * dim), get(*cpu_, rc, 3 * dim), 1e-6f, kF32Rtol));
}

// n <= 8 takes the bf16 matvec (f32 activations: f32 products, only the summation order
// differs); n > 8 rounds the activations to bf16 for cuBLASLt (bf16 tolerance).
TEST_F(CudaOps, MatmulBf16MatvecAndGemmWithBiasAndResidual) {
  const int64_t rows = 1000, cols = 896;
  HostWeight w(rows, cols, io::DType::kBF16, 5);
  const model::WeightMatrix wc = cpu_->prepare_weight(w.view), wg = gpu_->prepare_weight(w.view);
  const std::vector<float> bias = random_vector(rows, 6, 0.1f);
  model::Buffer bc = put(*cpu_, bias), bg = put(*gpu_, bias);
  for (int64_t n : {1, 3, 8, 9, 64}) {
    const std::vector<float> x = random_vector(n * cols, 7 + n);
    model::Buffer xc = put(*cpu_, x), xg = put(*gpu_, x);
    model::Buffer yc = cpu_->allocate(n * rows), yg = gpu_->allocate(n * rows);
    cpu_->matmul(xc.data(), n, wc, bc.data(), yc.data());
    gpu_->matmul(xg.data(), n, wg, bg.data(), yg.data());
    const std::vector<float> expect = get(*cpu_, yc, n * rows);
    const bool matvec = n <= cuda::kMatvecMaxRows;
    // |x w| sums 896 products of ~N(0,1) * 0.05: scale ~1.5; atol from the reduction.
    const float atol = matvec ? 2e-5f : 0.02f;
    const float rtol = matvec ? kF32Rtol : kBf16Rtol;
    EXPECT_TRUE(close(get(*gpu_, yg, n * rows), expect, atol, rtol)) << "n = " << n;
    // Residual fused: y += x w^T + bias.
    gpu_->matmul_accumulate(xg.data(), n, wg, bg.data(), yg.data(), true);
    std::vector<float> twice = expect;
    for (float& v : twice) v *= 2.0f;
    EXPECT_TRUE(close(get(*gpu_, yg, n * rows), twice, 2 * atol, rtol)) << "n = " << n;
  }
}

TEST_F(CudaOps, MatmulF32IsExactF32) {
  const int64_t rows = 130, cols = 64, n = 17;
  HostWeight w(rows, cols, io::DType::kF32, 8);
  const model::WeightMatrix wc = cpu_->prepare_weight(w.view), wg = gpu_->prepare_weight(w.view);
  const std::vector<float> x = random_vector(n * cols, 9);
  model::Buffer xc = put(*cpu_, x), xg = put(*gpu_, x);
  model::Buffer yc = cpu_->allocate(n * rows), yg = gpu_->allocate(n * rows);
  cpu_->matmul(xc.data(), n, wc, nullptr, yc.data());
  gpu_->matmul(xg.data(), n, wg, nullptr, yg.data());
  EXPECT_TRUE(close(get(*gpu_, yg, n * rows), get(*cpu_, yc, n * rows), 1e-5f, kF32Rtol));
}

// Llama-3.2-1B's RoPE (theta 5e5, llama3 factor 32), from the one host computation.
std::vector<float> llama3_inv_freq(int64_t head_dim) {
  io::ModelConfig c;
  c.head_dim = head_dim;
  c.rope_theta = 500000.0;
  c.rope_scaling.type = "llama3";
  c.rope_scaling.factor = 32.0;
  return model::rope_inv_freq(c);
}

TEST_F(CudaOps, RopeNeox) {
  const int64_t n = 9, heads = 14, head_dim = 64;
  const std::vector<float> x = random_vector(n * heads * head_dim, 10);
  std::vector<int64_t> positions(n);
  std::iota(positions.begin(), positions.end(), 1000);
  model::Buffer xc = put(*cpu_, x), xg = put(*gpu_, x);
  const std::vector<float> inv = llama3_inv_freq(head_dim);
  model::Buffer fc = put(*cpu_, inv), fg = put(*gpu_, inv);
  cpu_->rope_neox(xc.data(), n, heads, head_dim, positions, fc.data());
  gpu_->rope_neox(xg.data(), n, heads, head_dim, positions, fg.data());
  EXPECT_TRUE(close(get(*gpu_, xg, x.size()), get(*cpu_, xc, x.size()), 1e-6f, kF32Rtol));
}

// The fused prologue equals matmul(+bias) into q / the cache rows, then RoPE on q and k.
TEST_F(CudaOps, FusedQkvBiasRopeCacheWriteMatchesTheUnfusedCpuOps) {
  const int64_t n = 5, heads = 4, kv_heads = 2, hd = 16, start = 3, capacity = 16;
  const int64_t q_dim = heads * hd, kv_dim = kv_heads * hd, width = q_dim + 2 * kv_dim;
  const std::vector<float> qkv = random_vector(n * width, 11);
  const std::vector<float> qb = random_vector(q_dim, 12), kb = random_vector(kv_dim, 13),
                           vb = random_vector(kv_dim, 14);
  std::vector<int64_t> positions(n);
  std::iota(positions.begin(), positions.end(), start);
  // CPU: split, add biases, rotate.
  std::vector<float> q(n * q_dim), k(capacity * kv_dim, 0.0f), v(capacity * kv_dim, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < q_dim; ++c) q[i * q_dim + c] = qkv[i * width + c] + qb[c];
    for (int64_t c = 0; c < kv_dim; ++c) {
      k[(start + i) * kv_dim + c] = qkv[i * width + q_dim + c] + kb[c];
      v[(start + i) * kv_dim + c] = qkv[i * width + q_dim + kv_dim + c] + vb[c];
    }
  }
  model::Buffer qc = put(*cpu_, q), kc = put(*cpu_, k);
  const std::vector<float> inv = llama3_inv_freq(hd);
  model::Buffer fc = put(*cpu_, inv), fg = put(*gpu_, inv);
  cpu_->rope_neox(qc.data(), n, heads, hd, positions, fc.data());
  cpu_->rope_neox(kc.data() + start * kv_dim, n, kv_heads, hd, positions, fc.data());

  model::Buffer in = put(*gpu_, qkv), dqb = put(*gpu_, qb), dkb = put(*gpu_, kb), dvb = put(*gpu_, vb);
  model::Buffer qg = gpu_->allocate(n * q_dim), kg = gpu_->allocate(capacity * kv_dim),
                vg = gpu_->allocate(capacity * kv_dim);
  std::vector<float> pos_as_float;  // positions go to the device as int64
  auto* d_pos = static_cast<int64_t*>(gpu_->device_alloc(n * 8, "positions"));
  cudaMemcpy(d_pos, positions.data(), n * 8, cudaMemcpyHostToDevice);
  cuda::launch_qkv_bias_rope_cache_write(in.data(), dqb.data(), dkb.data(), dvb.data(), d_pos,
                                         nullptr, fg.data(), qg.data(), kg.data(),
                                         vg.data(), 0, n, heads, kv_heads, hd, gpu_->stream());
  EXPECT_TRUE(close(get(*gpu_, qg, n * q_dim), get(*cpu_, qc, n * q_dim), 1e-6f, kF32Rtol));
  EXPECT_TRUE(close(get(*gpu_, kg, capacity * kv_dim), get(*cpu_, kc, capacity * kv_dim), 1e-6f, kF32Rtol));
  EXPECT_TRUE(close(get(*gpu_, vg, capacity * kv_dim), v, 1e-6f, kF32Rtol));
}

// Prefill (one tile and many, with and without earlier cache rows) and decode with the
// sequence split (n = 1 against a long cache), at the 0.5B and 1.5B head shapes.
TEST_F(CudaOps, AttentionPrefillAndSplitDecode) {
  struct Case { int64_t n, start, heads, kv_heads, hd; };
  for (const Case c : {Case{37, 0, 14, 2, 64}, Case{20, 11, 12, 2, 128}, Case{1, 1500, 14, 2, 64},
                       Case{1, 700, 12, 2, 128}, Case{2, 300, 4, 2, 16}}) {
    const int64_t keys = c.start + c.n, kv_dim = c.kv_heads * c.hd;
    const std::vector<float> q = random_vector(c.n * c.heads * c.hd, 20 + c.n);
    const std::vector<float> k = random_vector(keys * kv_dim, 21 + c.start);
    const std::vector<float> v = random_vector(keys * kv_dim, 22 + c.start);
    model::Buffer qc = put(*cpu_, q), kc = put(*cpu_, k), vc = put(*cpu_, v);
    model::Buffer qg = put(*gpu_, q), kg = put(*gpu_, k), vg = put(*gpu_, v);
    model::Buffer oc = cpu_->allocate(c.n * c.heads * c.hd), og = gpu_->allocate(c.n * c.heads * c.hd);
    cpu_->attention(qc.data(), kc.data(), vc.data(), oc.data(), c.n, c.start, c.heads, c.kv_heads, c.hd);
    gpu_->attention(qg.data(), kg.data(), vg.data(), og.data(), c.n, c.start, c.heads, c.kv_heads, c.hd);
    EXPECT_TRUE(close(get(*gpu_, og, c.n * c.heads * c.hd), get(*cpu_, oc, c.n * c.heads * c.hd),
                      2e-6f, 1e-4f))
        << "n " << c.n << " start " << c.start << " head_dim " << c.hd;
  }
}

TEST_F(CudaOps, SwigluAndResidualAdd) {
  const int64_t count = 3 * 4864 + 5;
  const std::vector<float> g = random_vector(count, 30, 3.0f), u = random_vector(count, 31);
  model::Buffer gc = put(*cpu_, g), uc = put(*cpu_, u), gg = put(*gpu_, g), ug = put(*gpu_, u);
  cpu_->swiglu(gc.data(), uc.data(), gc.data(), count);
  gpu_->swiglu(gg.data(), ug.data(), gg.data(), count);
  EXPECT_TRUE(close(get(*gpu_, gg, count), get(*cpu_, gc, count), 1e-6f, kF32Rtol));
  cpu_->add_inplace(uc.data(), gc.data(), count);
  gpu_->add_inplace(ug.data(), gg.data(), count);
  EXPECT_TRUE(close(get(*gpu_, ug, count), get(*cpu_, uc, count), 1e-6f, kF32Rtol));
}

// What the production CPU sampler (generate::pick_token, the generation loop's) picks for
// `row` with the same Philox draw as the kernel.
int32_t cpu_pick(std::span<float> logits, const cuda::SampleRow& row, const std::vector<int32_t>& history) {
  generate::SamplingParams params;
  params.do_sample = row.greedy == 0;
  params.temperature = row.temperature;
  params.top_k = row.top_k;
  params.top_p = row.top_p;
  params.repetition_penalty = row.repetition_penalty;
  const PhiloxKey key{row.seed, row.sample_index, row.sequence_index};
  return generate::pick_token(logits, history, params, Philox::uniform(key, row.step));
}

// GPU sampling picks what the production CPU sampler picks from the same draws: greedy,
// top-k, top-p, penalty, temperature.
TEST_F(CudaOps, SamplingMatchesTheProductionCpuSampler) {
  const int64_t vocab = 151936, rows = 24;
  std::vector<float> logits = random_vector(rows * vocab, 40, 3.0f);
  std::vector<int32_t> history = {5, 17, 17, 151935, 99, 5};
  auto* d_hist = static_cast<int32_t*>(gpu_->device_alloc(history.size() * 4, "history"));
  cudaMemcpy(d_hist, history.data(), history.size() * 4, cudaMemcpyHostToDevice);
  std::vector<cuda::SampleRow> host_rows(rows), dev_rows(rows);
  for (int64_t r = 0; r < rows; ++r) {
    cuda::SampleRow s;
    s.greedy = r % 6 == 0;
    s.top_k = r % 3 == 0 ? 20 : (r % 3 == 1 ? 50 : 1);
    s.top_p = r % 4 == 0 ? 0.8f : 1.0f;
    s.temperature = r % 5 == 0 ? 0.7f : 1.0f;
    s.repetition_penalty = r % 2 == 0 ? 1.05f : 1.0f;
    s.history_len = static_cast<int32_t>(history.size());
    s.seed = 1234;
    s.sample_index = static_cast<uint32_t>(r);
    s.step = static_cast<uint32_t>(7 * r);
    host_rows[r] = s;
    host_rows[r].history = history.data();
    dev_rows[r] = s;
    dev_rows[r].history = d_hist;
  }
  model::Buffer dl = put(*gpu_, logits);
  auto* d_rows = static_cast<cuda::SampleRow*>(gpu_->device_alloc(rows * sizeof(cuda::SampleRow), "rows"));
  cudaMemcpy(d_rows, dev_rows.data(), rows * sizeof(cuda::SampleRow), cudaMemcpyHostToDevice);
  auto* d_out = static_cast<int32_t*>(gpu_->device_alloc(rows * 4, "tokens"));
  cuda::launch_sample_tokens(dl.data(), d_rows, rows, vocab, d_out, gpu_->stream());
  gpu_->synchronize("sampling test");
  std::vector<int32_t> got(rows);
  cudaMemcpy(got.data(), d_out, rows * 4, cudaMemcpyDeviceToHost);
  for (int64_t r = 0; r < rows; ++r) {
    std::span<float> row(logits.data() + r * vocab, static_cast<size_t>(vocab));
    EXPECT_EQ(got[r], cpu_pick(row, host_rows[r], history)) << "row " << r;
  }
}

}  // namespace
}  // namespace softcot
