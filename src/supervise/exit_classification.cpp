#include "supervise/exit_classification.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include "core/exit_codes.h"

namespace softcot::supervise {

namespace {
// SIGKILL is here because the kernel's OOM killer uses it; SIGTRAP for __builtin_trap.
constexpr int kCrashSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSYS, SIGTRAP};
constexpr int kShellSignalBase = 128;  // how sh/bash report a child killed by signal N
}  // namespace

bool is_crash_signal(int signal_number) {
  for (int s : kCrashSignals) {
    if (s == signal_number) return true;
  }
  return false;
}

std::string signal_name(int signal_number) {
  if (const char* abbrev = sigabbrev_np(signal_number)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signal_number);
}

ExitOutcome classify_signal_death(int signal_number) {
  ExitOutcome outcome;
  outcome.exit_code = kShellSignalBase + signal_number;
  outcome.death_signal = signal_number;
  outcome.cause = signal_name(signal_number) + " (signal " + std::to_string(signal_number) + ")";
  if (is_crash_signal(signal_number)) {
    outcome.kind = ExitKind::kCrash;
    outcome.crash_signal = signal_number;
  }
  return outcome;
}

ExitOutcome classify_exit_code(int exit_code) {
  ExitOutcome outcome;
  outcome.exit_code = exit_code;
  outcome.cause = "exit code " + std::to_string(exit_code);
  if (exit_code == exit_code::kOk) {
    outcome.kind = ExitKind::kClean;
  } else if (exit_code == exit_code::kPreempted) {
    outcome.kind = ExitKind::kPreempted;
    outcome.cause += " (preempted)";
  } else if (exit_code == exit_code::kCrashLike) {
    outcome.kind = ExitKind::kCrash;
    outcome.cause += " (crash-like error)";
  } else if (exit_code > kShellSignalBase && is_crash_signal(exit_code - kShellSignalBase)) {
    outcome.kind = ExitKind::kCrash;
    outcome.crash_signal = exit_code - kShellSignalBase;
    outcome.cause += " (" + signal_name(outcome.crash_signal) + " through a shell)";
  }
  return outcome;
}

ExitOutcome classify_wait_status(int wait_status) {
  if (WIFSIGNALED(wait_status)) return classify_signal_death(WTERMSIG(wait_status));
  return classify_exit_code(WEXITSTATUS(wait_status));
}

std::string retry_policy_help() {
  return "Retried (a crash): death by SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGKILL (the OOM\n"
         "killer), SIGSYS or SIGTRAP; the same through a shell wrapper: exit 139, 134, 135, 136, 132,\n"
         "137, 159, 133 (128+signal); exit 70 (crash-like, e.g. a sticky CUDA error); a hang found\n"
         "by the watchdog.\n"
         "Never retried: exit 0 (done), 1 (failure), 2 (usage), 65 (bad input), 74 (I/O error),\n"
         "75 (preempted), any other code, death by any other signal.\n";
}

}  // namespace softcot::supervise
