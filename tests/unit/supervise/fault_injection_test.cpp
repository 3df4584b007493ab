#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include "core/error.h"
#include "supervise/fault_injection.h"

namespace softcot::supervise {
namespace {

TEST(FaultSpec, ParsesKindsSamplesAndTimes) {
  const auto faults = parse_fault_spec("segv@5x2,hang@7,abort@3,kill@8x1,oom@0");
  ASSERT_EQ(faults.size(), 5u);
  EXPECT_EQ(faults[0].kind, FaultKind::kSegv);
  EXPECT_EQ(faults[0].sample_idx, 5);
  EXPECT_EQ(faults[0].times, 2);
  EXPECT_EQ(faults[1].kind, FaultKind::kHang);
  EXPECT_EQ(faults[1].times, 0);
  EXPECT_EQ(faults[2].kind, FaultKind::kAbort);
  EXPECT_EQ(faults[3].kind, FaultKind::kKill);
  EXPECT_EQ(faults[4].kind, FaultKind::kOom);
  EXPECT_EQ(faults[4].sample_idx, 0);
  EXPECT_TRUE(parse_fault_spec("").empty());
}

TEST(FaultSpec, EveryAttemptUnlessTimesIsGiven) {
  const auto faults = parse_fault_spec("segv@5,abort@3x2");
  for (int attempt = 1; attempt <= 10; ++attempt) EXPECT_TRUE(fault_for(faults, 5, attempt));
  EXPECT_TRUE(fault_for(faults, 3, 1));
  EXPECT_TRUE(fault_for(faults, 3, 2));
  EXPECT_FALSE(fault_for(faults, 3, 3));
  EXPECT_FALSE(fault_for(faults, 4, 1));
}

TEST(FaultSpec, MalformedSpecsAreUsageErrorsNamingTheVariable) {
  for (const char* bad : {"segv", "segv@", "segv@x2", "segv@5x", "segv@5x0", "segv@-1", "crash@5",
                          "segv@5,", ",segv@5", "segv@5x2x3", "SEGV@5", "segv@ 5"}) {
    try {
      parse_fault_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUsage) << bad;
      EXPECT_EQ(e.subject(), "SOFTCOT_FAULT");
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

// Runs `fault` in a forked child and returns its wait status.
int status_of_injected(FaultKind kind) {
  const pid_t pid = fork();
  if (pid == 0) {
    inject_fault(Fault{kind, 0, 0});
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(FaultInjection, CrashKindsDieOfTheRealSignal) {
  const std::pair<FaultKind, int> cases[] = {
      {FaultKind::kSegv, SIGSEGV}, {FaultKind::kAbort, SIGABRT}, {FaultKind::kKill, SIGKILL}};
  for (auto [kind, signal_number] : cases) {
    const int status = status_of_injected(kind);
    ASSERT_TRUE(WIFSIGNALED(status)) << fault_kind_name(kind);
    EXPECT_EQ(WTERMSIG(status), signal_number) << fault_kind_name(kind);
  }
}

TEST(FaultInjection, OomIsACrashLikeError) {
  try {
    inject_fault(Fault{FaultKind::kOom, 4, 0});
    FAIL() << "oom returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCrashLike);
    EXPECT_EQ(e.exit_code(), 70);
    EXPECT_EQ(e.subject(), "sample 4");
  }
}

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...).
char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
}

TEST(FaultInjection, HangDoesNotReturnOrExit) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    (void)!write(ready[1], "x", 1);  // about to hang
    inject_fault(Fault{FaultKind::kHang, 0, 0});
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  // Events, not a time: the child either goes to sleep inside the fault (S) or returns
  // from it and exits (Z). A generous deadline only guards against a stuck machine.
  char state = '?';
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    state = process_state(pid);
    if (state == 'S' || state == 'Z') break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(state, 'S') << "the hung child is not asleep in the fault";
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0) << "the hung child ended";
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  close(ready[0]);
  close(ready[1]);
}

TEST(FaultInjection, InertWithoutTheVariable) {
  // faults_from_env() is read once per process; this test binary never sets it.
  ASSERT_EQ(getenv(kFaultEnv), nullptr);
  for (int64_t idx = 0; idx < 20; ++idx) maybe_inject_fault(idx, 1);
}

}  // namespace
}  // namespace softcot::supervise
