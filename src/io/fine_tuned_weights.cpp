#include "io/fine_tuned_weights.h"

#include <cstring>
#include <set>

#include "core/digest.h"
#include "core/error.h"
#include "core/half.h"
#include "io/torch_checkpoint.h"

namespace softcot::io {
namespace {

// `t` in `dtype`, as torch's Tensor.copy_ converts (round to nearest even).
std::vector<uint8_t> convert(const StoredTensor& t, DType dtype) {
  if (t.dtype == dtype) return t.bytes;
  const int64_t n = t.numel();
  std::vector<uint8_t> out(static_cast<size_t>(n) * dtype_size(dtype));
  for (int64_t i = 0; i < n; ++i) {
    const float f = t.at(i);
    if (dtype == DType::kF32) {
      std::memcpy(out.data() + 4 * i, &f, 4);
    } else {
      const uint16_t h = dtype == DType::kBF16 ? f32_to_bf16(f) : f32_to_f16(f);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const FineTunedWeights> FineTunedWeights::load(const std::string& path, const ModelDir& dir) {
  StateDict dict = load_state_dict(path);
  auto w = std::make_shared<FineTunedWeights>();
  w->path_ = path;
  w->sha256_ = sha256_file_hex(path);
  std::set<std::string> expected;
  for (const TensorSpec& spec : expected_tensors(dir.config)) {
    expected.insert(spec.name);
    const auto it = dict.find(spec.name);
    if (it == dict.end()) {
      throw bad_input(path, "tensor '" + spec.name + "' is missing (the state dict must hold every parameter of " +
                                dir.path + ", as load_state_dict's strict loading needs)");
    }
    if (it->second.shape != spec.shape) {
      throw bad_input(path, "tensor '" + spec.name + "' has shape " + shape_text(it->second.shape) + ", the config of " +
                                dir.path + " needs " + shape_text(spec.shape));
    }
    const DType dtype = dir.weights.get_checked(spec.name, spec.shape).dtype;
    std::vector<uint8_t>& bytes = w->storage_[spec.name] = convert(it->second, dtype);
    w->views_[spec.name] = TensorView{spec.name, dtype, spec.shape, bytes.data(), bytes.size(), path};
  }
  // A tied model's state dict names the shared matrix twice.
  const auto head = dict.find("lm_head.weight");
  if (dir.config.tie_word_embeddings && head != dict.end()) {
    const StoredTensor& embed = dict.at("model.embed_tokens.weight");
    if (head->second.shape != embed.shape || head->second.dtype != embed.dtype || head->second.bytes != embed.bytes) {
      throw bad_input(path, "tensor 'lm_head.weight' differs from 'model.embed_tokens.weight' but " + dir.path +
                                " ties them (tie_word_embeddings)");
    }
    expected.insert("lm_head.weight");
  }
  for (const auto& [name, tensor] : dict) {
    if (!expected.count(name)) {
      throw bad_input(path, "unexpected tensor '" + name + "' (not a parameter of " + dir.path +
                                "; load_state_dict's strict loading refuses it)");
    }
  }
  return w;
}

const TensorView& FineTunedWeights::get(const std::string& name, const std::vector<int64_t>& shape) const {
  const auto it = views_.find(name);
  if (it == views_.end()) throw bad_input(path_, "tensor '" + name + "' is missing");
  if (it->second.shape != shape) {
    throw bad_input(path_, "tensor '" + name + "' has shape " + shape_text(it->second.shape) + ", expected " +
                               shape_text(shape));
  }
  return it->second;
}

}  // namespace softcot::io
