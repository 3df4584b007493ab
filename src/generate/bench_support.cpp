#include "generate/bench_support.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/thread_pool.h"

namespace softcot::generate {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

__attribute__((target("avx2"))) float sum_avx2(const float* p, size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
         a3 = _mm256_setzero_ps();
  for (size_t i = 0; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
    a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
  }
  float out[8];
  _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

size_t status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(std::strlen(field)));
  }
  return 0;
}

}  // namespace

double measure_read_bandwidth_gbs(size_t bytes) {
  const size_t floats = bytes / sizeof(float) / 4096 * 4096;
  float* buffer = static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float)));
  ThreadPool& pool = ThreadPool::instance();
  pool.parallel_for(static_cast<int64_t>(floats / 4096), 64, [&](int64_t b, int64_t e) {
    for (size_t i = static_cast<size_t>(b) * 4096; i < static_cast<size_t>(e) * 4096; ++i) buffer[i] = 1.0f;
  });
  const int64_t chunks = pool.size();
  std::vector<float> partial(static_cast<size_t>(chunks));
  double best = 0.0;
  for (int pass = 0; pass < 5; ++pass) {
    const auto start = Clock::now();
    pool.parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        const size_t per = floats / static_cast<size_t>(chunks) / 32 * 32;
        partial[c] = sum_avx2(buffer + static_cast<size_t>(c) * per, per);
      }
    });
    best = std::max(best, static_cast<double>(floats * sizeof(float)) / seconds_since(start) / 1e9);
  }
  volatile float keep = partial[0];  // the sums must not be optimised away
  (void)keep;
  std::free(buffer);
  return best;
}

size_t peak_rss_bytes() { return status_kib("VmHWM:") * 1024; }

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

size_t kv_cache_bytes(const io::ModelConfig& c, int64_t tokens) {
  return static_cast<size_t>(2 * c.num_hidden_layers * tokens * c.num_key_value_heads * c.head_dim) *
         sizeof(float);
}

DecodeTiming time_generation(model::Model& model, std::span<const int32_t> prompt,
                             const GenerationParams& params) {
  Clock::time_point first_token;
  int64_t tokens = 0;
  const TokenCallback on_token = [&](int64_t, int32_t) {
    if (tokens++ == 0) first_token = Clock::now();
  };
  const auto start = Clock::now();
  generate_from_ids(model, prompt, params, PhiloxKey{}, &on_token);
  DecodeTiming t;
  t.prefill_seconds = std::chrono::duration<double>(first_token - start).count();
  t.decode_seconds = seconds_since(first_token);
  return t;
}

}  // namespace softcot::generate
