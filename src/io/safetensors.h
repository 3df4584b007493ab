#pragma once
// Memory-mapped safetensors weights: one file or a sharded set with
// model.safetensors.index.json. Tensors are views into the map; nothing is copied.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mapped_file.h"

namespace softcot::io {

enum class DType { kF32, kF16, kBF16 };

const char* dtype_name(DType dtype);  // "F32", "F16", "BF16" as safetensors spells them
size_t dtype_size(DType dtype);
std::string shape_text(const std::vector<int64_t>& shape);  // "[896, 1536]"

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const void* data = nullptr;  // points into a MappedFile owned by the WeightFiles
  size_t nbytes = 0;
  std::string file;            // the shard it lives in, for error messages
  int64_t numel() const;
};

class WeightFiles {
 public:
  // `model_dir` holds model.safetensors or model.safetensors.index.json + shards.
  static WeightFiles open_dir(const std::string& model_dir);
  static WeightFiles open_file(const std::string& safetensors_path);

  bool contains(const std::string& name) const;
  // Throws bad_input(file, "tensor 'x' is missing") / "has shape [..], expected [..]"
  // / "has dtype X, expected one of ...".
  const TensorView& get(const std::string& name) const;
  const TensorView& get_checked(const std::string& name, const std::vector<int64_t>& shape) const;
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  size_t total_bytes() const;

 private:
  std::vector<std::shared_ptr<MappedFile>> maps_;
  std::map<std::string, TensorView> tensors_;
  std::string description_;  // the directory or file, for "tensor missing" errors
};

// Parses one safetensors header (exposed for the fuzzer): `file` names the source in
// errors, `bytes`/`size` is the whole file. Throws bad_input on anything malformed:
// truncated, oversized (> 100 MB) header, offsets past the end, overlapping or
// data not aligned to its element size, dtypes other than F32/F16/BF16, shape/byte-count
// mismatches. Holes between tensors are tolerated.
std::vector<TensorView> parse_safetensors(const std::string& file, const uint8_t* bytes, size_t size);

// Writes a safetensors file (used by make-tiny-model and tests) with an optional
// __metadata__ map: tensors in the given order, except that wider dtypes go first so
// that every tensor is aligned to its element size (as the Rust writer does).
struct TensorToWrite {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace softcot::io
