#pragma once
// The SoftCoT projection: one nn.Linear state dict, as `torch.save(linear.state_dict())`
// writes it (projection.bin: zip + pickle, see torch_pickle.h) or as a safetensors file
// with the same keys. Weights keep their stored dtype; f32 copies on request.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/safetensors.h"

namespace softcot::io {

struct StoredTensor {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // contiguous, row-major, little-endian
  int64_t numel() const;
  float at(int64_t index) const;   // element `index` (row-major) as f32
  std::vector<float> to_f32() const;
};

struct Projection {
  int64_t in_features = 0;   // the assistant's hidden size
  int64_t out_features = 0;  // the base model's hidden size
  DType dtype = DType::kBF16;  // the weight's stored dtype
  StoredTensor weight;       // [out_features, in_features]
  StoredTensor bias;         // [out_features]
  std::string source;        // the file, for error messages
};

using StateDict = std::map<std::string, StoredTensor>;

// Every tensor of a state dict file: torch.save(module.state_dict()) (zip) or safetensors,
// told apart by content. Throws bad_input(path, reason) as load_projection does.
StateDict load_state_dict(const std::string& path);

// Reads projection.bin (torch zip) or .safetensors, by content, not by name. Throws
// bad_input(path, reason): unreadable, corrupt or truncated archives, pickles outside
// the allowlist, missing 'weight'/'bias', shapes that are not [out, in] and [out].
Projection load_projection(const std::string& path);

}  // namespace softcot::io
