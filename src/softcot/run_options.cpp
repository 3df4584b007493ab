#include "softcot/run_options.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
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

bool is_chat_date(const std::string& t) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
    }
    return true;
  };
  if (t.size() != 11 || t[2] != ' ' || t[6] != ' ' || !digits(0, 2) || !digits(7, 4)) return false;
  const int day = (t[0] - '0') * 10 + (t[1] - '0');
  if (day < 1 || day > 31) return false;
  for (const char* m : kMonths) {
    if (t.compare(3, 3, m) == 0) return true;
  }
  return false;
}

std::string today_chat_date() {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char out[16];
  std::snprintf(out, sizeof out, "%02d %s %04d", local.tm_mday, kMonths[local.tm_mon], local.tm_year + 1900);
  return out;
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
  if (chat_date != "today" && !is_chat_date(chat_date)) {
    throw usage_error("--chat_date must be \"DD Mon YYYY\" (e.g. \"26 Jul 2024\") or today, not '" + chat_date + "'");
  }
  base_family();
  assistant_family();
}

}  // namespace softcot
