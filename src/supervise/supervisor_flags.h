#pragma once
// The supervisor's command-line flags, shared by `softcot retry` (dashed names, like the
// reference's run_with_retry) and `softcot run` (underscored names, like evaluate_softcot's
// --max_retries). Header-only so this library does not need Boost.Program_options; only
// the cli code that includes it links it.
#include <boost/program_options.hpp>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "supervise/supervisor.h"

namespace softcot::supervise {

// `separator` is '-' (max-retries) or '_' (max_retries). Values land in `out` on notify().
inline void add_supervisor_flags(boost::program_options::options_description& options,
                                 SupervisorOptions& out, char separator) {
  namespace po = boost::program_options;
  auto name = [separator](std::string n) {
    for (char& c : n) {
      if (c == '-' || c == '_') c = separator;
    }
    return n;
  };
  options.add_options()(
      name("max-retries").c_str(), po::value(&out.retry.max_retries)->default_value(out.retry.max_retries),
      "restarts allowed after crashes in a row without progress (a committed sample gives the "
      "budget back)")(
      name("retry-delay").c_str(),
      po::value(&out.retry.retry_delay_seconds)->default_value(out.retry.retry_delay_seconds),
      "seconds to wait before a restart")(
      name("backoff").c_str(), po::value(&out.retry.backoff)->default_value(out.retry.backoff),
      "each restart without progress waits this many times longer (at most 1 h)")(
      name("hang-timeout").c_str(),
      po::value(&out.hang_timeout_seconds)->default_value(out.hang_timeout_seconds),
      "seconds without a heartbeat (or, before the first, since the start) before the worker is "
      "aborted as hung and counted as a crash; 0 disables the watchdog")(
      name("kill-grace").c_str(),
      po::value(&out.kill_grace_seconds)->default_value(out.kill_grace_seconds),
      "seconds a hung worker gets to die of SIGABRT before SIGKILL");
}

// Throws a usage error for values that make no sense.
inline void validate_supervisor_options(const SupervisorOptions& o) {
  if (o.retry.max_retries < 0) throw usage_error("--max-retries must be >= 0");
  if (!(o.retry.retry_delay_seconds >= 0)) throw usage_error("--retry-delay must be >= 0");
  if (!(o.retry.backoff >= 1)) throw usage_error("--backoff must be >= 1");
  if (!(o.hang_timeout_seconds >= 0)) throw usage_error("--hang-timeout must be >= 0");
  if (!(o.kill_grace_seconds >= 0)) throw usage_error("--kill-grace must be >= 0");
}

// "--max_retries=3" -> "--max-retries=3" when separator is '-' (and back for '_'): both
// spellings of a long flag are accepted on the command line.
inline std::string respell_long_flag(const std::string& token, char separator) {
  if (token.rfind("--", 0) != 0) return token;
  std::string out = token;
  const size_t end = std::min(out.find('='), out.size());
  for (size_t i = 2; i < end; ++i) {
    if (out[i] == '-' || out[i] == '_') out[i] = separator;
  }
  return out;
}

}  // namespace softcot::supervise
