#include "model/random_weights.h"

#include "core/error.h"
#include "core/half.h"
#include "core/philox.h"
#include "core/thread_pool.h"

namespace softcot::model {

io::ModelConfig qwen25_shape(const std::string& name) {
  io::ModelConfig c;
  c.model_type = "qwen2";
  c.vocab_size = 151936;
  c.tie_word_embeddings = true;
  c.rope_theta = 1000000.0;
  c.torch_dtype = "bfloat16";
  c.source_path = "qwen2.5-" + name + " shapes";
  if (name == "0.5b") {
    c.hidden_size = 896, c.num_hidden_layers = 24, c.num_attention_heads = 14;
    c.num_key_value_heads = 2, c.intermediate_size = 4864;
  } else if (name == "1.5b") {
    c.hidden_size = 1536, c.num_hidden_layers = 28, c.num_attention_heads = 12;
    c.num_key_value_heads = 2, c.intermediate_size = 8960;
  } else {
    throw usage_error("unknown shape '" + name + "' (0.5b or 1.5b)");
  }
  c.head_dim = c.hidden_size / c.num_attention_heads;
  return c;
}

RandomWeights::RandomWeights(const io::ModelConfig& c, uint64_t seed) {
  const int64_t h = c.hidden_size, q = c.num_attention_heads * c.head_dim;
  const int64_t kv = c.num_key_value_heads * c.head_dim, inter = c.intermediate_size;
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {"model.embed_tokens.weight", {c.vocab_size, h}}, {"model.norm.weight", {h}}};
  if (!c.tie_word_embeddings) shapes.push_back({"lm_head.weight", {c.vocab_size, h}});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    for (auto [name, shape] : std::vector<std::pair<const char*, std::vector<int64_t>>>{
             {"input_layernorm.weight", {h}}, {"post_attention_layernorm.weight", {h}},
             {"self_attn.q_proj.weight", {q, h}}, {"self_attn.q_proj.bias", {q}},
             {"self_attn.k_proj.weight", {kv, h}}, {"self_attn.k_proj.bias", {kv}},
             {"self_attn.v_proj.weight", {kv, h}}, {"self_attn.v_proj.bias", {kv}},
             {"self_attn.o_proj.weight", {h, q}}, {"mlp.gate_proj.weight", {inter, h}},
             {"mlp.up_proj.weight", {inter, h}}, {"mlp.down_proj.weight", {h, inter}}}) {
      shapes.push_back({p + name, shape});
    }
  }
  uint32_t tensor_index = 0;
  for (const auto& [name, shape] : shapes) {
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    std::vector<uint16_t>& data = storage_[name];
    data.resize(static_cast<size_t>(numel));
    const bool is_norm = name.find("norm") != std::string::npos;
    const PhiloxKey key{seed, tensor_index++, 0};
    // One Philox block gives 4 values; blocks are independent, so threads split freely.
    ThreadPool::instance().parallel_for((numel + 3) / 4, 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t block = b; block < e; ++block) {
        const auto words = Philox::draw(key, static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32));
        for (int64_t k = 0; k < 4 && block * 4 + k < numel; ++k) {
          const float u = Philox::to_unit_float(words[k]) - 0.5f;
          data[block * 4 + k] = f32_to_bf16(is_norm ? 1.0f + 0.1f * u : 0.1f * u);
        }
      }
    });
    views_[name] = io::TensorView{name, io::DType::kBF16, shape, data.data(), data.size() * 2,
                                  "random weights"};
    total_bytes_ += data.size() * 2;
  }
}

const io::TensorView& RandomWeights::get(const std::string& name,
                                         const std::vector<int64_t>& shape) const {
  auto it = views_.find(name);
  if (it == views_.end() || it->second.shape != shape) {
    throw failure("random weights", "no tensor '" + name + "' of the expected shape");
  }
  return it->second;
}

std::unique_ptr<Model> make_random_model(const io::ModelConfig& config, uint64_t seed,
                                         Backend& backend) {
  auto weights = std::make_shared<RandomWeights>(config, seed);
  const RandomWeights& w = *weights;
  return std::make_unique<Model>(
      config, [&w](const std::string& n, const std::vector<int64_t>& s) -> const io::TensorView& {
        return w.get(n, s);
      },
      backend, weights);
}

}  // namespace softcot::model
