#pragma once
// A decoder model's tensors filled with random bf16 values in anonymous memory, for
// benchmarks at real shapes without downloading anything. Values are small (|w| < 0.05,
// norms near 1), so activations stay finite through any number of layers.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "model/model.h"

namespace softcot::model {

// Real model shapes by name: "0.5b", "1.5b" (Qwen2.5-Instruct), "llama3.2-1b",
// "llama3.1-8b" (Meta's Instruct configs, llama3 RoPE); throws usage_error otherwise.
io::ModelConfig model_shape(const std::string& name);

class RandomWeights {
 public:
  RandomWeights(const io::ModelConfig& config, uint64_t seed);
  const io::TensorView& get(const std::string& name, const std::vector<int64_t>& shape) const;
  size_t total_bytes() const { return total_bytes_; }

 private:
  std::map<std::string, std::vector<uint16_t>> storage_;
  std::map<std::string, io::TensorView> views_;
  size_t total_bytes_ = 0;
};

// A Model over freshly made random weights; the Model keeps them alive.
std::unique_ptr<Model> make_random_model(const io::ModelConfig& config, uint64_t seed,
                                         Backend& backend);

}  // namespace softcot::model
