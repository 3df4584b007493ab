// A stop signal that reaches a worker which cannot act on it (hung: no heartbeat, no stop
// check) must still end the run as preempted (75), not as the watchdog's SIGABRT (134):
// the stop came first, and nothing the worker had in flight was committed (issue 12).
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include "core/exit_codes.h"
#include "supervise/supervisor.h"

namespace softcot::supervise {
namespace {

namespace fs = std::filesystem;

TEST(StopDuringHang, AStopSignalThenTheWatchdogStillExitsPreempted) {
  const fs::path dir = fs::path(SOFTCOT_TEST_TMP) / ("stop-during-hang-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string started = (dir / "started").string();
  SupervisorOptions options;
  options.retry.retry_delay_seconds = 0;
  options.hang_timeout_seconds = 1;  // the worker never beats: the watchdog ends it
  options.kill_grace_seconds = 1;
  options.poll_interval_ms = 20;
  // The worker ignores SIGTERM (as a hung process does), says it runs, then never ends.
  const std::string script = "trap '' TERM; : > \"$1\"; while :; do sleep 1; done";
  // The stop goes to this process (the supervisor) once the worker has started: an event,
  // not a delay.
  std::thread stopper([&] {
    while (!fs::exists(started)) std::this_thread::yield();
    kill(getpid(), SIGTERM);
  });
  const SupervisionResult result = run_supervised(options, {"sh", "-c", script, "sh", started});
  stopper.join();
  ASSERT_EQ(result.attempts.size(), 1u);
  EXPECT_TRUE(result.attempts[0].hang);
  EXPECT_EQ(result.stop_signal, SIGTERM);
  EXPECT_EQ(result.exit_code, exit_code::kPreempted);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace softcot::supervise
