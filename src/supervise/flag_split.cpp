#include "supervise/flag_split.h"

#include <algorithm>

namespace softcot::supervise {

const std::vector<std::string>& supervisor_flag_names() {
  static const std::vector<std::string> names = {"max-retries", "retry-delay", "backoff",
                                                 "hang-timeout", "kill-grace"};
  return names;
}

namespace {
// "--max_retries=3" -> "max-retries"; "" for anything that is not a long flag.
std::string dashed_name(const std::string& token) {
  if (token.size() < 3 || token.rfind("--", 0) != 0) return "";
  std::string name = token.substr(2, token.find('=') == std::string::npos ? std::string::npos
                                                                           : token.find('=') - 2);
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}
}  // namespace

SplitCommandLine split_supervisor_flags(const std::vector<std::string>& args) {
  const auto& names = supervisor_flag_names();
  SplitCommandLine split;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      split.worker.insert(split.worker.end(), args.begin() + i, args.end());
      break;
    }
    const std::string name = dashed_name(args[i]);
    if (name.empty() || std::find(names.begin(), names.end(), name) == names.end()) {
      split.worker.push_back(args[i]);
      continue;
    }
    split.supervisor.push_back(args[i]);
    const bool value_attached = args[i].find('=') != std::string::npos;
    if (!value_attached && i + 1 < args.size()) split.supervisor.push_back(args[++i]);
  }
  return split;
}

}  // namespace softcot::supervise
