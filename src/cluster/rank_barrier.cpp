#include "cluster/rank_barrier.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace softcot::cluster {

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// The newest modification time of a rank's marker or shard file (its sign of life).
std::optional<fs::file_time_type> last_sign_of_life(const RankBarrier& b, int rank) {
  std::optional<fs::file_time_type> newest;
  std::error_code ec;
  const std::string shard = b.run_dir + "/" + b.task + "_seed" + std::to_string(b.seed) + "_shard" +
                            std::to_string(rank) + "-of-" + std::to_string(b.size) + ".h5";
  for (const auto& path : {shard, b.marker_path(rank)}) {
    const auto t = fs::last_write_time(path, ec);
    if (!ec && (!newest || t > *newest)) newest = t;
  }
  return newest;
}

}  // namespace

RankBarrier RankBarrier::of(const std::string& run_dir, const std::string& task, int64_t seed,
                            const ClusterContext& cluster) {
  RankBarrier b;
  b.run_dir = run_dir;
  b.task = task;
  b.seed = seed;
  b.rank = cluster.rank;
  b.size = cluster.size;
  b.attempt = "job=" + cluster.job_id + " restart=" + std::to_string(cluster.restart_count);
  return b;
}

std::string RankBarrier::marker_path(int r) const {
  return run_dir + "/.ranks/" + task + "_seed" + std::to_string(seed) + "_rank" + std::to_string(r) + "-of-" +
         std::to_string(size) + ".done";
}

void RankBarrier::clear_mine() const {
  std::error_code ec;
  fs::remove(marker_path(rank), ec);
}

void RankBarrier::mark_mine_done() const {
  const std::string path = marker_path(rank), tmp = path + ".tmp";
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << attempt << "\n";
    if (!out.flush()) throw io_error(tmp, "cannot write this rank's done marker");
  }
  fs::rename(tmp, path, ec);
  if (ec) throw io_error(path, "cannot write this rank's done marker: " + ec.message());
}

void RankBarrier::wait_for_all(double timeout_seconds) const {
  const auto timeout = std::chrono::duration_cast<fs::file_time_type::duration>(
      std::chrono::duration<double>(timeout_seconds));
  const auto waiting_since = fs::file_time_type::clock::now();
  bool told = false;
  for (;;) {
    std::vector<int> missing;
    for (int r = 0; r < size; ++r) {
      if (read_text(marker_path(r)) != attempt) missing.push_back(r);
    }
    if (missing.empty()) return;
    auto last_alive = waiting_since;
    for (int r : missing) {
      if (auto t = last_sign_of_life(*this, r); t && *t > last_alive) last_alive = *t;
    }
    std::string names;
    for (int r : missing) names += (names.empty() ? "" : ", ") + std::to_string(r);
    if (fs::file_time_type::clock::now() - last_alive > timeout) {
      throw failure(run_dir, "rank" + std::string(missing.size() > 1 ? "s " : " ") + names + " of " +
                                 std::to_string(size) + " did not finish: no done marker (" + marker_path(missing[0]) +
                                 ") and no commit for " + std::to_string(static_cast<int>(timeout_seconds)) +
                                 " s; see their logs, then run the job again to resume (nothing is lost)");
    }
    if (!told) {
      spdlog::info("Waiting for rank(s) {} of {} to finish before merging", names, size);
      told = true;
    }
    heartbeat();
    throw_if_stop_requested();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace softcot::cluster
