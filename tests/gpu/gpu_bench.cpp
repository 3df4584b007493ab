// softcot-gpu-bench: the figures tests/gpu/device_check.sh prints, measured by driving
// the CudaBackend and the BatchedGenerator directly with random bf16 weights (no model
// files, no tokenizer): copy bandwidth, batch-1 decode tokens/s and its fraction of
// that bandwidth, prefill tokens/s, generated tokens/s at batch 64 and 256, and a
// SoftCoT pass (assistant prefill -> projection -> base generation of a fixed number of
// tokens) over `--samples` questions with a per-sample checkpoint record.
//
// Usage: softcot-gpu-bench [--quick] [--samples N] [--new-tokens N] [--checkpoint PATH]
#include <cuda_runtime.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "batched_generator.h"
#include "core/error.h"
#include "cuda_backend.h"
#include "cuda_check.h"
#include "random_model.h"

using namespace softcot;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double copy_bandwidth(cuda::CudaBackend& be) {
  const size_t bytes = size_t{2} << 30;
  void *a = be.device_alloc(bytes, "bandwidth src"), *b = be.device_alloc(bytes, "bandwidth dst");
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  CUDA_CHECK("bandwidth warm-up", cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, be.stream()));
  cudaEventRecord(e0, be.stream());
  const int reps = 10;
  for (int i = 0; i < reps; ++i) cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, be.stream());
  cudaEventRecord(e1, be.stream());
  be.synchronize("bandwidth copy");
  float ms = 0.0f;
  cudaEventElapsedTime(&ms, e0, e1);
  return 2.0 * bytes * reps / (ms * 1e-3);  // read + write
}

cuda::GenRequest request(int64_t sample, int64_t prompt, int32_t new_tokens, int64_t vocab) {
  cuda::GenRequest r;
  r.sample = sample;
  gputest::Rng rng(static_cast<uint64_t>(sample) + 1);
  for (int64_t i = 0; i < prompt; ++i) r.prompt_ids.push_back(static_cast<int32_t>(rng.next() % vocab));
  r.max_new_tokens = new_tokens;
  r.stop_at_eos = false;
  r.sampling.top_k = 20;
  r.sampling.repetition_penalty = 1.05f;
  r.sampling.seed = 42;
  return r;
}

struct Shape {
  std::string name;
  io::ModelConfig config;
  std::unique_ptr<gputest::RandomWeights> weights;
  std::unique_ptr<cuda::BatchedGenerator> gen;
};

void bench_shape(cuda::CudaBackend& be, Shape& s, double bandwidth, bool quick) {
  const int64_t vocab = s.config.vocab_size;
  auto discard = [](cuda::GenResult&&) {};
  // Batch-1 decode: one sequence, 128-token prompt, then timed decode steps.
  {
    s.gen->submit(request(0, 128, quick ? 64 : 256, vocab));
    s.gen->step(discard);  // prefill
    s.gen->step(discard);  // graph capture
    const auto t0 = Clock::now();
    int64_t steps = 0;
    while (!s.gen->idle()) { s.gen->step(discard); ++steps; }
    const double t = seconds_since(t0);
    const double tok_s = steps / t;
    const int64_t kv_row = s.config.num_hidden_layers * 2 * s.config.num_key_value_heads * s.config.head_dim * 4;
    const double bytes = static_cast<double>(s.gen->weight_bytes()) + kv_row * (128 + 130.0);
    std::printf("%s batch-1 decode: %.1f tokens/s, %.2f GB read/token, %.1f%% of copy bandwidth\n",
                s.name.c_str(), tok_s, bytes / 1e9, 100.0 * bytes * tok_s / bandwidth);
  }
  // Prefill: 8 prompts of 512 tokens in one packed step.
  {
    for (int i = 0; i < 8; ++i) s.gen->submit(request(100 + i, 512, 0, vocab));
    be.synchronize("before prefill");
    const auto t0 = Clock::now();
    const int64_t rows = s.gen->step(discard);
    const double t = seconds_since(t0);
    const double flops = 2.0 * rows * static_cast<double>(s.gen->weight_bytes()) / 2.0;
    std::printf("%s prefill: %.0f tokens/s (%lld rows in one step, %.1f TFLOP/s on the weights)\n",
                s.name.c_str(), rows / t, static_cast<long long>(rows), flops / t / 1e12);
  }
  // Batched generation at 64 and 256 sequences.
  for (int64_t b : {int64_t{64}, int64_t{256}}) {
    if (b > s.gen->slots()) {
      std::printf("%s batch %lld: only %lld slots fit\n", s.name.c_str(), static_cast<long long>(b),
                  static_cast<long long>(s.gen->slots()));
      continue;
    }
    const int32_t new_tokens = quick ? 32 : 128;
    for (int64_t i = 0; i < b; ++i) s.gen->submit(request(1000 + i, 128, new_tokens, vocab));
    int64_t generated = 0;
    const auto t0 = Clock::now();
    s.gen->run([&](cuda::GenResult&& r) { generated += static_cast<int64_t>(r.tokens.size()); });
    const double t = seconds_since(t0);
    std::printf("%s batch %lld: %.0f generated tokens/s (%lld tokens, prefill included)\n", s.name.c_str(),
                static_cast<long long>(b), generated / t, static_cast<long long>(generated));
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int64_t samples = 1319, thoughts = 4;
  int32_t new_tokens = 256;
  std::string checkpoint = "/tmp/softcot-gpu-bench.ckpt";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--samples" && i + 1 < argc) samples = std::stoll(argv[++i]);
    else if (a == "--new-tokens" && i + 1 < argc) new_tokens = std::stoi(argv[++i]);
    else if (a == "--checkpoint" && i + 1 < argc) checkpoint = argv[++i];
  }
  try {
    cuda::CudaBackend be(0);
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::printf("device: %s, %d SMs, %.1f GiB\n", prop.name, prop.multiProcessorCount,
                prop.totalGlobalMem / 1073741824.0);
    const double bw = copy_bandwidth(be);
    std::printf("device-to-device copy bandwidth: %.0f GB/s\n", bw / 1e9);

    Shape small{"0.5B", gputest::qwen_shape("0.5B"), nullptr, nullptr};
    Shape base{"1.5B", gputest::qwen_shape("1.5B"), nullptr, nullptr};
    cuda::BatchedGenerator::Options opt;
    opt.max_batch = 256;
    opt.max_seq_len = 512;
    opt.max_step_tokens = 8192;
    opt.memory_fraction = 0.4;  // two models share the GPU
    for (Shape* s : {&small, &base}) {
      const auto t0 = Clock::now();
      s->weights = std::make_unique<gputest::RandomWeights>(io::DType::kBF16, 7, true);
      s->gen = std::make_unique<cuda::BatchedGenerator>(be, s->config, s->weights->lookup(), opt);
      std::printf("%s: %.2f GB of weights, %lld KV slots of %lld tokens (set up in %.1f s)\n", s->name.c_str(),
                  s->gen->weight_bytes() / 1e9, static_cast<long long>(s->gen->slots()),
                  static_cast<long long>(opt.max_seq_len), seconds_since(t0));
      std::fflush(stdout);
    }
    for (Shape* s : {&small, &base}) {
      bench_shape(be, *s, bw, quick);
      std::fflush(stdout);
    }

    // SoftCoT pass: assistant (0.5B shape) prefill with hidden states at the thought
    // placeholders, projection to the base width on the GPU, base (1.5B shape) generation
    // of a fixed number of tokens, each finished sample appended to a checkpoint file and
    // fsync'ed in groups (a stand-in for the HDF5 store's commit).
    {
      const int64_t ha = small.config.hidden_size, hb = base.config.hidden_size;
      gputest::RandomWeights proj(io::DType::kBF16, 99, true);
      const model::WeightMatrix pw = be.prepare_weight(proj.get("projection.weight", {hb, ha}));
      model::Buffer pb = be.prepare_vector(proj.get("projection.bias", {hb}));
      const int fd = ::open(checkpoint.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) throw io_error(checkpoint, "cannot open the checkpoint file");
      const auto t0 = Clock::now();
      const int64_t assistant_prompt = 120, base_prompt = 160;
      for (int64_t i = 0; i < samples; ++i) {
        cuda::GenRequest r = request(i, assistant_prompt, 0, small.config.vocab_size);
        for (int64_t k = 0; k < thoughts; ++k) r.hidden_at.push_back(assistant_prompt - 1 - thoughts + k);
        small.gen->submit(std::move(r));
      }
      model::Buffer in = be.allocate(thoughts * ha), out = be.allocate(thoughts * hb);
      small.gen->run([&](cuda::GenResult&& a) {
        be.upload(a.hidden, in.data());
        be.matmul(in.data(), thoughts, pw, pb.data(), out.data());
        cuda::GenRequest r = request(a.sample, base_prompt, new_tokens, base.config.vocab_size);
        r.override_rows.resize(static_cast<size_t>(thoughts * hb));
        be.download(out.data(), r.override_rows);
        for (int64_t k = 0; k < thoughts; ++k) r.override_positions.push_back(40 + k);
        base.gen->submit(std::move(r));
      });
      const double t_assistant = seconds_since(t0);
      int64_t done = 0;
      base.gen->run([&](cuda::GenResult&& g) {
        const int64_t header[2] = {g.sample, static_cast<int64_t>(g.tokens.size())};
        if (::write(fd, header, sizeof(header)) < 0 ||
            ::write(fd, g.tokens.data(), g.tokens.size() * 4) < 0) {
          throw io_error(checkpoint, "write failed");
        }
        if (++done % 64 == 0) ::fsync(fd);
      });
      ::fsync(fd);
      ::close(fd);
      const double t = seconds_since(t0);
      std::printf("SoftCoT pass: %lld samples x %d new tokens in %.1f s = %.1f samples/s "
                  "(assistant + projection %.1f s), checkpoint %s\n",
                  static_cast<long long>(done), new_tokens, t, done / t, t_assistant, checkpoint.c_str());
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "softcot-gpu-bench: %s\n", e.what());
    return e.exit_code();
  }
  return 0;
}
