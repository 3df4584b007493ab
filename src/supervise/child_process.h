#pragma once
// One worker process: started in its own process group (so a hung worker's helpers die
// with it when the watchdog fires, even behind a shell wrapper), with extra environment
// variables, and with SIGTERM as its parent-death signal (a worker whose supervisor
// vanished commits and exits preempted instead of running unsupervised).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace softcot::supervise {

class ChildProcess {
 public:
  // `env_overrides`: "NAME=VALUE" entries that replace or add to this process's environment.
  // Stop signals are blocked from before fork() until the child resets its handlers, so a
  // signal in that window is neither lost nor handled by a copy of the supervisor's handler.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides);

  pid_t pid() const { return pid_; }
  // Signals the whole process group (falls back to the pid alone).
  void signal_group(int signal_number) const;
  // waitpid(WNOHANG): the wait status once the child has ended.
  std::optional<int> try_reap();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A command line as the logs show it: words joined by spaces, quoted when needed.
std::string format_command(const std::vector<std::string>& argv);

// The running binary (/proc/self/exe), for starting `softcot eval` under `softcot run`.
std::string current_executable();

}  // namespace softcot::supervise
