#pragma once
// Logits processing and sampling on the GPU: the twin of the production CPU sampler,
// generate::pick_token (src/generate/logits_processors.h), step for step and sum for sum,
// so that both pick the same token from the same Philox u (tests/gpu/kernels_test.cpp
// compares them on the same draws):
//   1. repetition penalty over the tokens generated so far (each distinct id once:
//      negative logits times the penalty, others divided by it), as HF;
//   2. greedy: argmax, the lowest id on ties (torch.argmax) -- nothing else applies;
//   3. temperature (logits / t), top-k (every logit >= the k-th largest survives, ties
//      included, as HF), top-p (HF's rule: survivors sorted ascending by (logit, id), f32
//      softmax summed in that order, f64 running sum of the f32 probabilities, a token
//      goes when that sum rounded to f32 is <= 1 - top_p, the most likely always stays);
//   4. the inverse CDF in id order: weights exp(l - max) in f64, the first token whose
//      running sum exceeds u * total, u = Philox::uniform({seed, sample, sequence}, step).
// top_k must be in 1 .. kMaxSamplingCandidates on the GPU (generation configs set it;
// HF's default is 50); ties at the k-th value beyond that cap are dropped, and top_k 0
// ("off" on the CPU) means the cap here.
#include <cuda_runtime.h>

#include <cstdint>

namespace softcot::cuda {

inline constexpr int kMaxSamplingCandidates = 2048;

// One row of logits to sample from. `history` points to the row's generated tokens
// (device memory).
struct SampleRow {
  float temperature = 1.0f;
  float top_p = 1.0f;
  float repetition_penalty = 1.0f;
  int32_t top_k = 50;
  int32_t greedy = 0;
  int32_t history_len = 0;
  const int32_t* history = nullptr;
  int32_t append_to_history = 0;  // also store the token at history[history_len]
  uint64_t seed = 0;
  uint32_t sample_index = 0;
  uint32_t sequence_index = 0;
  uint32_t step = 0;
};

// logits [n_rows, vocab] f32, modified in place (penalty, temperature); rows [n_rows] on
// the device; out_tokens [n_rows] on the device.
void launch_sample_tokens(float* logits, const SampleRow* rows, int64_t n_rows, int64_t vocab,
                          int32_t* out_tokens, cudaStream_t stream);

}  // namespace softcot::cuda
