#pragma once
// Crash attribution's last step. Before running a sample the worker asks the store to
// record another start of it (begin_sample -> attempt number, 1 for the first). A sample
// already started max_sample_attempts times without a commit took the worker down each
// time: it is committed as quarantined (status error_generation, with the attempts and
// the last crash signal) instead of being run again, and the run goes on.
#include <cstdint>
#include <optional>
#include <string>

#include "softcot/sample_result.h"

namespace softcot::supervise {

inline constexpr const char* kLastCrashSignalEnv = "SOFTCOT_LAST_CRASH_SIGNAL";
inline constexpr const char* kLastCrashCauseEnv = "SOFTCOT_LAST_CRASH_CAUSE";

struct QuarantinePolicy {
  int max_sample_attempts = 3;

  // `attempt`: the store's begin_sample() result for this start.
  bool should_quarantine(int attempt) const { return attempt > max_sample_attempts; }

  // The record to commit instead of running the sample, or nullopt to run it.
  // `last_crash_signal`: from last_crash_signal_from_env() in a supervised worker.
  std::optional<SampleResult> check(int64_t sample_idx, int attempt, int last_crash_signal,
                                    const std::string& last_crash_cause = "") const;
};

// What the supervisor told this worker about the previous attempt's end (0 / "" if none).
int last_crash_signal_from_env();
std::string last_crash_cause_from_env();

}  // namespace softcot::supervise
