#pragma once
// Batched generation on one GPU: continuous batching over a fixed number of KV-cache
// slots. Each step runs one forward pass over a packed set of rows: one row per
// sequence that is decoding plus the whole prompt of each newly admitted request
// (prefill interleaved with decode); a finished sequence frees its slot at once and the
// next queued request takes it in the next step. Sampling runs on the GPU
// (sampling.h); only the new token ids come back to the host per step.
//
// Own weight layout (not model::Model's): q|k|v and gate|up stacked into single GEMMs,
// the residual adds fused into the o/down GEMMs, bias + RoPE + cache write fused.
// KV cache: per layer [slots, capacity, kv_heads * head_dim] f32, slots sized from the
// GPU's free memory (clear error when even one does not fit).
// Pure-decode steps can be captured once as a CUDA graph and replayed (Options::graphs).
//
// Status: compile-tested only in the session that wrote it (no GPU); docs/cuda.md.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "cuda_backend.h"
#include "io/model_config.h"
#include "model/model.h"
#include "sampling.h"

namespace softcot::cuda {

struct GenRequest {
  int64_t sample = 0;      // Philox sample index, and named in CUDA errors
  uint32_t sequence = 0;   // Philox sequence index (num_return_sequences)
  std::vector<int32_t> prompt_ids;
  std::vector<float> override_rows;         // [k, hidden]: SoftCoT thoughts
  std::vector<int64_t> override_positions;  // [k] prompt rows they replace
  std::vector<int64_t> hidden_at;           // prompt rows whose final-norm hidden state is wanted
  int32_t max_new_tokens = 256;             // 0: prefill only (an assistant pass)
  SampleRow sampling;                       // history/step fields are filled in here
  std::vector<int32_t> eos_ids;
  bool stop_at_eos = true;                  // false: fixed length (benchmarks)
};

struct GenResult {
  int64_t sample = 0;
  uint32_t sequence = 0;
  std::vector<int32_t> tokens;   // new tokens, eos included when it stopped there
  std::vector<float> hidden;     // [hidden_at.size(), hidden]
};

class BatchedGenerator {
 public:
  struct Options {
    int64_t max_batch = 64;          // slots (concurrent sequences), cut to what fits
    int64_t max_seq_len = 1536;      // prompt + new tokens per sequence
    int64_t max_step_tokens = 8192;  // rows of one packed step (prefill budget)
    double memory_fraction = 0.85;   // of the free memory after weights, for KV + scratch
    bool graphs = true;              // capture pure-decode steps as a CUDA graph
  };

  BatchedGenerator(CudaBackend& backend, const io::ModelConfig& config,
                   const model::TensorLookup& tensors, Options options);
  ~BatchedGenerator();

  int64_t slots() const { return slots_; }
  size_t weight_bytes() const { return weight_bytes_; }
  void submit(GenRequest request) { queue_.push_back(std::move(request)); }
  // Steps until every submitted request is done; on_done runs as each one finishes (the
  // caller commits it to the checkpoint there).
  void run(const std::function<void(GenResult&&)>& on_done);
  // One packed step (for benchmarks): returns the number of rows it ran.
  int64_t step(const std::function<void(GenResult&&)>& on_done);
  bool idle() const;

 private:
  struct Layer {
    model::Buffer norm1, norm2, q_bias, k_bias, v_bias;
    model::Buffer o_bias, gate_up_bias, down_bias;  // empty when the config has none
    model::WeightMatrix qkv, o, gate_up, down;
  };
  struct Slot {
    bool active = false;
    GenRequest request;
    GenResult result;
    int64_t length = 0;  // rows in the cache
    bool prefilled = false;
  };
  void forward_rows(int64_t rows, int64_t n_seqs, int64_t max_rows);
  void allocate_state();

  CudaBackend& be_;
  io::ModelConfig config_;
  Options options_;
  size_t weight_bytes_ = 0;
  model::WeightMatrix embed_, lm_head_;
  model::Buffer final_norm_;
  model::Buffer inv_freq_;  // [head_dim / 2], from model::rope_inv_freq(config)
  std::vector<Layer> layers_;
  int64_t slots_ = 0, capacity_ = 0, q_dim_ = 0, kv_dim_ = 0;
  std::vector<float*> k_cache_, v_cache_;  // per layer [slots, capacity, kv_dim]
  // Step buffers: T = max_step_tokens rows.
  float *x_ = nullptr, *h_ = nullptr, *qkv_ = nullptr, *q_ = nullptr, *attn_ = nullptr;
  float *gate_up_ = nullptr, *act_ = nullptr, *picked_ = nullptr, *logits_ = nullptr;
  float *hidden_out_ = nullptr, *attn_scratch_ = nullptr, *override_rows_ = nullptr;
  int32_t *ids_ = nullptr, *row_slot_ = nullptr, *override_slot_ = nullptr, *tokens_ = nullptr;
  int32_t* history_ = nullptr;  // [slots, capacity]
  int64_t *positions_ = nullptr, *last_rows_ = nullptr, *hidden_rows_ = nullptr;
  AttnSeq* seqs_ = nullptr;
  SampleRow* sample_rows_ = nullptr;
  int splits_ = 1;
  // Pinned host mirrors.
  void* pinned_ = nullptr;
  std::vector<Slot> slot_;
  std::deque<GenRequest> queue_;
  std::map<int64_t, cudaGraphExec_t> decode_graphs_;  // pure-decode steps, by sequence count
};

}  // namespace softcot::cuda
