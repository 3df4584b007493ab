#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>

#include "supervise/exit_classification.h"

namespace softcot::supervise {
namespace {

// A real wait status: a child that dies of `signal_number` (or exits with `code`).
int wait_status_of_child(int signal_number, int code = 0) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(signal_number == 0 ? SIGTERM : signal_number, SIG_DFL);
    if (signal_number != 0) raise(signal_number);
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(ExitClassification, CrashSignalsAreRetried) {
  for (int s : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSYS, SIGTRAP}) {
    const ExitOutcome o = classify_wait_status(wait_status_of_child(s));
    EXPECT_EQ(o.kind, ExitKind::kCrash) << signal_name(s);
    EXPECT_EQ(o.crash_signal, s);
    EXPECT_EQ(o.death_signal, s);
    EXPECT_EQ(o.exit_code, 128 + s);  // what a shell reports for it
  }
}

TEST(ExitClassification, CauseNamesTheSignal) {
  EXPECT_EQ(classify_wait_status(wait_status_of_child(SIGSEGV)).cause, "SIGSEGV (signal 11)");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
}

TEST(ExitClassification, OtherSignalsAreFinal) {
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGPIPE}) {
    const ExitOutcome o = classify_wait_status(wait_status_of_child(s));
    EXPECT_EQ(o.kind, ExitKind::kFinal) << signal_name(s);
    EXPECT_FALSE(o.retried());
    EXPECT_EQ(o.exit_code, 128 + s);
    EXPECT_EQ(o.crash_signal, 0);
  }
}

TEST(ExitClassification, ShellCodesOfCrashSignalsAreRetried) {
  // 139 segfault, 134 abort, 135 bus error, 136 FPE, 132 illegal instruction, 137 kill.
  const std::pair<int, int> shell_codes[] = {{139, SIGSEGV}, {134, SIGABRT}, {135, SIGBUS},
                                             {136, SIGFPE},  {132, SIGILL},  {137, SIGKILL},
                                             {159, SIGSYS},  {133, SIGTRAP}};
  for (auto [code, signal_number] : shell_codes) {
    const ExitOutcome o = classify_wait_status(wait_status_of_child(0, code));
    EXPECT_EQ(o.kind, ExitKind::kCrash) << code;
    EXPECT_EQ(o.crash_signal, signal_number) << code;
    EXPECT_EQ(o.death_signal, 0);
    EXPECT_EQ(o.exit_code, code);
  }
}

TEST(ExitClassification, CrashLikeCodeIsRetriedWithoutASignal) {
  const ExitOutcome o = classify_exit_code(70);
  EXPECT_EQ(o.kind, ExitKind::kCrash);
  EXPECT_EQ(o.crash_signal, 0);
}

TEST(ExitClassification, CleanPreemptedAndErrorsAreNeverRetried) {
  EXPECT_EQ(classify_exit_code(0).kind, ExitKind::kClean);
  EXPECT_EQ(classify_exit_code(75).kind, ExitKind::kPreempted);
  // failure, usage, bad input, I/O, command not found, SIGTERM through a shell, arbitrary.
  for (int code : {1, 2, 3, 65, 74, 126, 127, 143, 130, 255}) {
    const ExitOutcome o = classify_exit_code(code);
    EXPECT_EQ(o.kind, ExitKind::kFinal) << code;
    EXPECT_EQ(o.exit_code, code);
  }
}

TEST(ExitClassification, HelpListsTheRetriedCodes) {
  const std::string help = retry_policy_help();
  for (const char* needle : {"139", "134", "135", "137", "70", "75 (preempted)", "65 (bad input)"}) {
    EXPECT_NE(help.find(needle), std::string::npos) << needle;
  }
}

}  // namespace
}  // namespace softcot::supervise
