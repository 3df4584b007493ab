#pragma once
// The retry supervisor: runs a worker command, restarts it when it crashes or hangs, and
// passes its final exit code on. `softcot retry` runs it for any command; `softcot run`
// runs `softcot eval` under it. docs/supervisor.md is the user's guide.
//
// Per attempt the worker gets, in its environment:
//   SOFTCOT_HEARTBEAT          the heartbeat segment (install_worker_heartbeat maps it)
//   SOFTCOT_ATTEMPT            1, 2, ... (the supervisor's attempt number)
//   SOFTCOT_LAST_CRASH_SIGNAL  the previous attempt's crash signal (0 for exit 70 / none)
//   SOFTCOT_LAST_CRASH_CAUSE   the previous attempt's end in words, for quarantine records
#include <cstdint>
#include <string>
#include <vector>

#include "supervise/exit_classification.h"
#include "supervise/retry_budget.h"

namespace softcot::supervise {

inline constexpr const char* kAttemptEnv = "SOFTCOT_ATTEMPT";

struct SupervisorOptions {
  RetrySettings retry;
  double hang_timeout_seconds = 0;  // no heartbeat for this long -> SIGABRT; 0 disables
  double kill_grace_seconds = 10;   // SIGABRT not obeyed for this long -> SIGKILL
  int poll_interval_ms = 200;       // watchdog resolution (signals and exits wake at once)
};

struct AttemptRecord {
  int number = 0;
  ExitOutcome outcome;
  bool hang = false;          // ended by the watchdog
  int64_t sample_idx = -1;    // the sample it was on when it ended, -1 if unknown
  int64_t commits = 0;        // samples it committed (from the heartbeat)
  bool heartbeat_seen = false;  // it mapped the segment and beat at least once
  double seconds = 0;
};

struct SupervisionResult {
  int exit_code = 0;
  int stop_signal = 0;  // a stop signal the supervisor received (and forwarded), 0 if none
  std::vector<AttemptRecord> attempts;
};

// Runs `worker_argv` (argv[0] looked up in PATH) until it ends in a way that is not
// retried, the retry budget is spent, or a stop signal arrives. Exit code: the worker's
// last (128+N for death by signal N); exit_code::kPreempted when stopped by a stop
// signal (the worker died of it, or none was running). Logs every attempt.
SupervisionResult run_supervised(const SupervisorOptions& options,
                                 const std::vector<std::string>& worker_argv);

// The same, for a subcommand's `return`.
int supervise_worker(const SupervisorOptions& options, const std::vector<std::string>& worker_argv);

}  // namespace softcot::supervise
