#include "supervise/standin_worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/exit_codes.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "supervise/fault_injection.h"
#include "supervise/heartbeat.h"
#include "supervise/quarantine.h"

namespace softcot::supervise {

namespace {
namespace fs = std::filesystem;

// The store's begin_sample(): one more start of this sample, made durable before it runs.
int begin_sample(const fs::path& dir, int64_t idx) {
  const fs::path file = dir / "attempts" / std::to_string(idx);
  int attempts = 0;
  if (std::ifstream in(file); in) in >> attempts;
  ++attempts;
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << attempts << "\n";
    if (!out) throw io_error(tmp.string(), "cannot write");
  }
  fs::rename(tmp, file);
  return attempts;
}

// One line per committed sample, appended with a single write(2) and fsync'ed: a crash
// leaves either the whole line or nothing.
void commit(const fs::path& results, const std::string& line) {
  const int fd = ::open(results.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error(results.string(), errno_text("open"));
  const std::string text = line + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw io_error(results.string(), errno_text("write"));
}

std::set<int64_t> committed_samples(const fs::path& results) {
  std::set<int64_t> done;
  std::ifstream in(results);
  int64_t idx;
  std::string rest;
  while (in >> idx && std::getline(in, rest)) done.insert(idx);
  return done;
}
}  // namespace

int run_standin_worker(const StandinWorkerOptions& options) {
  install_stop_signal_handlers();
  install_worker_heartbeat();
  faults_from_env();  // a bad SOFTCOT_FAULT is a usage error before any work
  const fs::path dir = options.state_dir;
  fs::create_directories(dir / "attempts");
  const fs::path results = dir / "results.txt";
  std::set<int64_t> done = committed_samples(results);
  const QuarantinePolicy policy{options.max_sample_attempts};

  for (int64_t idx = 0; idx < options.samples; ++idx) {
    if (done.count(idx)) continue;
    if (stop_requested()) return exit_code::kPreempted;
    const int attempt = begin_sample(dir, idx);
    note_sample_started(idx, attempt);
    if (auto quarantined = policy.check(idx, attempt, last_crash_signal_from_env(),
                                                last_crash_cause_from_env())) {
      spdlog::warn("sample {}: {}", idx, quarantined->error_message);
      commit(results, std::to_string(idx) + " " + quarantined->status + " signal=" +
                          std::to_string(quarantined->crash_signal) +
                          " attempts=" + std::to_string(quarantined->attempts));
    } else {
      maybe_inject_fault(idx, attempt);
      for (int ms = 0; ms < options.sample_ms; ms += 5) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        heartbeat();
        if (stop_requested()) return exit_code::kPreempted;  // the sample is redone next time
      }
      commit(results, std::to_string(idx) + " success answer=" + std::to_string(standin_answer(idx)));
    }
    done.insert(idx);
    note_sample_committed(static_cast<int64_t>(done.size()));
  }
  return exit_code::kOk;
}

}  // namespace softcot::supervise
