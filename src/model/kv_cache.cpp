#include "model/kv_cache.h"

namespace softcot::model {

KvCache::KvCache(Backend& backend, const io::ModelConfig& config, int64_t capacity)
    : KvCache(backend, capacity, config.num_key_value_heads * config.head_dim,
              static_cast<size_t>(config.num_hidden_layers)) {}

KvCache::KvCache(Backend& backend, int64_t capacity, int64_t row_floats, size_t layers)
    : backend_(&backend), capacity_(capacity), row_floats_(row_floats) {
  for (size_t layer = 0; layer < layers; ++layer) {
    keys_.push_back(backend.allocate(capacity * row_floats_));
    values_.push_back(backend.allocate(capacity * row_floats_));
  }
}

size_t KvCache::bytes() const {
  return keys_.size() * 2 * static_cast<size_t>(capacity_ * row_floats_) * sizeof(float);
}

KvCache KvCache::clone() const {
  KvCache copy(*backend_, capacity_, row_floats_, keys_.size());
  for (size_t layer = 0; layer < keys_.size(); ++layer) {
    backend_->copy(keys_[layer].data(), copy.keys_[layer].data(), length_ * row_floats_);
    backend_->copy(values_[layer].data(), copy.values_[layer].data(), length_ * row_floats_);
  }
  copy.length_ = length_;
  return copy;
}

}  // namespace softcot::model
