#include "model/random_weights.h"

#include "core/error.h"
#include "core/half.h"
#include "core/philox.h"
#include "core/thread_pool.h"
#include "io/decoder_tensors.h"

namespace softcot::model {

// The published config.json values (../shared/data/model_configs/; a unit test compares).
io::ModelConfig model_shape(const std::string& name) {
  io::ModelConfig c;
  c.torch_dtype = "bfloat16";
  if (name == "0.5b" || name == "1.5b") {
    c.model_type = "qwen2";
    c.architecture = io::Architecture::kQwen2;
    c.vocab_size = 151936;
    c.tie_word_embeddings = true;
    c.rope_theta = 1000000.0;
    c.rms_norm_eps = 1e-6;
    c.source_path = "Qwen2.5-" + name + " shapes";
    if (name == "0.5b") {
      c.hidden_size = 896, c.num_hidden_layers = 24, c.num_attention_heads = 14;
      c.num_key_value_heads = 2, c.intermediate_size = 4864;
    } else {
      c.hidden_size = 1536, c.num_hidden_layers = 28, c.num_attention_heads = 12;
      c.num_key_value_heads = 2, c.intermediate_size = 8960;
    }
  } else if (name == "llama3.2-1b" || name == "llama3.1-8b") {
    c.model_type = "llama";
    c.architecture = io::Architecture::kLlama;
    c.attention_bias = false;
    c.vocab_size = 128256;
    c.rope_theta = 500000.0;
    c.rms_norm_eps = 1e-5;
    c.max_position_embeddings = 131072;
    c.rope_scaling = {"llama3", 32.0, 1.0, 4.0, 8192};
    c.num_attention_heads = 32, c.num_key_value_heads = 8;
    c.source_path = name + " shapes";
    if (name == "llama3.2-1b") {
      c.hidden_size = 2048, c.num_hidden_layers = 16, c.intermediate_size = 8192;
      c.tie_word_embeddings = true;
    } else {
      c.hidden_size = 4096, c.num_hidden_layers = 32, c.intermediate_size = 14336;
      c.tie_word_embeddings = false;
      c.rope_scaling.factor = 8.0;
    }
  } else {
    throw usage_error("unknown shape '" + name + "' (0.5b, 1.5b, llama3.2-1b, llama3.1-8b)");
  }
  c.head_dim = c.hidden_size / c.num_attention_heads;
  return c;
}

RandomWeights::RandomWeights(const io::ModelConfig& c, uint64_t seed) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const io::TensorSpec& spec : io::expected_tensors(c)) shapes.push_back({spec.name, spec.shape});
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
