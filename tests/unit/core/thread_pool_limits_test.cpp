// The thread pool against the limits a cluster sets (issue 12): the CPUs a process may use
// (affinity, cgroup quota, SLURM_CPUS_PER_TASK) and a thread start that fails (pids.max,
// RLIMIT_NPROC) -- an error, never a hang.
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"

namespace softcot {
namespace {

TEST(ThreadPoolLimits, SlurmCpusPerTaskBoundsTheUsableCpus) {
  setenv("SLURM_CPUS_PER_TASK", "1", 1);
  const int cpus = ThreadPool::available_cpus();
  unsetenv("SLURM_CPUS_PER_TASK");
  EXPECT_EQ(cpus, 1);
  EXPECT_GE(ThreadPool::available_cpus(), 1);
}

TEST(ThreadPoolLimits, ThreadRequestsAboveTheUsableCpusAreCapped) {
  setenv("SLURM_CPUS_PER_TASK", "1", 1);
  const int capped = ThreadPool::capped_threads(1000);
  const int all = ThreadPool::capped_threads(0);
  unsetenv("SLURM_CPUS_PER_TASK");
  EXPECT_EQ(capped, 1);
  EXPECT_EQ(all, 1);
}

// In a child process with RLIMIT_NPROC 8 (as `nobody` when we are root, since the limit
// does not bind root): a pool of 256 threads cannot start. Exit 0 means it threw softcot's
// Error naming the thread start; a hang is caught by the parent's generous deadline.
TEST(ThreadPoolLimits, AThreadThatCannotStartIsAnErrorNotAHang) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    const rlimit limit{8, 8};
    if (setrlimit(RLIMIT_NPROC, &limit) != 0) _exit(4);
    try {
      ThreadPool pool(256);
      _exit(1);
    } catch (const Error& e) {
      _exit(std::string(e.what()).find("thread") != std::string::npos ? 0 : 2);
    } catch (...) {
      _exit(5);
    }
  }
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  if (pidfd < 0) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    GTEST_SKIP() << "pidfd_open is not available: cannot wait for the child with a deadline";
  }
  pollfd fd{pidfd, POLLIN, 0};
  const int ready = poll(&fd, 1, 120'000);  // a deadline for a hang, not a synchronisation
  close(pidfd);
  if (ready == 0) kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_NE(ready, 0) << "the pool hung after a failed thread start";
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  ASSERT_NE(WEXITSTATUS(status), 3) << "cannot become nobody";
  ASSERT_NE(WEXITSTATUS(status), 4) << "cannot set RLIMIT_NPROC";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the pool started, 2: the error does not name the thread, "
                                       "5: not softcot's Error";
}

}  // namespace
}  // namespace softcot
