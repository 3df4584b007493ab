#include "supervise/child_process.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "supervise/signal_relay.h"

extern char** environ;

namespace softcot::supervise {

namespace {
std::string env_name(const std::string& entry) { return entry.substr(0, entry.find('=')); }

void write_stderr(const char* text) {
  [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
}
}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env_overrides) {
  if (argv.empty()) throw usage_error("no command to run");
  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::set<std::string> overridden;
  for (const auto& e : env_overrides) overridden.insert(env_name(e));
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden.count(env_name(*e))) env.push_back(*e);
  }
  for (const auto& e : env_overrides) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  const sigset_t relayed = SignalRelay::relayed_set();
  sigset_t previous_mask;
  pthread_sigmask(SIG_BLOCK, &relayed, &previous_mask);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(128 + SIGTERM);  // the supervisor died before prctl
    for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGCHLD}) std::signal(s, SIG_DFL);
    sigset_t unblock = relayed;
    sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
    ::execvpe(args[0], args.data(), env.data());
    write_stderr("softcot: cannot run '");
    write_stderr(args[0]);
    write_stderr("': ");
    write_stderr(std::strerror(errno));  // the message table is static: no allocation
    write_stderr("\n");
    ::_exit(127);
  }
  const int fork_errno = errno;
  if (pid_ > 0) ::setpgid(pid_, pid_);  // also here, so the group exists before any signal
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  if (pid_ < 0) {
    errno = fork_errno;
    throw failure(argv[0], errno_text("fork"));
  }
}

void ChildProcess::signal_group(int signal_number) const {
  if (reaped_) return;
  if (::kill(-pid_, signal_number) != 0) ::kill(pid_, signal_number);
}

std::optional<int> ChildProcess::try_reap() {
  if (reaped_) return std::nullopt;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  // ECHILD: someone else reaped it (e.g. SIGCHLD set to SIG_IGN); waiting on would never end.
  if (r < 0) throw failure("supervisor", errno_text("waitpid"));
  if (r != pid_) return std::nullopt;
  reaped_ = true;
  return status;
}

std::string format_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

std::string current_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw failure("/proc/self/exe", "cannot resolve the running binary: " + ec.message());
  return path.string();
}

}  // namespace softcot::supervise

