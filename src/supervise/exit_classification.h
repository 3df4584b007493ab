#pragma once
// What a worker's end means for the supervisor: restart it (a crash), or stop and pass
// its exit code on. Crashes are deaths by a crash signal, the same deaths seen through a
// shell wrapper (exit 128+N), and exit_code::kCrashLike (70, e.g. a sticky CUDA error).
// Everything else (clean, failure, usage, bad input, I/O, preempted, any other code) is
// final: a retry would fail the same way or undo a deliberate stop.
#include <string>

namespace softcot::supervise {

enum class ExitKind {
  kClean,      // exit 0
  kCrash,      // retried
  kPreempted,  // exit 75: stopped after committing; never retried
  kFinal,      // any other exit code or non-crash signal: never retried
};

struct ExitOutcome {
  ExitKind kind = ExitKind::kFinal;
  int exit_code = 0;     // what the supervisor exits with if it stops here (128+N for signal N)
  int crash_signal = 0;  // the crash signal (also for 128+N codes); 0 for exit 70 or no crash
  int death_signal = 0;  // the signal the process itself died of, any kind; 0 if it exited
  std::string cause;     // for logs: "SIGSEGV (signal 11)", "exit code 139 (SIGSEGV via a shell)"

  bool retried() const { return kind == ExitKind::kCrash; }
};

// From a waitpid() status (WIFEXITED or WIFSIGNALED).
ExitOutcome classify_wait_status(int wait_status);
ExitOutcome classify_exit_code(int exit_code);
ExitOutcome classify_signal_death(int signal_number);

bool is_crash_signal(int signal_number);
// "SIGSEGV"; "signal 42" for numbers without a conventional name.
std::string signal_name(int signal_number);

// The paragraph `--help` prints about which exits are retried.
std::string retry_policy_help();

}  // namespace softcot::supervise
