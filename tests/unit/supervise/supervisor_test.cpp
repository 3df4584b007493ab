#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "core/interrupt.h"
#include "supervise/child_process.h"
#include "supervise/heartbeat.h"
#include "supervise/supervisor.h"

namespace softcot::supervise {
namespace {

namespace fs = std::filesystem;

// This test binary doubles as a heartbeating worker: run with SUPERVISE_TEST_WORKER=<mode>
// it plays that worker before gtest starts. SUPERVISE_TEST_COUNTER counts its starts.
constexpr const char* kWorkerModeEnv = "SUPERVISE_TEST_WORKER";
constexpr const char* kCounterEnv = "SUPERVISE_TEST_COUNTER";

int bump_counter() {
  const char* path = std::getenv(kCounterEnv);
  int n = 0;
  if (std::ifstream in(path); in) in >> n;
  std::ofstream(path) << ++n;
  return n;
}

int play_worker(const std::string& mode) {
  install_worker_heartbeat();
  const int start = bump_counter();
  if (mode == "commit-then-crash") {  // progress on each of the first 4 starts, then done
    if (start > 4) return 0;
    note_sample_committed(start);
    note_sample_started(10 + start, 1);  // crashes on the next sample
    raise(SIGSEGV);
  }
  if (mode == "crash-without-commit") {
    if (start > 4) return 0;
    note_sample_started(0, start);
    raise(SIGSEGV);
  }
  if (mode == "hang-once") {  // beats for a while, then stops beating at sample 7
    if (start > 1) return 0;
    for (int i = 0; i < 5; ++i) {
      softcot::heartbeat();
      usleep(20'000);
    }
    note_sample_started(7, 1);
    for (;;) pause();
  }
  return 99;
}

[[maybe_unused]] const bool kPlaysWorker = [] {
  if (const char* mode = std::getenv(kWorkerModeEnv)) std::_Exit(play_worker(mode));
  return false;
}();

// Whether a child of this process is still running (not a zombie), from /proc/*/stat.
bool has_running_child() {
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(it->path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(paren + 1));
    char state = '?';
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == getpid() && state != 'Z') return true;
  }
  return false;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(SOFTCOT_TEST_TMP) / ("supervisor-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    counter_ = (dir_ / "counter").string();
    options_.retry.retry_delay_seconds = 0;
    options_.poll_interval_ms = 20;
  }
  void TearDown() override {
    unsetenv(kWorkerModeEnv);
    unsetenv(kCounterEnv);
    fs::remove_all(dir_);
  }

  SupervisionResult run_self_as(const std::string& mode) {
    setenv(kWorkerModeEnv, mode.c_str(), 1);
    setenv(kCounterEnv, counter_.c_str(), 1);
    auto result = run_supervised(options_, {current_executable()});
    unsetenv(kWorkerModeEnv);
    return result;
  }
  SupervisionResult run_sh(const std::string& script) {
    return run_supervised(options_, {"sh", "-c", script, "sh", counter_});
  }

  // Sends `signal_number` to this process once `ready()` holds (an event: a file the worker
  // writes, the worker gone), while the supervisor runs. The deadline only guards a stuck test.
  std::thread signal_when(int signal_number, std::function<bool()> ready) {
    return std::thread([=] {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
      while (!ready() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a poll, not a wait for time
      }
      kill(getpid(), signal_number);
    });
  }
  std::thread signal_when_exists(int signal_number, const std::string& path) {
    return signal_when(signal_number, [path] { return fs::exists(path); });
  }
  std::string ready_file() const { return (dir_ / "ready").string(); }

  fs::path dir_;
  std::string counter_;
  SupervisorOptions options_;
};

// $1 is the counter file: the script's start number, 1-based.
constexpr const char* kCountStart = "n=$(cat \"$1\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$1\"; ";

TEST_F(SupervisorTest, NonCrashExitsAreNotRetried) {
  for (int code : {0, 1, 2, 3, 65, 74, 75, 143}) {
    fs::remove(counter_);
    const auto result = run_sh(std::string(kCountStart) + "exit " + std::to_string(code));
    EXPECT_EQ(result.exit_code, code);
    EXPECT_EQ(result.attempts.size(), 1u) << code;
  }
  EXPECT_EQ(run_supervised(options_, {"false"}).exit_code, 1);
}

TEST_F(SupervisorTest, ACrashingCommandIsRetriedExactlyMaxRetriesTimes) {
  options_.retry.max_retries = 3;
  const auto result = run_sh(std::string(kCountStart) + "kill -SEGV $$");
  EXPECT_EQ(result.exit_code, 139);
  ASSERT_EQ(result.attempts.size(), 4u);
  for (const auto& a : result.attempts) EXPECT_EQ(a.outcome.crash_signal, SIGSEGV);
  std::ifstream in(counter_);
  int starts = 0;
  in >> starts;
  EXPECT_EQ(starts, 4);
}

TEST_F(SupervisorTest, CrashesTwiceThenCompletes) {
  const auto result = run_sh(std::string(kCountStart) + "[ $n -ge 3 ] || kill -SEGV $$");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.attempts.size(), 3u);
}

TEST_F(SupervisorTest, ShellCrashCodesAndExit70AreRetried) {
  options_.retry.max_retries = 5;
  const auto result = run_sh(std::string(kCountStart) +
                             "case $n in 1) exit 139;; 2) exit 134;; 3) exit 137;; 4) exit 70;; esac; exit 0");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.attempts.size(), 5u);
}

TEST_F(SupervisorTest, TheNextAttemptLearnsTheLastCrash) {
  // Start 1 crashes; start 2 exits with what the supervisor told it (11 is not retried).
  const auto result = run_sh(std::string(kCountStart) +
                             "[ $n -ge 2 ] || kill -SEGV $$; "
                             "[ \"$SOFTCOT_ATTEMPT\" = 2 ] || exit 99; "
                             "case \"$SOFTCOT_LAST_CRASH_CAUSE\" in SIGSEGV*) ;; *) exit 98;; esac; "
                             "exit $SOFTCOT_LAST_CRASH_SIGNAL");
  EXPECT_EQ(result.exit_code, SIGSEGV);
}

TEST_F(SupervisorTest, ProgressGivesTheRetryBudgetBack) {
  options_.retry.max_retries = 1;
  const auto result = run_self_as("commit-then-crash");  // 4 crashes, each after a commit
  EXPECT_EQ(result.exit_code, 0);
  ASSERT_EQ(result.attempts.size(), 5u);
  EXPECT_EQ(result.attempts[0].commits, 1);
  EXPECT_EQ(result.attempts[2].sample_idx, 13);
}

TEST_F(SupervisorTest, WithoutProgressTheBudgetRunsOut) {
  options_.retry.max_retries = 1;
  const auto result = run_self_as("crash-without-commit");
  EXPECT_EQ(result.exit_code, 139);
  EXPECT_EQ(result.attempts.size(), 2u);
  EXPECT_TRUE(result.attempts[0].heartbeat_seen);
}

TEST_F(SupervisorTest, AHungWorkerIsAbortedAndCountedAsACrashAtItsSample) {
  // Generous: a healthy worker that a busy machine stalls for less than this is not taken
  // for hung (the test then waits this long for the watchdog).
  options_.hang_timeout_seconds = 5;
  const auto result = run_self_as("hang-once");
  EXPECT_EQ(result.exit_code, 0);
  ASSERT_EQ(result.attempts.size(), 2u);
  const AttemptRecord& hung = result.attempts[0];
  EXPECT_TRUE(hung.hang);
  EXPECT_EQ(hung.outcome.kind, ExitKind::kCrash);
  EXPECT_EQ(hung.outcome.death_signal, SIGABRT);
  EXPECT_EQ(hung.sample_idx, 7);
  EXPECT_FALSE(result.attempts[1].hang);
}

TEST_F(SupervisorTest, AWorkerIgnoringSigabrtIsKilledAfterTheGrace) {
  // Generous: the shell must have set its trap before the watchdog's SIGABRT comes.
  options_.hang_timeout_seconds = 3;
  options_.kill_grace_seconds = 0.3;
  options_.retry.max_retries = 0;
  // Never beats (a command without the heartbeat), ignores SIGABRT.
  const auto result = run_sh("trap '' ABRT; sleep 60");
  ASSERT_EQ(result.attempts.size(), 1u);
  EXPECT_TRUE(result.attempts[0].hang);
  EXPECT_EQ(result.attempts[0].outcome.death_signal, SIGKILL);
  EXPECT_EQ(result.exit_code, 128 + SIGKILL);
}

TEST_F(SupervisorTest, StopSignalIsForwardedAndTheWorkersCodeKept) {
  auto sender = signal_when_exists(SIGTERM, ready_file());
  const auto result = run_sh("trap 'exit 75' TERM; echo > " + ready_file() + "; while :; do sleep 0.05; done");
  sender.join();
  EXPECT_EQ(result.stop_signal, SIGTERM);
  EXPECT_EQ(result.exit_code, 75);
  EXPECT_EQ(result.attempts.size(), 1u);
}

TEST_F(SupervisorTest, AWorkerThatDiesOfTheStopSignalMeansPreempted) {
  auto sender = signal_when_exists(SIGUSR2, ready_file());
  const auto result = run_sh("echo > " + ready_file() + "; exec sleep 60");
  sender.join();
  EXPECT_EQ(result.stop_signal, SIGUSR2);
  EXPECT_EQ(result.exit_code, 75);
}

TEST_F(SupervisorTest, AStopDuringTheRetryDelayStartsNothingNew) {
  options_.retry.retry_delay_seconds = 30;
  // In the delay: the first start wrote the counter, and no worker is running any more.
  auto sender = signal_when(SIGINT, [this] { return fs::exists(counter_) && !has_running_child(); });
  const auto result = run_sh(std::string(kCountStart) + "kill -SEGV $$");
  sender.join();
  EXPECT_EQ(result.exit_code, 75);
  EXPECT_EQ(result.attempts.size(), 1u);
}

TEST_F(SupervisorTest, LeavesNoHeartbeatSegmentBehind) {
  // Only segments this run adds count: a process of the same pid that was SIGKILLed earlier
  // (pids are reused) may have left one with our prefix.
  const std::string prefix = "softcot-hb-" + std::to_string(getpid()) + "-";
  auto ours = [&] {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator("/dev/shm")) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) == 0) names.insert(name);
    }
    return names;
  };
  const auto before = ours();
  run_sh("exit 0");
  EXPECT_EQ(ours(), before);
}

}  // namespace
}  // namespace softcot::supervise
