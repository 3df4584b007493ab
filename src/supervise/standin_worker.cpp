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
#include "supervise/heartbeat.h"
#include "supervise/sample_loop.h"

namespace softcot::supervise {

namespace {
namespace fs = std::filesystem;

// The stand-in's store: results.txt (one line per committed sample, appended with a
// single fsync'ed write(2), so a crash leaves the whole line or nothing) and
// attempts/<idx> (the starts of each sample, replaced atomically).
class StandinStore : public SampleStore {
 public:
  explicit StandinStore(const fs::path& dir) : dir_(dir), results_(dir / "results.txt") {
    fs::create_directories(dir / "attempts");
    std::ifstream in(results_);
    int64_t idx;
    std::string rest;
    while (in >> idx && std::getline(in, rest)) done_.insert(idx);
  }

  bool is_committed(int64_t idx) const override { return done_.count(idx) != 0; }
  int64_t committed_count() const override { return static_cast<int64_t>(done_.size()); }

  int begin_sample(int64_t idx) override {
    int attempts = 0;
    if (std::ifstream in(attempts_file(idx)); in) in >> attempts;
    write_attempts(idx, attempts + 1);
    begun_ = idx;
    return attempts + 1;
  }

  void abandon_sample() override {
    if (begun_ < 0) return;
    int attempts = 0;
    if (std::ifstream in(attempts_file(begun_)); in) in >> attempts;
    write_attempts(begun_, std::max(0, attempts - 1));
    begun_ = -1;
  }

  void commit(const SampleResult& r) override {
    std::string line = std::to_string(r.idx) + " " + r.status;
    if (r.status == sample_status::kSuccess) {
      line += " answer=" + r.model_answer_json;
    } else {
      line += " signal=" + std::to_string(r.crash_signal) + " attempts=" + std::to_string(r.attempts);
    }
    append_line(line);
    done_.insert(r.idx);
    begun_ = -1;
  }

 private:
  fs::path attempts_file(int64_t idx) const { return dir_ / "attempts" / std::to_string(idx); }

  void write_attempts(int64_t idx, int attempts) const {
    const fs::path file = attempts_file(idx), tmp = file.string() + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << attempts << "\n";
      if (!out) throw io_error(tmp.string(), "cannot write");
    }
    fs::rename(tmp, file);
  }

  void append_line(const std::string& line) const {
    const int fd = ::open(results_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw io_error(results_.string(), errno_text("open"));
    const std::string text = line + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw io_error(results_.string(), errno_text("write"));
  }

  fs::path dir_;
  fs::path results_;
  std::set<int64_t> done_;
  int64_t begun_ = -1;
};

}  // namespace

int run_standin_worker(const StandinWorkerOptions& options) {
  install_stop_signal_handlers();
  install_worker_heartbeat();
  StandinStore store(options.state_dir);
  std::vector<int64_t> ids;
  for (int64_t idx = 0; idx < options.samples; ++idx) ids.push_back(idx);

  SampleWork work;
  work.ground_truth_json = [](int64_t idx) { return std::to_string(standin_answer(idx)); };
  work.evaluate = [&](int64_t idx, int) {
    for (int ms = 0; ms < options.sample_ms; ms += 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      heartbeat();
      throw_if_stop_requested();  // the sample is redone next time
    }
    SampleResult r;
    r.idx = idx;
    r.status = sample_status::kSuccess;
    r.model_answer_json = std::to_string(standin_answer(idx));
    r.ground_truth_json = r.model_answer_json;
    r.is_correct = true;
    return r;
  };
  const LoopEnd end = run_sample_loop(ids, &store, options.max_sample_attempts, work);
  return end == LoopEnd::kStopped ? exit_code::kPreempted : exit_code::kOk;
}

}  // namespace softcot::supervise
