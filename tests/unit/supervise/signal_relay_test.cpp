// The supervisor's signal relay with threads around it: the kernel delivers a process signal
// to whichever thread it picks, and the waiting loop must still wake and see it.
// scripts/test.sh runs these under ThreadSanitizer.
#include <pthread.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include "supervise/signal_relay.h"

namespace softcot::supervise {
namespace {

// Waits (woken by the relay, 60 s at most) until `count` stop signals were seen.
void wait_for_stops(const SignalRelay& relay, int count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (relay.stop_count() < count && std::chrono::steady_clock::now() < deadline) relay.wait(1000);
}

TEST(SignalRelay, StopSignalsSentFromManyThreadsWakeTheWaiter) {
  SignalRelay relay;
  constexpr int kThreads = 4;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) senders.emplace_back([] { kill(getpid(), SIGUSR1); });
  for (auto& s : senders) s.join();
  wait_for_stops(relay, 1);
  EXPECT_EQ(relay.stop_signal(), SIGUSR1);
  // Standard signals pending at the same time coalesce: between 1 and kThreads are seen.
  EXPECT_GE(relay.stop_count(), 1);
  EXPECT_LE(relay.stop_count(), kThreads);
}

TEST(SignalRelay, ASignalDeliveredToAnotherThreadIsSeenByTheWaitingOne) {
  SignalRelay relay;
  std::atomic<bool> stop{false};
  // A busy thread with the signals unblocked, like the eval's workers; the test thread
  // sends each signal to it directly, then waits for the relay.
  std::thread busy([&] {
    while (!stop.load()) std::this_thread::yield();
  });
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(pthread_kill(busy.native_handle(), i == 3 ? SIGTERM : SIGUSR2), 0);
    wait_for_stops(relay, i);
    ASSERT_EQ(relay.stop_count(), i);
  }
  EXPECT_EQ(relay.stop_signal(), SIGTERM);
  stop.store(true);
  busy.join();
}

}  // namespace
}  // namespace softcot::supervise
