#include "softcot/run_options.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "softcot/dataset.h"

namespace softcot {

namespace fs = std::filesystem;

namespace {

std::string executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// The source tree's data/, given by CMake (not derived from __FILE__, which ccache's
// base_dir makes relative).
std::string source_tree_data_dir() {
#ifdef SOFTCOT_SOURCE_DATA_DIR
  return SOFTCOT_SOURCE_DATA_DIR;
#else
  return {};
#endif
}

}  // namespace

std::string default_data_dir(Task task) {
  std::vector<std::string> roots;
  if (const char* env = std::getenv("SOFTCOT_DATA_DIR"); env != nullptr && *env != '\0') {
    roots.emplace_back(env);
  }
  if (const std::string exe = executable_dir(); !exe.empty()) {
    roots.push_back((fs::path(exe) / ".." / "share" / "softcot" / "data").string());
  }
  roots.push_back(source_tree_data_dir());
  const TaskInfo& info = task_info(task);
  for (const auto& root : roots) {
    if (root.empty()) continue;
    const fs::path dir = fs::path(root) / info.name;
    std::error_code ec;
    if (fs::is_regular_file(dir / info.test_file, ec)) return dir.lexically_normal().string();
  }
  return {};
}

std::string RunOptions::data_path() const {
  return task_data_path(task, data_dir.empty() ? default_data_dir(task) : data_dir, data_file);
}

void RunOptions::validate() const {
  if (base_model_id.empty()) throw usage_error("--base_model_id is required");
  if (assistant_model_id.empty()) throw usage_error("--assistant_model_id is required");
  if (num_thought_tokens < 0 || num_thought_tokens > kMaxNumThoughtTokens) {
    throw usage_error("--num_thought_tokens must be from 0 to " + std::to_string(kMaxNumThoughtTokens) +
                      ", not " + std::to_string(num_thought_tokens));
  }
  if (num_return_sequences < 1) throw usage_error("--num_return_sequences must be >= 1");
  if (test_k < 0) throw usage_error("--test_k must be >= 0");
  if (max_new_tokens < 1) throw usage_error("--max_new_tokens must be >= 1");
  if (threads < 0) throw usage_error("--threads must be >= 0");
  base_family();
  assistant_family();
}

}  // namespace softcot
