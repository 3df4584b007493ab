#pragma once
// For `softcot run`: its command line is the eval flags plus the supervisor's. This takes
// the supervisor's flags out (both spellings, `--flag value` and `--flag=value`) so the
// rest can be handed to `softcot eval` unchanged.
#include <string>
#include <vector>

namespace softcot::supervise {

// The supervisor's long flag names, dashed: max-retries, retry-delay, backoff, hang-timeout, kill-grace.
const std::vector<std::string>& supervisor_flag_names();

struct SplitCommandLine {
  std::vector<std::string> supervisor;  // e.g. {"--max_retries", "3", "--retry_delay=0"}
  std::vector<std::string> worker;      // everything else, in order
};

// Everything after a bare `--` goes to the worker untouched.
SplitCommandLine split_supervisor_flags(const std::vector<std::string>& args);

}  // namespace softcot::supervise
