#pragma once
// A minimal, safe unpickler for the data.pkl inside a torch.save() zip: the opcodes
// protocol 2-4 pickles of state dicts use, and only allowlisted globals
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.*Storage). Nothing
// is ever executed: REDUCE of an allowlisted global builds a plain value here.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace softcot::io::pickle {

// ('storage', torch.BFloat16Storage, key, location, numel): storage bytes live in the
// archive at <prefix>/data/<key>.
struct StorageRef {
  std::string storage_type;  // "FloatStorage", "HalfStorage", "BFloat16Storage", ...
  std::string key;
  std::string location;      // "cpu", "cuda:0"; informational
  int64_t numel = 0;
};

// _rebuild_tensor_v2(storage, storage_offset, size, stride, ...): element units.
struct TensorRef {
  StorageRef storage;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
};

// Values live in the Unpickled arena and point at each other with raw pointers: no
// recursion when freeing, and cycles a hostile pickle builds through the memo are harmless.
struct Value {
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kTuple, kList, kDict, kGlobal, kStorage, kTensor };
  Kind kind = Kind::kNone;
  int64_t integer = 0;      // kBool, kInt
  double number = 0;        // kFloat
  std::string text;         // kString; kGlobal as "module name"
  std::vector<const Value*> items;                          // kTuple, kList
  std::vector<std::pair<const Value*, const Value*>> dict;  // kDict, in insertion order
  StorageRef storage;       // kStorage
  TensorRef tensor;         // kTensor
};

class Unpickled {
 public:
  const Value& root() const { return *root_; }

 private:
  friend class Machine;
  std::vector<std::unique_ptr<Value>> arena_;
  const Value* root_ = nullptr;
};

// Runs the pickle in `bytes`; throws bad_input(file, "data.pkl: reason") on anything
// malformed, truncated, or outside the allowlist. `file` names the source in errors.
Unpickled load(const std::string& file, const uint8_t* bytes, size_t size);

}  // namespace softcot::io::pickle
