#include "io/torch_checkpoint.h"

#include <zip.h>

#include <cstring>
#include <map>
#include <memory>

#include "core/error.h"
#include "core/half.h"
#include "core/mapped_file.h"
#include "io/torch_pickle.h"

namespace softcot::io {
namespace {

constexpr uint64_t kMaxPickleBytes = 16ull << 20;  // real state-dict pickles are kilobytes
// 2^28 elements (1 GiB of f32): far above any projection (Llama-8B's is 2^24), and a
// bound on what a hostile archive's claimed sizes can make us allocate.
constexpr int64_t kMaxElements = int64_t{1} << 28;

using pickle::Value;
using Tensors = std::map<std::string, StoredTensor>;

// ---- torch zip archives -------------------------------------------------------------

class ZipArchive {
 public:
  explicit ZipArchive(const std::string& path) : path_(path) {
    int code = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (zip_ == nullptr) {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      const std::string reason = zip_error_strerror(&error);
      zip_error_fini(&error);
      throw bad_input(path, "not a readable torch zip archive: " + reason);
    }
  }
  ~ZipArchive() {
    if (zip_ != nullptr) zip_discard(zip_);
  }
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // The archive's "<stem>/" prefix: torch puts every entry under one folder.
  std::string find_prefix() const {
    const zip_int64_t n = zip_get_num_entries(zip_, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(zip_, static_cast<zip_uint64_t>(i), 0);
      if (name == nullptr) continue;
      const std::string entry = name;
      const std::string suffix = "data.pkl";
      if (entry.size() >= suffix.size() && entry.compare(entry.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          (entry.size() == suffix.size() || entry[entry.size() - suffix.size() - 1] == '/')) {
        return entry.substr(0, entry.size() - suffix.size());
      }
    }
    throw bad_input(path_, "zip archive has no data.pkl: not a torch.save() file");
  }

  bool has(const std::string& name) const { return zip_name_locate(zip_, name.c_str(), 0) >= 0; }

  // The whole entry, CRC-checked by libzip as it is read.
  std::vector<uint8_t> read(const std::string& name, uint64_t max_bytes) const {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat(zip_, name.c_str(), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE)) {
      throw bad_input(path_, "archive entry '" + name + "' is missing");
    }
    if (stat.size > max_bytes) {
      throw bad_input(path_, "archive entry '" + name + "' has " + std::to_string(stat.size) +
                                 " bytes, more than the " + std::to_string(max_bytes) + " expected");
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen(zip_, name.c_str(), 0), &zip_fclose);
    if (!file) throw bad_input(path_, "cannot open archive entry '" + name + "': " + zip_strerror(zip_));
    std::vector<uint8_t> bytes(stat.size);
    zip_uint64_t done = 0;
    while (done < stat.size) {
      const zip_int64_t n = zip_fread(file.get(), bytes.data() + done, stat.size - done);
      if (n <= 0) {
        const std::string reason = n < 0 ? zip_file_strerror(file.get()) : "unexpected end of data";
        throw bad_input(path_, "archive entry '" + name + "' is corrupt: " + reason);
      }
      done += static_cast<zip_uint64_t>(n);
    }
    char extra;  // reading past the end makes libzip verify the CRC of stored entries
    if (zip_fread(file.get(), &extra, 1) < 0) {
      throw bad_input(path_, "archive entry '" + name + "' is corrupt: " + zip_file_strerror(file.get()));
    }
    return bytes;
  }

 private:
  std::string path_;
  zip_t* zip_ = nullptr;
};

bool storage_dtype(const std::string& storage_type, DType* out) {
  if (storage_type == "FloatStorage") *out = DType::kF32;
  else if (storage_type == "HalfStorage") *out = DType::kF16;
  else if (storage_type == "BFloat16Storage") *out = DType::kBF16;
  else return false;
  return true;
}

// Gathers a (possibly strided) tensor out of its storage into row-major bytes.
StoredTensor gather(const std::string& path, const std::string& key, const pickle::TensorRef& ref,
                    DType dtype, const std::vector<uint8_t>& storage) {
  const size_t element = dtype_size(dtype);
  const auto storage_numel = static_cast<int64_t>(storage.size() / element);
  StoredTensor t{dtype, ref.size, {}};
  auto out_of_bounds = [&] {
    return bad_input(path, "tensor '" + key + "' of size " + shape_text(ref.size) + " at offset " +
                               std::to_string(ref.offset) + " reaches past its storage of " +
                               std::to_string(storage_numel) + " elements");
  };
  int64_t numel = 1;
  for (int64_t size : ref.size) numel = size == 0 ? 0 : numel;
  for (int64_t size : ref.size) {
    if (numel == 0) break;
    if (size > storage_numel / numel) throw out_of_bounds();  // more elements than the storage
    numel *= size;
  }
  if (numel > 0) {
    if (ref.offset >= storage_numel) throw out_of_bounds();
    int64_t last = ref.offset;  // the largest element index the tensor touches
    for (size_t d = 0; d < ref.size.size(); ++d) {
      if (ref.size[d] > 1 && ref.stride[d] > 0) {
        if (ref.size[d] - 1 > (storage_numel - 1 - last) / ref.stride[d]) throw out_of_bounds();
        last += (ref.size[d] - 1) * ref.stride[d];
      }
    }
  }
  t.bytes.resize(static_cast<size_t>(numel) * element);
  std::vector<int64_t> index(ref.size.size(), 0);
  for (int64_t i = 0; i < numel; ++i) {
    int64_t source = ref.offset;
    for (size_t d = 0; d < index.size(); ++d) source += index[d] * ref.stride[d];
    std::memcpy(t.bytes.data() + i * element, storage.data() + source * element, element);
    for (size_t d = index.size(); d-- > 0;) {  // row-major odometer
      if (++index[d] < ref.size[d]) break;
      index[d] = 0;
    }
  }
  return t;
}

Tensors read_torch_zip(const std::string& path) {
  const ZipArchive zip(path);
  const std::string prefix = zip.find_prefix();
  // torch >= 1.10 records the storages' byte order; older archives are little-endian.
  if (zip.has(prefix + "byteorder")) {
    const auto order = zip.read(prefix + "byteorder", 16);
    if (std::string(order.begin(), order.end()) != "little") {
      throw bad_input(path, "storages are big-endian; re-save the projection on a little-endian machine");
    }
  }
  const auto pickle_bytes = zip.read(prefix + "data.pkl", kMaxPickleBytes);
  const pickle::Unpickled unpickled = pickle::load(path, pickle_bytes.data(), pickle_bytes.size());
  const Value& root = unpickled.root();
  if (root.kind != Value::Kind::kDict) throw bad_input(path, "data.pkl does not hold a state dict");

  Tensors tensors;
  for (const auto& [key, value] : root.dict) {
    if (key->kind != Value::Kind::kString) throw bad_input(path, "state dict has a key that is not a string");
    if (value->kind != Value::Kind::kTensor) {
      throw bad_input(path, "state dict entry '" + key->text + "' is not a tensor");
    }
    const pickle::TensorRef& ref = value->tensor;
    DType dtype;
    if (!storage_dtype(ref.storage.storage_type, &dtype)) {
      throw bad_input(path, "tensor '" + key->text + "' has storage " + ref.storage.storage_type +
                                ", expected FloatStorage, HalfStorage or BFloat16Storage");
    }
    if (ref.storage.numel > kMaxElements) throw bad_input(path, "tensor '" + key->text + "' is too large");
    const uint64_t expected = static_cast<uint64_t>(ref.storage.numel) * dtype_size(dtype);
    const std::string entry = prefix + "data/" + ref.storage.key;
    const auto storage = zip.read(entry, expected);
    if (storage.size() != expected) {
      throw bad_input(path, "archive entry '" + entry + "' has " + std::to_string(storage.size()) +
                                " bytes, the pickle says " + std::to_string(expected));
    }
    tensors[key->text] = gather(path, key->text, ref, dtype, storage);
  }
  return tensors;
}

Tensors read_safetensors(const std::string& path) {
  const WeightFiles files = WeightFiles::open_file(path);
  Tensors tensors;
  for (const auto& [name, view] : files.tensors()) {
    const auto* p = static_cast<const uint8_t*>(view.data);
    tensors[name] = StoredTensor{view.dtype, view.shape, std::vector<uint8_t>(p, p + view.nbytes)};
  }
  return tensors;
}

std::string key_list(const Tensors& tensors) {
  std::string out;
  for (const auto& [name, t] : tensors) out += (out.empty() ? "'" : ", '") + name + "'";
  return out.empty() ? "none" : out;
}

}  // namespace

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

float StoredTensor::at(int64_t i) const {
  if (dtype == DType::kF32) {
    float f;
    std::memcpy(&f, bytes.data() + 4 * i, 4);
    return f;
  }
  uint16_t h;
  std::memcpy(&h, bytes.data() + 2 * i, 2);
  return dtype == DType::kBF16 ? bf16_to_f32(h) : f16_to_f32(h);
}

std::vector<float> StoredTensor::to_f32() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = at(static_cast<int64_t>(i));
  return out;
}

StateDict load_state_dict(const std::string& path) {
  // By content: a zip starts with a local file header "PK\3\4".
  bool is_zip = false;
  {
    const MappedFile file(path);
    if (file.size() < 8) throw bad_input(path, "too short for a state dict file (" + std::to_string(file.size()) + " bytes)");
    is_zip = std::memcmp(file.data(), "PK\3\4", 4) == 0;
    if (!is_zip && file.data()[0] == 0x80) {
      throw bad_input(path, "a legacy (pre-zip) torch.save file; re-save it with torch >= 1.6");
    }
  }
  return is_zip ? read_torch_zip(path) : read_safetensors(path);
}

Projection load_projection(const std::string& path) {
  Tensors tensors = load_state_dict(path);

  const auto weight = tensors.find("weight");
  const auto bias = tensors.find("bias");
  if (weight == tensors.end() || bias == tensors.end()) {
    throw bad_input(path, "needs tensors 'weight' and 'bias' (an nn.Linear state dict); found " + key_list(tensors));
  }
  Projection p;
  p.source = path;
  p.weight = std::move(weight->second);
  p.bias = std::move(bias->second);
  if (p.weight.shape.size() != 2 || p.bias.shape.size() != 1 || p.bias.shape[0] != p.weight.shape[0]) {
    throw bad_input(path, "weight " + shape_text(p.weight.shape) + " and bias " + shape_text(p.bias.shape) +
                              " are not [out, in] and [out]");
  }
  p.out_features = p.weight.shape[0];
  p.in_features = p.weight.shape[1];
  p.dtype = p.weight.dtype;
  return p;
}

}  // namespace softcot::io
