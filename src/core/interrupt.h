#pragma once
// Cooperative stop and liveness, shared by every long loop (generation steps, the
// sample loop). A stop signal only sets a flag; the loops notice it within one decode
// step, the store commits, and the process exits with exit_code::kPreempted.
// The heartbeat lets a supervisor's watchdog tell a slow sample from a hung one.
#include <atomic>
#include <exception>

namespace softcot {

// SIGTERM, SIGINT, SIGUSR1, SIGUSR2 -> remember the signal (async-signal-safe).
void install_stop_signal_handlers();
int pending_stop_signal();  // 0 when none
bool stop_requested();
void request_stop(int signal_number);  // for tests and the supervisor's forwarding

// Thrown by loops that noticed a stop request; caught where the sample loop commits.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted by a stop signal"; }
};
inline void throw_if_stop_requested() {
  if (stop_requested()) throw Interrupted{};
}

// Liveness: a cheap call made at least once per decode step. The supervisor module
// installs the real beat (shared memory); without one it does nothing.
using HeartbeatFn = void (*)();
void set_heartbeat(HeartbeatFn fn);
void heartbeat();

}  // namespace softcot
