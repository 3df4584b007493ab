#include "supervise/signal_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "core/error.h"

namespace softcot::supervise {

namespace {
constexpr int kRelayed[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGCHLD};

std::atomic<int> g_stop_signal{0};
std::atomic<int> g_stop_count{0};
int g_wake_pipe[2] = {-1, -1};

extern "C" void on_relayed_signal(int signal_number) {
  const int saved_errno = errno;
  if (signal_number != SIGCHLD) {
    g_stop_signal.store(signal_number);
    g_stop_count.fetch_add(1);
  }
  const char byte = 1;
  [[maybe_unused]] ssize_t ignored = ::write(g_wake_pipe[1], &byte, 1);  // full pipe: already awake
  errno = saved_errno;
}
}  // namespace

sigset_t SignalRelay::relayed_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kRelayed) sigaddset(&set, s);
  return set;
}

SignalRelay::SignalRelay() {
  if (::pipe2(g_wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) throw failure("supervisor", errno_text("pipe2"));
  g_stop_signal.store(0);
  g_stop_count.store(0);
  struct sigaction action {};
  action.sa_handler = on_relayed_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  for (size_t i = 0; i < std::size(kRelayed); ++i) sigaction(kRelayed[i], &action, &previous_[i]);
}

SignalRelay::~SignalRelay() {
  for (size_t i = 0; i < std::size(kRelayed); ++i) sigaction(kRelayed[i], &previous_[i], nullptr);
  ::close(g_wake_pipe[0]);
  ::close(g_wake_pipe[1]);
  g_wake_pipe[0] = g_wake_pipe[1] = -1;
}

int SignalRelay::stop_signal() const { return g_stop_signal.load(); }
int SignalRelay::stop_count() const { return g_stop_count.load(); }

void SignalRelay::wait(int timeout_ms) const {
  pollfd fd{g_wake_pipe[0], POLLIN, 0};
  if (::poll(&fd, 1, timeout_ms) > 0) {
    char drain[64];
    while (::read(g_wake_pipe[0], drain, sizeof drain) > 0) {
    }
  }
}

}  // namespace softcot::supervise
