#include "core/interrupt.h"

#include <csignal>

namespace softcot {

namespace {
std::atomic<int> g_stop_signal{0};
std::atomic<HeartbeatFn> g_heartbeat{nullptr};

extern "C" void on_stop_signal(int signal_number) {
  int expected = 0;
  g_stop_signal.compare_exchange_strong(expected, signal_number);
}
}  // namespace

void install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaction(s, &action, nullptr);
}

int pending_stop_signal() { return g_stop_signal.load(std::memory_order_relaxed); }
bool stop_requested() { return pending_stop_signal() != 0; }
void request_stop(int signal_number) { on_stop_signal(signal_number); }

void set_heartbeat(HeartbeatFn fn) { g_heartbeat.store(fn); }
void heartbeat() {
  if (HeartbeatFn fn = g_heartbeat.load(std::memory_order_relaxed)) fn();
}

}  // namespace softcot
