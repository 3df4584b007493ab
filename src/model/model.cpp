#include "model/model.h"

#include <algorithm>

#include "core/error.h"
#include "core/interrupt.h"
#include "io/decoder_tensors.h"
#include "model/rope.h"

namespace softcot::model {

namespace {

float* data_or_null(const Buffer& b) { return b.floats() > 0 ? b.data() : nullptr; }

}  // namespace

Model::Model(const io::ModelConfig& config, const TensorLookup& tensors, Backend& backend,
             std::shared_ptr<const void> keep_alive)
    : config_(config), backend_(&backend), keep_alive_(std::move(keep_alive)) {
  auto matrix = [&](const io::TensorSpec& spec) {
    WeightMatrix w = backend.prepare_weight(tensors(spec.name, spec.shape));
    weight_bytes_ += w.bytes();
    return w;
  };
  auto vector = [&](const std::optional<io::TensorSpec>& spec) {
    return spec ? backend.prepare_vector(tensors(spec->name, spec->shape)) : Buffer();
  };
  const io::DecoderTensors names = io::decoder_tensors(config);
  embed_tokens_ = backend.prepare_weight(tensors(names.embed_tokens.name, names.embed_tokens.shape));
  for (const io::LayerTensors& t : names.layers) {
    Layer layer;
    layer.input_norm = vector(t.input_norm);
    layer.post_attention_norm = vector(t.post_attention_norm);
    layer.q = matrix(t.q);
    layer.k = matrix(t.k);
    layer.v = matrix(t.v);
    layer.o = matrix(t.o);
    layer.gate = matrix(t.gate);
    layer.up = matrix(t.up);
    layer.down = matrix(t.down);
    layer.q_bias = vector(t.q_bias);
    layer.k_bias = vector(t.k_bias);
    layer.v_bias = vector(t.v_bias);
    layer.o_bias = vector(t.o_bias);
    layer.gate_bias = vector(t.gate_bias);
    layer.up_bias = vector(t.up_bias);
    layer.down_bias = vector(t.down_bias);
    layers_.push_back(std::move(layer));
  }
  final_norm_ = vector(names.final_norm);
  lm_head_ = names.lm_head ? backend.prepare_weight(tensors(names.lm_head->name, names.lm_head->shape))
                           : embed_tokens_;
  weight_bytes_ += lm_head_.bytes();  // read once per decoded token; embeddings only one row
  const std::vector<float> inv_freq = rope_inv_freq(config);
  inv_freq_ = backend.allocate(static_cast<int64_t>(inv_freq.size()));
  backend.upload(inv_freq, inv_freq_.data());
}

std::unique_ptr<Model> Model::load(io::ModelDir dir, Backend& backend) {
  auto owned = std::make_shared<io::ModelDir>(std::move(dir));
  const io::WeightFiles& weights = owned->weights;
  TensorLookup lookup = [&weights](const std::string& name,
                                   const std::vector<int64_t>& shape) -> const io::TensorView& {
    return weights.get_checked(name, shape);
  };
  return std::make_unique<Model>(owned->config, lookup, backend, owned);
}

std::vector<float> Model::embed(std::span<const int32_t> ids) const {
  for (int32_t id : ids) {
    if (id < 0 || id >= config_.vocab_size) {
      throw bad_input(config_.source_path, "token id " + std::to_string(id) +
                                               " is outside the vocabulary of " +
                                               std::to_string(config_.vocab_size));
    }
  }
  const int64_t n = static_cast<int64_t>(ids.size());
  Buffer rows = backend_->allocate(n * config_.hidden_size);
  backend_->embedding_gather(embed_tokens_, ids, rows.data());
  std::vector<float> out(static_cast<size_t>(n * config_.hidden_size));
  backend_->download(rows.data(), out);
  return out;
}

std::vector<StepResult> Model::forward(std::span<const SequenceStep> batch) {
  std::vector<StepResult> results;
  results.reserve(batch.size());
  for (const SequenceStep& step : batch) results.push_back(forward_one(step));
  return results;
}

StepResult Model::forward_one(const SequenceStep& step) {
  const io::ModelConfig& c = config_;
  const int64_t hidden = c.hidden_size;
  const int64_t n = static_cast<int64_t>(step.embeddings.size()) / hidden;
  KvCache& cache = *step.cache;
  const int64_t start = cache.length();
  if (n <= 0 || n * hidden != static_cast<int64_t>(step.embeddings.size())) {
    throw failure("model", "forward needs a whole number of embedding rows");
  }
  if (start + n > cache.capacity()) {
    throw failure("model", "KV cache full: " + std::to_string(start + n) + " tokens, capacity " +
                               std::to_string(cache.capacity()));
  }
  const int64_t q_dim = c.num_attention_heads * c.head_dim;
  const int64_t kv_dim = c.num_key_value_heads * c.head_dim;
  const float eps = static_cast<float>(c.rms_norm_eps);
  Backend& be = *backend_;

  std::vector<int64_t> positions(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) positions[i] = start + i;

  Buffer x = be.allocate(n * hidden);
  Buffer h = be.allocate(n * hidden);
  Buffer q = be.allocate(n * q_dim);
  Buffer attn = be.allocate(n * q_dim);
  Buffer gate = be.allocate(n * c.intermediate_size);
  Buffer up = be.allocate(n * c.intermediate_size);
  be.upload(step.embeddings, x.data());

  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const Layer& layer = layers_[l];
    float* k_rows = cache.keys(l) + start * kv_dim;  // new keys go straight into the cache
    float* v_rows = cache.values(l) + start * kv_dim;
    be.rmsnorm(x.data(), layer.input_norm.data(), h.data(), n, hidden, eps);
    be.matmul(h.data(), n, layer.q, data_or_null(layer.q_bias), q.data());
    be.matmul(h.data(), n, layer.k, data_or_null(layer.k_bias), k_rows);
    be.matmul(h.data(), n, layer.v, data_or_null(layer.v_bias), v_rows);
    be.rope_neox(q.data(), n, c.num_attention_heads, c.head_dim, positions, inv_freq_.data());
    be.rope_neox(k_rows, n, c.num_key_value_heads, c.head_dim, positions, inv_freq_.data());
    be.attention(q.data(), cache.keys(l), cache.values(l), attn.data(), n, start,
                 c.num_attention_heads, c.num_key_value_heads, c.head_dim);
    be.matmul(attn.data(), n, layer.o, data_or_null(layer.o_bias), h.data());
    be.add_inplace(x.data(), h.data(), n * hidden);
    be.rmsnorm(x.data(), layer.post_attention_norm.data(), h.data(), n, hidden, eps);
    be.matmul(h.data(), n, layer.gate, data_or_null(layer.gate_bias), gate.data());
    be.matmul(h.data(), n, layer.up, data_or_null(layer.up_bias), up.data());
    be.swiglu(gate.data(), up.data(), gate.data(), n * c.intermediate_size);
    be.matmul(gate.data(), n, layer.down, data_or_null(layer.down_bias), h.data());
    be.add_inplace(x.data(), h.data(), n * hidden);
  }
  cache.set_length(start + n);

  StepResult result;
  auto final_rows = [&](std::span<const int64_t> rows) {
    for (int64_t r : rows) {
      if (r < 0 || r >= n) throw failure("model", "requested row " + std::to_string(r) + " of " + std::to_string(n));
    }
    Buffer picked = be.allocate(static_cast<int64_t>(rows.size()) * hidden);
    be.gather_rows(x.data(), rows, hidden, picked.data());
    be.rmsnorm(picked.data(), final_norm_.data(), picked.data(), static_cast<int64_t>(rows.size()),
               hidden, eps);
    return picked;
  };
  if (!step.hidden_at.empty()) {
    Buffer picked = final_rows(step.hidden_at);
    result.hidden.resize(step.hidden_at.size() * static_cast<size_t>(hidden));
    be.download(picked.data(), result.hidden);
  }
  if (!step.logits_at.empty()) {
    const int64_t m = static_cast<int64_t>(step.logits_at.size());
    Buffer picked = final_rows(step.logits_at);
    Buffer logits = be.allocate(m * c.vocab_size);
    be.matmul(picked.data(), m, lm_head_, nullptr, logits.data());
    result.logits.resize(static_cast<size_t>(m * c.vocab_size));
    be.download(logits.data(), result.logits);
  }
  return result;
}

StepResult Model::prefill(KvCache& cache, std::span<const float> embeddings,
                          std::span<const int64_t> logits_at, std::span<const int64_t> hidden_at) {
  const int64_t hidden = config_.hidden_size;
  const int64_t vocab = config_.vocab_size;
  const int64_t n = static_cast<int64_t>(embeddings.size()) / hidden;
  for (auto rows : {logits_at, hidden_at}) {
    for (int64_t r : rows) {
      if (r < 0 || r >= n) throw failure("model", "requested row " + std::to_string(r) + " of " + std::to_string(n));
    }
  }
  StepResult out;
  out.logits.resize(logits_at.size() * static_cast<size_t>(vocab));
  out.hidden.resize(hidden_at.size() * static_cast<size_t>(hidden));
  // The wanted rows that fall in [begin, end), as chunk rows, and where their outputs go.
  auto rows_in = [](std::span<const int64_t> wanted, int64_t begin, int64_t end, std::vector<int64_t>& local,
                    std::vector<size_t>& slot) {
    local.clear();
    slot.clear();
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i] >= begin && wanted[i] < end) {
        local.push_back(wanted[i] - begin);
        slot.push_back(i);
      }
    }
  };
  std::vector<int64_t> local_logits, local_hidden;
  std::vector<size_t> logits_slot, hidden_slot;
  for (int64_t begin = 0; begin < n; begin += prefill_chunk_rows_) {
    throw_if_stop_requested();
    const int64_t end = std::min(n, begin + prefill_chunk_rows_);
    rows_in(logits_at, begin, end, local_logits, logits_slot);
    rows_in(hidden_at, begin, end, local_hidden, hidden_slot);
    const SequenceStep step{&cache, embeddings.subspan(static_cast<size_t>(begin * hidden),
                                                       static_cast<size_t>((end - begin) * hidden)),
                            local_logits, local_hidden};
    const StepResult part = forward_one(step);
    for (size_t i = 0; i < logits_slot.size(); ++i) {
      std::copy_n(part.logits.begin() + static_cast<std::ptrdiff_t>(i * vocab), vocab,
                  out.logits.begin() + static_cast<std::ptrdiff_t>(logits_slot[i] * vocab));
    }
    for (size_t i = 0; i < hidden_slot.size(); ++i) {
      std::copy_n(part.hidden.begin() + static_cast<std::ptrdiff_t>(i * hidden), hidden,
                  out.hidden.begin() + static_cast<std::ptrdiff_t>(hidden_slot[i] * hidden));
    }
    heartbeat();
  }
  return out;
}

std::vector<float> Model::hidden_states_at(std::span<const float> embeddings, int64_t n_tokens,
                                           std::span<const int64_t> positions) {
  if (positions.empty()) return {};
  const int64_t last = *std::max_element(positions.begin(), positions.end());
  if (last >= n_tokens) throw failure("model", "hidden state position past the prompt");
  const int64_t used = last + 1;
  KvCache cache = new_cache(used);
  return prefill(cache, embeddings.first(static_cast<size_t>(used * config_.hidden_size)), {}, positions).hidden;
}

std::vector<float> Model::logits_at(std::span<const float> embeddings, int64_t n_tokens,
                                    std::span<const int64_t> positions) {
  if (positions.empty()) return {};
  const int64_t last = *std::max_element(positions.begin(), positions.end());
  if (last >= n_tokens) throw failure("model", "logits position past the prompt");
  const int64_t used = last + 1;
  KvCache cache = new_cache(used);
  return prefill(cache, embeddings.first(static_cast<size_t>(used * config_.hidden_size)), positions, {}).logits;
}

}  // namespace softcot::model
