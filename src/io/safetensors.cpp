#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_file.h"

namespace softcot::io {
namespace {

// The Rust safetensors library refuses headers above 100 MB; so do we, before parsing.
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

bool parse_dtype(const std::string& text, DType* out) {
  if (text == "F32") *out = DType::kF32;
  else if (text == "F16") *out = DType::kF16;
  else if (text == "BF16") *out = DType::kBF16;
  else return false;
  return true;
}

std::string quoted(const std::string& name) { return "tensor '" + name + "'"; }

// A JSON value that must be a non-negative integer (nlohmann keeps those unsigned).
bool as_count(const nlohmann::json& value, uint64_t* out) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return true;
  }
  const int64_t v = value.get<int64_t>();
  if (v < 0) return false;
  *out = static_cast<uint64_t>(v);
  return true;
}

struct Span {
  uint64_t begin, end;
  const std::string* name;
};

}  // namespace

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
  }
  return "?";
}

size_t dtype_size(DType dtype) { return dtype == DType::kF32 ? 4 : 2; }

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::vector<TensorView> parse_safetensors(const std::string& file, const uint8_t* bytes, size_t size) {
  if (size < 8) {
    throw bad_input(file, "not a safetensors file: " + std::to_string(size) +
                              " bytes, shorter than the 8-byte header length");
  }
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];  // little-endian
  if (header_len > kMaxHeaderBytes) {
    throw bad_input(file, "safetensors header length " + std::to_string(header_len) +
                              " exceeds the 100 MB limit (corrupt or not a safetensors file)");
  }
  if (header_len > size - 8) {
    throw bad_input(file, "safetensors header of " + std::to_string(header_len) +
                              " bytes is truncated: the file has only " + std::to_string(size - 8) +
                              " bytes after the length");
  }
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = size - data_start;

  const auto header = nlohmann::json::parse(bytes + 8, bytes + data_start, nullptr, false);
  if (header.is_discarded()) throw bad_input(file, "safetensors header is not valid JSON");
  if (!header.is_object()) throw bad_input(file, "safetensors header is not a JSON object");

  std::vector<TensorView> views;
  views.reserve(header.size());
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw bad_input(file, "safetensors __metadata__ is not an object");
      continue;
    }
    if (!entry.is_object()) throw bad_input(file, quoted(name) + ": header entry is not an object");
    const auto dtype_it = entry.find("dtype");
    const auto shape_it = entry.find("shape");
    const auto offsets_it = entry.find("data_offsets");
    if (dtype_it == entry.end() || shape_it == entry.end() || offsets_it == entry.end()) {
      throw bad_input(file, quoted(name) + ": header entry needs dtype, shape and data_offsets");
    }
    TensorView view;
    view.name = name;
    view.file = file;
    if (!dtype_it->is_string()) throw bad_input(file, quoted(name) + ": dtype is not a string");
    if (!parse_dtype(dtype_it->get<std::string>(), &view.dtype)) {
      throw bad_input(file, quoted(name) + " has dtype " + dtype_it->get<std::string>() +
                                ", expected one of F32, F16, BF16");
    }
    if (!shape_it->is_array()) throw bad_input(file, quoted(name) + ": shape is not an array");
    // Element count with overflow checks: every factor is bounded by the data size.
    uint64_t numel = 1;
    bool zero = false;
    for (const auto& dim : *shape_it) {
      uint64_t d = 0;
      if (!as_count(dim, &d) || d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw bad_input(file, quoted(name) + ": shape has a dimension that is not a count");
      }
      view.shape.push_back(static_cast<int64_t>(d));
      if (d == 0) zero = true;
      else if (!zero && numel > data_size / d) {
        throw bad_input(file, quoted(name) + " of shape " + shape_text(view.shape) +
                                  "... needs more bytes than the file holds");
      } else if (!zero) {
        numel *= d;
      }
    }
    if (zero) numel = 0;
    uint64_t begin = 0, end = 0;
    if (!offsets_it->is_array() || offsets_it->size() != 2 || !as_count((*offsets_it)[0], &begin) ||
        !as_count((*offsets_it)[1], &end) || begin > end) {
      throw bad_input(file, quoted(name) + ": data_offsets is not a pair [begin, end] with begin <= end");
    }
    if (end > data_size) {
      throw bad_input(file, quoted(name) + " data_offsets [" + std::to_string(begin) + ", " +
                                std::to_string(end) + "] point past the end of the file (" +
                                std::to_string(data_size) + " data bytes)");
    }
    // The shape loop bounded numel by the data size, so this product cannot overflow.
    const uint64_t element = dtype_size(view.dtype);
    if (numel * element != end - begin) {
      throw bad_input(file, quoted(name) + " of shape " + shape_text(view.shape) + " and dtype " +
                                dtype_name(view.dtype) + " needs " + std::to_string(numel * element) +
                                " bytes, data_offsets give " + std::to_string(end - begin));
    }
    // The map is page-aligned, so this makes every element naturally aligned in memory.
    if ((data_start + begin) % element != 0) {
      throw bad_input(file, quoted(name) + " starts at file offset " +
                                std::to_string(data_start + begin) + ", not aligned to its " +
                                std::to_string(element) + "-byte elements");
    }
    view.data = bytes + data_start + begin;
    view.nbytes = end - begin;
    views.push_back(std::move(view));
  }

  std::vector<Span> spans;
  spans.reserve(views.size());
  for (const auto& v : views) {
    const auto begin = static_cast<uint64_t>(static_cast<const uint8_t*>(v.data) - bytes - data_start);
    if (v.nbytes > 0) spans.push_back({begin, begin + v.nbytes, &v.name});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].begin < spans[i - 1].end) {
      throw bad_input(file, quoted(*spans[i].name) + " overlaps " + quoted(*spans[i - 1].name) +
                                " in the data section");
    }
  }
  return views;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // Wider dtypes first (stable otherwise), as the Rust writer orders them: with the data
  // section 8-byte aligned, every tensor then starts aligned to its element size.
  std::vector<const TensorToWrite*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [](const TensorToWrite* a, const TensorToWrite* b) {
    return dtype_size(a->dtype) > dtype_size(b->dtype);
  });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorToWrite* t : order) {
    uint64_t numel = 1;
    for (int64_t d : t->shape) numel *= static_cast<uint64_t>(d);
    if (numel * dtype_size(t->dtype) != t->bytes.size()) {
      throw failure(path, quoted(t->name) + " of shape " + shape_text(t->shape) + " has " +
                              std::to_string(t->bytes.size()) + " bytes, expected " +
                              std::to_string(numel * dtype_size(t->dtype)));
    }
    header[t->name] = {{"dtype", dtype_name(t->dtype)},
                       {"shape", t->shape},
                       {"data_offsets", {offset, offset + t->bytes.size()}}};
    offset += t->bytes.size();
  }
  std::string text = header.dump();
  // Pad with spaces so the data section starts 8-byte aligned (as the Rust writer does).
  text.append((8 - text.size() % 8) % 8, ' ');

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw io_error(tmp, errno_text("cannot create"));
    uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(uint64_t{text.size()} >> (8 * i));
    out.write(reinterpret_cast<const char*>(length), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const TensorToWrite* t : order) {
      out.write(reinterpret_cast<const char*>(t->bytes.data()), static_cast<std::streamsize>(t->bytes.size()));
    }
    out.flush();
    if (!out) throw io_error(tmp, errno_text("write failed"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw io_error(path, errno_text("rename"));
}

}  // namespace softcot::io
