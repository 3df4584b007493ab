#include "supervise/quarantine.h"

#include <chrono>
#include <cstdlib>

#include "supervise/exit_classification.h"

namespace softcot::supervise {

std::optional<SampleResult> QuarantinePolicy::check(int64_t sample_idx, int attempt,
                                                    int last_crash_signal,
                                                    const std::string& last_crash_cause) const {
  if (!should_quarantine(attempt)) return std::nullopt;
  SampleResult result;
  result.idx = sample_idx;
  result.status = sample_status::kErrorGeneration;
  result.attempts = attempt - 1;  // the starts that crashed; this one does not run
  result.crash_signal = last_crash_signal;
  std::string cause = last_crash_cause;
  if (cause.empty()) {
    cause = last_crash_signal != 0 ? signal_name(last_crash_signal) : "an unknown crash";
  }
  result.error_message = "quarantined: the worker crashed " + std::to_string(result.attempts) +
                         " times on this sample (last: " + cause + ")";
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  result.started_unix_ms = now_ms;
  result.finished_unix_ms = now_ms;
  return result;
}

int last_crash_signal_from_env() {
  const char* text = std::getenv(kLastCrashSignalEnv);
  return text == nullptr ? 0 : std::atoi(text);
}

std::string last_crash_cause_from_env() {
  const char* text = std::getenv(kLastCrashCauseEnv);
  return text == nullptr ? std::string() : std::string(text);
}

}  // namespace softcot::supervise
