// WeightFiles: one safetensors file, or shards listed by model.safetensors.index.json.
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/json_file.h"
#include "io/safetensors.h"

namespace softcot::io {
namespace fs = std::filesystem;

WeightFiles WeightFiles::open_file(const std::string& safetensors_path) {
  WeightFiles files;
  files.description_ = safetensors_path;
  auto map = std::make_shared<MappedFile>(safetensors_path);
  for (auto& view : parse_safetensors(safetensors_path, map->data(), map->size())) {
    std::string name = view.name;
    files.tensors_.emplace(std::move(name), std::move(view));
  }
  files.maps_.push_back(std::move(map));
  return files;
}

WeightFiles WeightFiles::open_dir(const std::string& model_dir) {
  const fs::path dir(model_dir);
  const std::string index_path = (dir / "model.safetensors.index.json").string();
  const std::string single_path = (dir / "model.safetensors").string();
  if (!fs::exists(index_path)) {
    if (!fs::exists(single_path)) {
      throw bad_input(model_dir, "no model.safetensors or model.safetensors.index.json");
    }
    WeightFiles files = open_file(single_path);
    files.description_ = single_path;
    return files;
  }

  const Json index = read_json_file(index_path);
  const auto weight_map = index.find("weight_map");
  if (!index.is_object() || weight_map == index.end() || !weight_map->is_object()) {
    throw bad_input(index_path, "key 'weight_map' is missing or not an object");
  }
  std::set<std::string> shard_names;
  for (const auto& [name, shard] : weight_map->items()) {
    if (!shard.is_string()) throw bad_input(index_path, "weight_map['" + name + "'] is not a string");
    const std::string file = shard.get<std::string>();
    // Shards are plain names beside the index; never follow a path out of the directory.
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
      throw bad_input(index_path, "weight_map['" + name + "'] names '" + file +
                                      "', not a file in the model directory");
    }
    shard_names.insert(file);
  }

  WeightFiles files;
  files.description_ = index_path;
  for (const auto& shard : shard_names) {
    WeightFiles one = open_file((dir / shard).string());
    for (auto& [name, view] : one.tensors_) {
      if (files.tensors_.count(name)) {
        throw bad_input(view.file, "tensor '" + name + "' is also in " + files.tensors_.at(name).file);
      }
      files.tensors_.emplace(name, std::move(view));
    }
    files.maps_.insert(files.maps_.end(), one.maps_.begin(), one.maps_.end());
  }
  for (const auto& [name, shard] : weight_map->items()) {
    const auto it = files.tensors_.find(name);
    const std::string shard_path = (dir / shard.get<std::string>()).string();
    if (it == files.tensors_.end() || it->second.file != shard_path) {
      throw bad_input(shard_path, "tensor '" + name + "' is missing (listed in " + index_path + ")");
    }
  }
  return files;
}

bool WeightFiles::contains(const std::string& name) const { return tensors_.count(name) != 0; }

const TensorView& WeightFiles::get(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw bad_input(description_, "tensor '" + name + "' is missing");
  return it->second;
}

const TensorView& WeightFiles::get_checked(const std::string& name,
                                           const std::vector<int64_t>& shape) const {
  const TensorView& view = get(name);
  if (view.shape != shape) {
    throw bad_input(view.file, "tensor '" + name + "' has shape " + shape_text(view.shape) +
                                   ", expected " + shape_text(shape));
  }
  return view;
}

size_t WeightFiles::total_bytes() const {
  size_t total = 0;
  for (const auto& [name, view] : tensors_) total += view.nbytes;
  return total;
}

}  // namespace softcot::io
