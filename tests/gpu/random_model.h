#pragma once
// A Qwen2-shaped model with random weights held in memory (no files): the tensors the
// Model asks for, created on first request, bf16 or f32. Used by the whole-model GPU
// tests and the benchmark (tiny, 0.5B and 1.5B shapes).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/half.h"
#include "gpu_test_util.h"
#include "io/model_config.h"
#include "model/model.h"

namespace softcot::gputest {

inline io::ModelConfig qwen_shape(const std::string& which, int64_t vocab_override = 0) {
  io::ModelConfig c;
  c.model_type = "qwen2";
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1e6;
  c.attention_bias = true;
  c.tie_word_embeddings = true;
  if (which == "0.5B") {
    c.hidden_size = 896; c.intermediate_size = 4864; c.num_hidden_layers = 24;
    c.num_attention_heads = 14; c.num_key_value_heads = 2; c.head_dim = 64; c.vocab_size = 151936;
  } else if (which == "1.5B") {
    c.hidden_size = 1536; c.intermediate_size = 8960; c.num_hidden_layers = 28;
    c.num_attention_heads = 12; c.num_key_value_heads = 2; c.head_dim = 128; c.vocab_size = 151936;
  } else {  // tiny
    c.hidden_size = 64; c.intermediate_size = 128; c.num_hidden_layers = 2;
    c.num_attention_heads = 4; c.num_key_value_heads = 2; c.head_dim = 16; c.vocab_size = 300;
  }
  if (vocab_override > 0) c.vocab_size = vocab_override;
  return c;
}

class RandomWeights {
 public:
  // fast: uniform noise of the same variance (one draw per weight), for the benchmark's
  // billions of weights.
  RandomWeights(io::DType dtype, uint64_t seed, bool fast = false)
      : dtype_(dtype), seed_(seed), fast_(fast) {}

  const io::TensorView& get(const std::string& name, const std::vector<int64_t>& shape) {
    auto found = views_.find(name);
    if (found != views_.end()) return found->second;
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    Rng rng(seed_ + views_.size() * 7919);
    const bool norm = name.find("norm") != std::string::npos;
    const float scale = name.find("embed") != std::string::npos ? 1.0f : 0.02f;
    io::TensorView view;
    view.name = name;
    view.shape = shape;
    view.file = "<random>";
    const bool f32 = dtype_ == io::DType::kF32 || shape.size() == 1;
    auto& bytes = storage_.emplace_back(static_cast<size_t>(numel) * (f32 ? 4 : 2));
    for (int64_t i = 0; i < numel; ++i) {
      const float noise = fast_ ? (rng.uniform() - 0.5f) * 3.4641016f : rng.normal();
      const float v = norm ? 1.0f + 0.02f * noise : scale * noise;
      if (f32) {
        reinterpret_cast<float*>(bytes.data())[i] = v;
      } else {
        reinterpret_cast<uint16_t*>(bytes.data())[i] = f32_to_bf16(v);
      }
    }
    view.dtype = f32 ? io::DType::kF32 : io::DType::kBF16;
    view.data = bytes.data();
    view.nbytes = bytes.size();
    return views_.emplace(name, std::move(view)).first->second;
  }

  model::TensorLookup lookup() {
    return [this](const std::string& name, const std::vector<int64_t>& shape) -> const io::TensorView& {
      return get(name, shape);
    };
  }

 private:
  io::DType dtype_;
  uint64_t seed_;
  bool fast_ = false;
  std::map<std::string, io::TensorView> views_;
  std::vector<std::vector<uint8_t>> storage_;
};

}  // namespace softcot::gputest
