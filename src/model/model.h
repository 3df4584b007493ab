#pragma once
// The Qwen2 (and Llama-shaped) decoder: embeddings in, logits and final-norm hidden
// states out, over a batch of sequences that each own a KV cache. The math calls the
// Backend's ops and nothing else, so a CUDA backend runs the same code.
//
//   x = embeddings                                 [n, hidden]
//   per layer: x += o_proj(attn(rope(q), rope(k), v))   q/k/v from rmsnorm(x)
//              x += down(silu(gate(h)) * up(h))        h = rmsnorm(x)
//   (each projection with a bias where io::decoder_tensors says the config has one; RoPE
//   with model::rope_inv_freq(config), uploaded once)
//   hidden = norm(x); logits = hidden lm_head^T (lm_head = embed_tokens when tied)
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "io/model_dir.h"
#include "model/backend.h"
#include "model/kv_cache.h"

namespace softcot::model {

// One sequence's part of a forward call: its rows are appended after cache->length().
struct SequenceStep {
  KvCache* cache = nullptr;
  std::span<const float> embeddings;   // [n_tokens, hidden]
  std::span<const int64_t> logits_at;  // row indices within this step (0 .. n_tokens-1)
  std::span<const int64_t> hidden_at;  // rows whose final-norm hidden state is wanted
};

struct StepResult {
  std::vector<float> logits;  // [logits_at.size(), vocab]
  std::vector<float> hidden;  // [hidden_at.size(), hidden]
};

// Where the weights come from: a tensor by name, checked against an expected shape.
// The views must outlive the Model; `keep_alive` holds whatever owns them.
using TensorLookup =
    std::function<const io::TensorView&(const std::string& name, const std::vector<int64_t>& shape)>;

class Model {
 public:
  Model(const io::ModelConfig& config, const TensorLookup& tensors, Backend& backend,
        std::shared_ptr<const void> keep_alive = nullptr);
  // A model directory (io::open_model_dir); the Model keeps it (and its mmaps) alive.
  static std::unique_ptr<Model> load(io::ModelDir dir, Backend& backend);

  const io::ModelConfig& config() const { return config_; }
  Backend& backend() const { return *backend_; }
  size_t weight_bytes() const { return weight_bytes_; }  // what one decode step reads

  KvCache new_cache(int64_t capacity) const { return KvCache(*backend_, config_, capacity); }

  // Token embeddings [ids.size(), hidden]; throws bad_input for ids outside the vocab.
  std::vector<float> embed(std::span<const int32_t> ids) const;

  // Runs every sequence's new rows through the decoder, appending to its cache.
  std::vector<StepResult> forward(std::span<const SequenceStep> batch);

  // A prompt's rows in chunks of prefill_chunk_rows(): between chunks the heartbeat beats
  // and a stop request throws Interrupted, so a 15k-token prompt neither looks hung to a
  // watchdog nor ignores SIGTERM. Same rows out as forward() of the whole prompt at once
  // (logits_at/hidden_at index the whole prompt).
  StepResult prefill(KvCache& cache, std::span<const float> embeddings, std::span<const int64_t> logits_at,
                     std::span<const int64_t> hidden_at);
  static constexpr int64_t kDefaultPrefillChunkRows = 64;
  int64_t prefill_chunk_rows() const { return prefill_chunk_rows_; }
  void set_prefill_chunk_rows(int64_t rows) { prefill_chunk_rows_ = rows < 1 ? 1 : rows; }

  // One pass without a cache over `n_tokens` embedding rows; final-norm hidden states
  // [positions.size(), hidden] (HF hidden_states[-1]). Stops after the last requested
  // position, since attention is causal.
  std::vector<float> hidden_states_at(std::span<const float> embeddings, int64_t n_tokens,
                                      std::span<const int64_t> positions);

  // Same, returning logits [positions.size(), vocab].
  std::vector<float> logits_at(std::span<const float> embeddings, int64_t n_tokens,
                               std::span<const int64_t> positions);

 private:
  struct Layer {
    Buffer input_norm, post_attention_norm;
    WeightMatrix q, k, v, o, gate, up, down;
    Buffer q_bias, k_bias, v_bias, o_bias, gate_bias, up_bias, down_bias;  // empty when absent
  };
  StepResult forward_one(const SequenceStep& step);

  io::ModelConfig config_;
  Backend* backend_;
  std::shared_ptr<const void> keep_alive_;
  WeightMatrix embed_tokens_;
  WeightMatrix lm_head_;
  Buffer final_norm_;
  Buffer inv_freq_;  // [head_dim / 2], from rope_inv_freq(config)
  std::vector<Layer> layers_;
  size_t weight_bytes_ = 0;
  int64_t prefill_chunk_rows_ = kDefaultPrefillChunkRows;
};

}  // namespace softcot::model
