// BatchedGenerator (batched_generator.h): packing of steps, the forward pass over packed
// rows, GPU sampling and the continuous-batching bookkeeping.
#include "batched_generator.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "io/decoder_tensors.h"
#include "model/rope.h"
#include "cuda_check.h"

namespace softcot::cuda {

namespace {

template <typename T>
void put(T* device, const std::vector<T>& host, cudaStream_t stream) {
  if (host.empty()) return;
  CUDA_CHECK("BatchedGenerator upload", cudaMemcpyAsync(device, host.data(), host.size() * sizeof(T),
                                                        cudaMemcpyHostToDevice, stream));
}

}  // namespace

BatchedGenerator::BatchedGenerator(CudaBackend& backend, const io::ModelConfig& config,
                                   const model::TensorLookup& tensors, Options options)
    : be_(backend), config_(config), options_(options) {
  const int64_t inter = config.intermediate_size;
  q_dim_ = config.num_attention_heads * config.head_dim;
  kv_dim_ = config.num_key_value_heads * config.head_dim;
  auto stacked = [&](std::initializer_list<const io::TensorSpec*> parts) {
    std::vector<const io::TensorView*> views;
    for (const io::TensorSpec* spec : parts) views.push_back(&tensors(spec->name, spec->shape));
    model::WeightMatrix w = be_.prepare_stacked_weight(views);
    weight_bytes_ += w.bytes();
    return w;
  };
  auto vec = [&](const std::optional<io::TensorSpec>& spec) {
    return spec ? be_.prepare_vector(tensors(spec->name, spec->shape)) : model::Buffer();
  };
  const io::DecoderTensors names = io::decoder_tensors(config);
  embed_ = be_.prepare_weight(tensors(names.embed_tokens.name, names.embed_tokens.shape));
  for (const io::LayerTensors& t : names.layers) {
    Layer L;
    L.norm1 = vec(t.input_norm);
    L.norm2 = vec(t.post_attention_norm);
    L.qkv = stacked({&t.q, &t.k, &t.v});
    L.q_bias = vec(t.q_bias);
    L.k_bias = vec(t.k_bias);
    L.v_bias = vec(t.v_bias);
    L.o = stacked({&t.o});
    L.o_bias = vec(t.o_bias);
    L.gate_up = stacked({&t.gate, &t.up});
    if (t.gate_bias) {  // the stacked gate|up GEMM takes the two biases end to end
      const model::Buffer gate = vec(t.gate_bias), up = vec(t.up_bias);
      L.gate_up_bias = be_.allocate(2 * inter);
      be_.copy(gate.data(), L.gate_up_bias.data(), inter);
      be_.copy(up.data(), L.gate_up_bias.data() + inter, inter);
    }
    L.down = stacked({&t.down});
    L.down_bias = vec(t.down_bias);
    layers_.push_back(std::move(L));
  }
  final_norm_ = vec(names.final_norm);
  lm_head_ = names.lm_head ? be_.prepare_weight(tensors(names.lm_head->name, names.lm_head->shape)) : embed_;
  weight_bytes_ += lm_head_.bytes();
  const std::vector<float> inv_freq = model::rope_inv_freq(config);
  inv_freq_ = be_.allocate(static_cast<int64_t>(inv_freq.size()));
  be_.upload(inv_freq, inv_freq_.data());
  allocate_state();
}

BatchedGenerator::~BatchedGenerator() {
  for (auto& [n, graph] : decode_graphs_) cudaGraphExecDestroy(graph);
}

void BatchedGenerator::allocate_state() {
  const io::ModelConfig& c = config_;
  capacity_ = options_.max_seq_len;
  const int64_t T = std::max(options_.max_step_tokens, options_.max_batch);
  const int64_t hidden = c.hidden_size, inter = c.intermediate_size;
  // Fixed scratch per packed step, then as many KV slots as the free memory allows.
  const size_t step_floats = static_cast<size_t>(
      T * (2 * hidden + (q_dim_ + 2 * kv_dim_) + 2 * q_dim_ + 3 * inter) +
      options_.max_batch * (hidden + c.vocab_size) + T * hidden /*hidden_out*/ + T * hidden /*overrides*/);
  const size_t slot_bytes = static_cast<size_t>(c.num_hidden_layers) * 2 * capacity_ * kv_dim_ * 4 +
                            capacity_ * 4 /*history*/;
  const size_t free_bytes = be_.free_memory();
  const size_t budget = static_cast<size_t>(static_cast<double>(free_bytes) * options_.memory_fraction);
  const size_t fixed = step_floats * 4 + (64u << 20);
  if (budget < fixed + slot_bytes) {
    throw failure("cuda", "not enough GPU memory for one sequence of " + std::to_string(capacity_) +
                              " tokens: " + std::to_string(free_bytes >> 20) + " MiB free, need " +
                              std::to_string((fixed + slot_bytes) >> 20) + " MiB");
  }
  slots_ = std::min<int64_t>(options_.max_batch, static_cast<int64_t>((budget - fixed) / slot_bytes));
  const int64_t B = slots_;
  auto f = [&](int64_t n, const char* what) { return static_cast<float*>(be_.device_alloc(n * 4, what)); };
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    k_cache_.push_back(f(B * capacity_ * kv_dim_, "KV cache (keys)"));
    v_cache_.push_back(f(B * capacity_ * kv_dim_, "KV cache (values)"));
  }
  x_ = f(T * hidden, "x");
  h_ = f(T * hidden, "h");
  qkv_ = f(T * (q_dim_ + 2 * kv_dim_), "qkv");
  q_ = f(T * q_dim_, "q");
  attn_ = f(T * q_dim_, "attn");
  gate_up_ = f(T * 2 * inter, "gate_up");
  act_ = f(T * inter, "act");
  picked_ = f(B * hidden, "picked");
  logits_ = f(B * c.vocab_size, "logits");
  hidden_out_ = f(T * hidden, "hidden out");
  override_rows_ = f(T * hidden, "override rows");
  const int64_t group = c.num_attention_heads / c.num_key_value_heads;
  splits_ = attention_splits(B, 1, capacity_, c.num_key_value_heads, group, be_.sm_count());
  attn_scratch_ = f(std::max<int64_t>(1, attention_scratch_floats(T, c.num_attention_heads, c.head_dim, splits_)),
                    "attention scratch");
  ids_ = static_cast<int32_t*>(be_.device_alloc(T * 4, "ids"));
  row_slot_ = static_cast<int32_t*>(be_.device_alloc(T * 4, "row slots"));
  override_slot_ = static_cast<int32_t*>(be_.device_alloc(T * 4, "override slots"));
  tokens_ = static_cast<int32_t*>(be_.device_alloc(B * 4, "tokens"));
  history_ = static_cast<int32_t*>(be_.device_alloc(B * capacity_ * 4, "history"));
  positions_ = static_cast<int64_t*>(be_.device_alloc(T * 8, "positions"));
  last_rows_ = static_cast<int64_t*>(be_.device_alloc(B * 8, "last rows"));
  hidden_rows_ = static_cast<int64_t*>(be_.device_alloc(T * 8, "hidden rows"));
  seqs_ = static_cast<AttnSeq*>(be_.device_alloc(T * sizeof(AttnSeq), "sequences"));
  sample_rows_ = static_cast<SampleRow*>(be_.device_alloc(B * sizeof(SampleRow), "sample rows"));
  be_.gemm().reserve(T * std::max(inter, std::max(hidden, q_dim_)));
  slot_.resize(static_cast<size_t>(B));
}

bool BatchedGenerator::idle() const {
  if (!queue_.empty()) return false;
  return std::none_of(slot_.begin(), slot_.end(), [](const Slot& s) { return s.active; });
}

// The decoder over `rows` packed rows (inputs already on the device: ids_, override_slot_,
// positions_, row_slot_, seqs_, last_rows_), logits for every sequence's last row.
void BatchedGenerator::forward_rows(int64_t rows, int64_t n_seqs, int64_t max_rows) {
  const io::ModelConfig& c = config_;
  const cudaStream_t s = be_.stream();
  const float eps = static_cast<float>(c.rms_norm_eps);
  const float* inv_freq = inv_freq_.data();
  launch_embedding_gather(embed_.data, embed_.dtype, c.hidden_size, ids_, override_slot_, override_rows_,
                          x_, rows, s);
  const int splits = max_rows == 1 ? splits_ : 1;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    auto bias = [](const model::Buffer& b) -> const float* { return b.floats() > 0 ? b.data() : nullptr; };
    launch_rmsnorm(x_, L.norm1.data(), h_, rows, c.hidden_size, eps, s);
    be_.gemm().matmul(h_, rows, L.qkv, nullptr, qkv_, false);
    launch_qkv_bias_rope_cache_write(qkv_, bias(L.q_bias), bias(L.k_bias), bias(L.v_bias), positions_,
                                     row_slot_, inv_freq, q_, k_cache_[l], v_cache_[l],
                                     capacity_ * kv_dim_, rows, c.num_attention_heads,
                                     c.num_key_value_heads, c.head_dim, s);
    launch_attention(q_, k_cache_[l], v_cache_[l], capacity_ * kv_dim_, seqs_, n_seqs, max_rows, rows,
                     c.num_attention_heads, c.num_key_value_heads, c.head_dim, splits, attn_scratch_,
                     attn_, s);
    be_.gemm().matmul(attn_, rows, L.o, bias(L.o_bias), x_, true);  // x += o_proj(attn)
    launch_rmsnorm(x_, L.norm2.data(), h_, rows, c.hidden_size, eps, s);
    be_.gemm().matmul(h_, rows, L.gate_up, bias(L.gate_up_bias), gate_up_, false);
    launch_swiglu_packed(gate_up_, act_, rows, c.intermediate_size, s);
    be_.gemm().matmul(act_, rows, L.down, bias(L.down_bias), x_, true);  // x += down(act)
  }
  launch_gather_rmsnorm(x_, last_rows_, final_norm_.data(), picked_, n_seqs, c.hidden_size, eps, s);
  be_.gemm().matmul(picked_, n_seqs, lm_head_, nullptr, logits_, false);
}

int64_t BatchedGenerator::step(const std::function<void(GenResult&&)>& on_done) {
  const int64_t hidden = config_.hidden_size;
  const int64_t budget = std::max(options_.max_step_tokens, slots_);
  // Admit queued requests into free slots while their prompts fit this step's budget.
  int64_t rows = 0;
  for (Slot& sl : slot_) rows += sl.active ? 1 : 0;
  for (size_t i = 0; i < slot_.size() && !queue_.empty(); ++i) {
    if (slot_[i].active) continue;
    const int64_t n = static_cast<int64_t>(queue_.front().prompt_ids.size());
    if (n + queue_.front().max_new_tokens > capacity_) {
      throw failure("sample " + std::to_string(queue_.front().sample),
                    "prompt + new tokens exceed the KV capacity of " + std::to_string(capacity_));
    }
    if (rows + n > budget && rows > 0) break;
    slot_[i] = Slot{};
    slot_[i].active = true;
    slot_[i].request = std::move(queue_.front());
    slot_[i].result.sample = slot_[i].request.sample;
    slot_[i].result.sequence = slot_[i].request.sequence;
    queue_.pop_front();
    rows += n;
  }
  // Pack: decode rows and prefill rows, in slot order.
  std::vector<int32_t> ids, row_slot, override_slot;
  std::vector<int64_t> positions, last_rows, hidden_rows;
  std::vector<float> overrides;
  std::vector<AttnSeq> seqs;
  std::vector<SampleRow> samples;
  std::vector<int> seq_slot;
  bool any_prefill = false;
  int64_t max_rows = 1;
  for (size_t i = 0; i < slot_.size(); ++i) {
    Slot& sl = slot_[i];
    if (!sl.active) continue;
    const int32_t q_row0 = static_cast<int32_t>(ids.size());
    int32_t n = 1;
    if (!sl.prefilled) {
      any_prefill = true;
      const GenRequest& r = sl.request;
      n = static_cast<int32_t>(r.prompt_ids.size());
      for (int32_t j = 0; j < n; ++j) {
        ids.push_back(r.prompt_ids[j]);
        override_slot.push_back(-1);
      }
      for (size_t k = 0; k < r.override_positions.size(); ++k) {
        override_slot[q_row0 + r.override_positions[k]] = static_cast<int32_t>(overrides.size() / hidden);
        overrides.insert(overrides.end(), r.override_rows.begin() + k * hidden,
                         r.override_rows.begin() + (k + 1) * hidden);
      }
      for (int64_t p : r.hidden_at) hidden_rows.push_back(q_row0 + p);
    } else {
      ids.push_back(sl.result.tokens.back());
      override_slot.push_back(-1);
    }
    for (int32_t j = 0; j < n; ++j) {
      positions.push_back(sl.length + j);
      row_slot.push_back(static_cast<int32_t>(i));
    }
    seqs.push_back(AttnSeq{q_row0, n, static_cast<int32_t>(sl.length), static_cast<int32_t>(i)});
    last_rows.push_back(q_row0 + n - 1);
    SampleRow sr = sl.request.sampling;
    sr.history = history_ + i * capacity_;
    sr.history_len = static_cast<int32_t>(sl.result.tokens.size());
    sr.append_to_history = 1;
    sr.sample_index = static_cast<uint32_t>(sl.request.sample);
    sr.sequence_index = sl.request.sequence;
    sr.step = static_cast<uint32_t>(sl.result.tokens.size());
    samples.push_back(sr);
    seq_slot.push_back(static_cast<int>(i));
    max_rows = std::max<int64_t>(max_rows, n);
  }
  const int64_t total = static_cast<int64_t>(ids.size());
  const int64_t n_seqs = static_cast<int64_t>(seqs.size());
  if (n_seqs == 0) return 0;
  CudaSampleScope scope(slot_[seq_slot[0]].request.sample);
  const cudaStream_t s = be_.stream();
  put(ids_, ids, s);
  put(override_slot_, override_slot, s);
  put(override_rows_, overrides, s);
  put(positions_, positions, s);
  put(row_slot_, row_slot, s);
  put(seqs_, seqs, s);
  put(last_rows_, last_rows, s);
  put(sample_rows_, samples, s);
  // A pure-decode step depends only on the sequence count (everything else is read from
  // the device arrays just uploaded), so one graph per count is replayed.
  const bool use_graph = options_.graphs && !any_prefill;
  if (use_graph) {
    cudaGraphExec_t& exec = decode_graphs_[n_seqs];
    if (exec == nullptr) {
      cudaGraph_t graph = nullptr;
      CUDA_CHECK("cudaStreamBeginCapture (decode step)",
                 cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
      forward_rows(total, n_seqs, 1);
      launch_sample_tokens(logits_, sample_rows_, n_seqs, config_.vocab_size, tokens_, s);
      CUDA_CHECK("cudaStreamEndCapture (decode step)", cudaStreamEndCapture(s, &graph));
      CUDA_CHECK("cudaGraphInstantiate (decode step)", cudaGraphInstantiate(&exec, graph, 0));
      cudaGraphDestroy(graph);
    }
    CUDA_CHECK("cudaGraphLaunch (decode step)", cudaGraphLaunch(exec, s));
  } else {
    forward_rows(total, n_seqs, max_rows);
    launch_sample_tokens(logits_, sample_rows_, n_seqs, config_.vocab_size, tokens_, s);
  }
  std::vector<float> hidden_host;
  if (!hidden_rows.empty()) {
    put(hidden_rows_, hidden_rows, s);
    launch_gather_rmsnorm(x_, hidden_rows_, final_norm_.data(), hidden_out_,
                          static_cast<int64_t>(hidden_rows.size()), hidden, static_cast<float>(config_.rms_norm_eps), s);
    hidden_host.resize(hidden_rows.size() * hidden);
    CUDA_CHECK("download hidden states", cudaMemcpyAsync(hidden_host.data(), hidden_out_, hidden_host.size() * 4,
                                                         cudaMemcpyDeviceToHost, s));
  }
  std::vector<int32_t> tokens(static_cast<size_t>(n_seqs));
  CUDA_CHECK("download sampled tokens", cudaMemcpyAsync(tokens.data(), tokens_, tokens.size() * 4,
                                                        cudaMemcpyDeviceToHost, s));
  be_.synchronize("generation step (forward + sampling)");

  size_t hidden_offset = 0;
  for (int64_t j = 0; j < n_seqs; ++j) {
    Slot& sl = slot_[seq_slot[j]];
    const int64_t n = seqs[j].n;
    if (!sl.prefilled) {
      const size_t count = sl.request.hidden_at.size() * hidden;
      sl.result.hidden.assign(hidden_host.begin() + hidden_offset, hidden_host.begin() + hidden_offset + count);
      hidden_offset += count;
      sl.prefilled = true;
    }
    sl.length += n;
    bool done = sl.request.max_new_tokens == 0;
    if (!done) {
      const int32_t t = tokens[j];
      sl.result.tokens.push_back(t);
      const bool eos = sl.request.stop_at_eos &&
                       std::find(sl.request.eos_ids.begin(), sl.request.eos_ids.end(), t) != sl.request.eos_ids.end();
      done = eos || static_cast<int32_t>(sl.result.tokens.size()) >= sl.request.max_new_tokens;
    }
    if (done) {
      sl.active = false;  // the slot is free for the next step's admission
      on_done(std::move(sl.result));
    }
  }
  return total;
}

void BatchedGenerator::run(const std::function<void(GenResult&&)>& on_done) {
  while (!idle()) step(on_done);
}

}  // namespace softcot::cuda
