// Checkpoint commit cost, side by side in one run: our HDF5 commit (with and without
// fdatasync) against the reference's design (rewrite a JSON checkpoint of all results,
// then append a JSONL line under a file lock, both with fsync), and the disk's own
// floor (a 4 KiB append + fdatasync). Per-sample cost at 100 and 1319 samples, the cost
// of the last tenth of the commits against the first (flat as the run grows?), and file
// bytes per sample. Samples are synthetic: one response of up to 4 KiB, as with the
// reference's default num_return_sequences=1.
//
//   store_bench [DIR]   (DIR on the disk to measure; default ./store-bench-tmp)
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/checkpoint_writer.h"
#include "store/export.h"
#include "store/synthetic.h"

namespace fs = std::filesystem;
using namespace softcot;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
  double mean_ms = 0, first_tenth_ms = 0, last_tenth_ms = 0, bytes_per_sample = 0;
};

// Runs commit(i) for i < n, timing each call.
Result time_commits(int n, const std::function<void(int)>& commit, const std::function<uint64_t()>& bytes) {
  std::vector<double> ms(n);
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    commit(i);
    ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }
  Result r;
  const int tenth = std::max(1, n / 10);
  for (int i = 0; i < n; ++i) r.mean_ms += ms[i] / n;
  for (int i = 0; i < tenth; ++i) {
    r.first_tenth_ms += ms[i] / tenth;
    r.last_tenth_ms += ms[n - 1 - i] / tenth;
  }
  r.bytes_per_sample = static_cast<double>(bytes()) / n;
  return r;
}

uint64_t size_of(const fs::path& p) { return fs::exists(p) ? fs::file_size(p) : 0; }

SampleResult sample(int i) {
  SampleResult s = store::synthetic_result(i, 1);
  s.started_unix_ms = 1700000000000 + i;
  s.finished_unix_ms = s.started_unix_ms + 1;
  return s;
}

Result ours(const fs::path& dir, int n, store::SyncPolicy sync) {
  const auto path = dir / ("ours_" + std::string(store::to_string(sync)) + "_" + std::to_string(n) + ".h5");
  store::CheckpointHeader header;
  header.run_config_json = "{}";
  header.fingerprint.set("bench", "1");
  header.planned_samples = n;
  auto writer = store::CheckpointWriter::open_or_create(path.string(), header, {sync});
  Result r = time_commits(n, [&](int i) { writer.commit(sample(i)); }, [&] { return size_of(path); });
  writer.close();
  r.bytes_per_sample = static_cast<double>(size_of(path)) / n;
  return r;
}

void write_all_and_fsync(const fs::path& path, const std::string& text, int flags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ::close(fd);
}

// The reference's CheckpointManager: results.json rewritten whole, results.jsonl appended.
Result reference_design(const fs::path& dir, int n) {
  const auto json_path = dir / ("reference_" + std::to_string(n) + ".json");
  const auto jsonl_path = dir / ("reference_" + std::to_string(n) + ".jsonl");
  const auto lock_path = dir / ("reference_" + std::to_string(n) + ".lock");
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  return time_commits(
      n,
      [&](int i) {
        const auto record =
            nlohmann::ordered_json::parse(store::record_to_json_line(store::StoredRecord{sample(i), 0, {}}));
        all.push_back(record);
        write_all_and_fsync(json_path, all.dump(2), O_TRUNC);
        int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
        ::flock(lock_fd, LOCK_EX);
        write_all_and_fsync(jsonl_path, record.dump() + "\n", O_APPEND);
        ::flock(lock_fd, LOCK_UN);
        ::close(lock_fd);
      },
      [&] { return size_of(json_path) + size_of(jsonl_path); });
}

Result disk_floor(const fs::path& dir, int n) {
  const auto path = dir / ("floor_" + std::to_string(n) + ".bin");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  const std::string block(4096, 'x');
  Result r = time_commits(
      n,
      [&](int) {
        if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0) std::perror("floor");
      },
      [&] { return size_of(path); });
  ::close(fd);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? argv[1] : "store-bench-tmp";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::printf("store_bench in %s: milliseconds per committed sample (mean; first and last tenth)\n", dir.c_str());
  std::printf("%-44s %6s %9s %9s %9s %10s %8s\n", "design", "n", "mean ms", "first ms", "last ms", "bytes/smp",
              "x ours");
  for (int n : {100, 1319}) {
    const Result ours_sync = ours(dir, n, store::SyncPolicy::kAlways);
    const Result rows[] = {disk_floor(dir, n), ours_sync, ours(dir, n, store::SyncPolicy::kNever),
                           reference_design(dir, n)};
    const char* names[] = {"disk floor: 4 KiB append + fdatasync", "ours: HDF5 SWMR commit + fdatasync (always)",
                           "ours: HDF5 SWMR commit, flush only (never)", "reference: JSON rewrite + JSONL, fsync"};
    for (int k = 0; k < 4; ++k) {
      std::printf("%-44s %6d %9.3f %9.3f %9.3f %10.0f %8.2f\n", names[k], n, rows[k].mean_ms, rows[k].first_tenth_ms,
                  rows[k].last_tenth_ms, rows[k].bytes_per_sample, rows[k].mean_ms / ours_sync.mean_ms);
    }
  }
  fs::remove_all(dir);
  return 0;
}
