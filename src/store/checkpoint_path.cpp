#include "store/checkpoint_path.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"

namespace softcot::store {

namespace fs = std::filesystem;

std::string checkpoint_path(const std::string& checkpoint_dir, const CheckpointKey& key) {
  if (key.run_name.empty() || key.run_name.find('/') != std::string::npos || key.run_name == "." ||
      key.run_name == "..") {
    throw usage_error("--run_name must be a non-empty name without '/' (got '" + key.run_name + "')");
  }
  if (key.shard_count < 1 || key.shard_index < 0 || key.shard_index >= key.shard_count) {
    throw usage_error("shard " + std::to_string(key.shard_index) + " of " +
                      std::to_string(key.shard_count) + " does not exist");
  }
  const std::string name = key.task + "_seed" + std::to_string(key.seed) + "_shard" +
                           std::to_string(key.shard_index) + "-of-" +
                           std::to_string(key.shard_count) + ".h5";
  return (fs::path(checkpoint_dir) / key.run_name / name).string();
}

std::string lock_path_for(const std::string& checkpoint_file) { return checkpoint_file + ".lock"; }
std::string rebuild_path_for(const std::string& checkpoint_file) {
  return checkpoint_file + ".rebuild.tmp";
}

std::vector<std::string> find_checkpoint_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw bad_input(path, "no such file or directory");
    if (!fs::is_directory(status)) {
      files.push_back(path);
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      // A run's merged copy repeats its shards' samples: read it only when named directly.
      if (it->is_directory() && it->path().filename() == kMergedDirName) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && it->path().extension() == ".h5") {
        files.push_back(it->path().string());
      }
    }
    if (ec) throw io_error(path, "cannot list directory: " + ec.message());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace softcot::store
