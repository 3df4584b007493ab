// softcot bench: prefill and decode speed of the CPU forward pass at real Qwen2.5 shapes
// (random bf16 weights made in memory, or a model directory), against the machine's
// read bandwidth measured here, and peak resident memory during decode.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "generate/generate.h"
#include "io/model_dir.h"
#include "generate/bench_support.h"
#include "model/random_weights.h"

namespace softcot::cli {
namespace {

struct BenchOptions {
  std::vector<std::string> shapes{"0.5b", "1.5b"};
  std::string model_dir;
  int64_t prompt_tokens = 64;
  int64_t decode_tokens = 32;
  int threads = 0;
  int64_t bandwidth_mib = 1024;
};

void bench_one(model::Model& model, const std::string& label, const BenchOptions& o,
               double bandwidth_gbs) {
  std::vector<int32_t> prompt(static_cast<size_t>(o.prompt_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>((i * 7919 + 13) % 150000);
  generate::GenerationParams params;  // greedy: the sampler's cost is not what is measured
  params.max_new_tokens = o.decode_tokens + 1;
  generate::reset_peak_rss();
  const generate::DecodeTiming t = generate::time_generation(model, prompt, params);
  const double rss = static_cast<double>(generate::peak_rss_bytes());
  const double weights = static_cast<double>(model.weight_bytes());
  const double kv = static_cast<double>(generate::kv_cache_bytes(model.config(), o.prompt_tokens + params.max_new_tokens));
  const double decode_tps = o.decode_tokens / t.decode_seconds;
  const double decode_gbs = weights * decode_tps / 1e9;
  std::cout << fmt::format(
      "{}: {} layers, hidden {}, vocab {}, {} threads\n"
      "  prefill  {:5d} tokens  {:8.1f} tokens/s\n"
      "  decode   {:5d} tokens  {:8.2f} tokens/s  {:.3f} GB of weights read per token  "
      "{:.1f} GB/s = {:.0f}% of measured read bandwidth (goal >= 70%)\n"
      "  peak RSS during decode {:.0f} MiB vs weights {:.0f} MiB + KV cache {:.1f} MiB: "
      "{:+.1f}% (goal <= +15%)\n",
      label, model.config().num_hidden_layers, model.config().hidden_size,
      model.config().vocab_size, ThreadPool::instance().size(), o.prompt_tokens,
      o.prompt_tokens / t.prefill_seconds, o.decode_tokens, decode_tps, weights / 1e9, decode_gbs,
      100.0 * decode_gbs / bandwidth_gbs, rss / 1048576.0, weights / 1048576.0, kv / 1048576.0,
      100.0 * (rss / (weights + kv) - 1.0));
}

int run(int argc, char** argv) {
  BenchOptions o;
  po::options_description options("bench options");
  options.add_options()
      ("shape", po::value(&o.shapes)->multitoken()->default_value(o.shapes, "0.5b 1.5b"),
       "real shapes with random bf16 weights: 0.5b, 1.5b (Qwen2.5), llama3.2-1b, llama3.1-8b")
      ("model", po::value(&o.model_dir), "a model directory instead of --shape")
      ("prompt_tokens", po::value(&o.prompt_tokens)->default_value(o.prompt_tokens), "prefill length")
      ("decode_tokens", po::value(&o.decode_tokens)->default_value(o.decode_tokens), "decoded tokens timed")
      ("threads", po::value(&o.threads)->default_value(0), "threads (0: every CPU allowed)")
      ("bandwidth_mib", po::value(&o.bandwidth_mib)->default_value(o.bandwidth_mib),
       "buffer size for the read bandwidth measurement");
  const auto parsed = parse_command_line(
      argc, argv, "softcot bench [--shape 0.5b 1.5b llama3.2-1b | --model DIR] [--prompt_tokens N] "
                  "[--decode_tokens N] [--threads T]", options);
  if (!parsed) return 0;
  if (o.prompt_tokens < 1 || o.decode_tokens < 1) throw usage_error("token counts must be >= 1");
  ThreadPool::set_default_threads(o.threads);
  const double bandwidth = generate::measure_read_bandwidth_gbs(o.bandwidth_mib << 20);
  std::cout << fmt::format("read bandwidth ({} threads, {} MiB buffer): {:.1f} GB/s\n",
                           ThreadPool::instance().size(), o.bandwidth_mib, bandwidth);
  auto backend = model::make_cpu_backend();
  if (!o.model_dir.empty()) {
    auto m = model::Model::load(io::open_model_dir(o.model_dir), *backend);
    bench_one(*m, o.model_dir, o, bandwidth);
    return 0;
  }
  for (const std::string& shape : o.shapes) {
    const io::ModelConfig config = model::model_shape(shape);
    auto m = model::make_random_model(config, 1234, *backend);
    bench_one(*m, config.source_path + ", random bf16", o, bandwidth);
  }
  return 0;
}

const RegisterCommand kRegister{{"bench", "prefill/decode speed vs memory bandwidth at Qwen2.5 and Llama-3 shapes", &run}};

}  // namespace
}  // namespace softcot::cli
