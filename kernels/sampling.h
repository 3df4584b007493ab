#pragma once
// Logits processing and sampling, on the GPU and its CPU twin, with one contract:
//   1. repetition penalty over the tokens generated so far (each distinct id once:
//      negative logits times the penalty, others divided by it), as HF;
//   2. greedy: argmax, the lowest id on ties (torch.argmax) -- nothing else applies;
//   3. temperature (logits / t), top-k (every logit >= the k-th largest survives, ties
//      included, as HF), top-p (HF's rule: sort ascending, drop tokens whose cumulative
//      probability is <= 1 - top_p, keep at least one), in that order (HF's);
//   4. the survivors sorted by (logit descending, id ascending), probabilities
//      exp(l - max) summed in that order, and the token is the first whose running sum
//      exceeds u * total, u = Philox::uniform({seed, sample, sequence}, step).
// top_k must be in 1 .. kMaxSamplingCandidates on the GPU (generation configs set it;
// HF's default is 50); ties at the k-th value beyond that cap are dropped.
#include <cuda_runtime.h>

#include <cstdint>
#include <span>

namespace softcot::cuda {

inline constexpr int kMaxSamplingCandidates = 2048;

// One row of logits to sample from. `history` points to the row's generated tokens
// (device memory for the GPU kernel, host memory for the CPU twin).
struct SampleRow {
  float temperature = 1.0f;
  float top_p = 1.0f;
  float repetition_penalty = 1.0f;
  int32_t top_k = 50;
  int32_t greedy = 0;
  int32_t history_len = 0;
  const int32_t* history = nullptr;
  int32_t append_to_history = 0;  // GPU: also store the token at history[history_len]
  uint64_t seed = 0;
  uint32_t sample_index = 0;
  uint32_t sequence_index = 0;
  uint32_t step = 0;
};

// logits [n_rows, vocab] f32, modified in place (penalty, temperature); rows [n_rows] on
// the device; out_tokens [n_rows] on the device.
void launch_sample_tokens(float* logits, const SampleRow* rows, int64_t n_rows, int64_t vocab,
                          int32_t* out_tokens, cudaStream_t stream);

// The CPU twin of one row (logits modified in place), the reference of the GPU tests.
int32_t sample_token_reference(std::span<float> logits, const SampleRow& row);

}  // namespace softcot::cuda
