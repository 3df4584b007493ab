#pragma once
// Keys and values of one sequence, per layer: [capacity, kv_heads, head_dim] f32 in
// backend memory, rows 0 .. length()-1 filled. RoPE is applied before storing keys.
#include <cstdint>
#include <vector>

#include "io/model_config.h"
#include "model/backend.h"

namespace softcot::model {

class KvCache {
 public:
  KvCache(Backend& backend, const io::ModelConfig& config, int64_t capacity);

  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }
  int64_t row_floats() const { return row_floats_; }  // kv_heads * head_dim
  float* keys(int64_t layer) const { return keys_[layer].data(); }
  float* values(int64_t layer) const { return values_[layer].data(); }
  void set_length(int64_t length) { length_ = length; }
  size_t bytes() const;

  // A copy of the filled rows, for several sequences sharing one prompt.
  KvCache clone() const;

 private:
  KvCache(Backend& backend, int64_t capacity, int64_t row_floats, size_t layers);

  Backend* backend_;
  int64_t capacity_;
  int64_t row_floats_;
  int64_t length_ = 0;
  std::vector<Buffer> keys_;
  std::vector<Buffer> values_;
};

}  // namespace softcot::model
