#pragma once
// The supervisor's signal handling. SIGTERM, SIGINT, SIGUSR1 and SIGUSR2 (stop requests,
// from Slurm or a user) and SIGCHLD only note themselves and write a byte to a self-pipe,
// so the supervisor's loop wakes at once and does the real work (forwarding, reaping)
// outside the handler. Works whichever thread the kernel picks to deliver to.
// One relay at a time; the destructor restores the previous handlers.
#include <csignal>

namespace softcot::supervise {

class SignalRelay {
 public:
  SignalRelay();
  ~SignalRelay();
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  // The latest stop signal received (0 = none) and how many were received in all.
  int stop_signal() const;
  int stop_count() const;

  // Sleeps until a relayed signal arrives or `timeout_ms` passes.
  void wait(int timeout_ms) const;

  // The relayed signals, for blocking them around fork() (see ChildProcess).
  static sigset_t relayed_set();

 private:
  struct sigaction previous_[5];
};

}  // namespace softcot::supervise
