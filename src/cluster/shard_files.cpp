#include "cluster/shard_files.h"

#include <charconv>
#include <filesystem>
#include <regex>

#include "core/error.h"
#include "core/log.h"
#include "store/checkpoint_writer.h"

namespace softcot::cluster {

namespace fs = std::filesystem;

namespace {
template <typename T>
bool parse_integer(const std::string& text, T* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}
}  // namespace

bool parse_shard_file_name(const std::string& file_name, ShardFileName* out) {
  static const std::regex pattern(R"(^(.+)_seed(-?[0-9]+)_shard([0-9]+)-of-([0-9]+)\.h5$)");
  std::smatch match;
  if (!std::regex_match(file_name, match, pattern)) return false;
  ShardFileName name;
  name.task = match[1].str();
  if (!parse_integer(match[2].str(), &name.seed) || !parse_integer(match[3].str(), &name.shard_index) ||
      !parse_integer(match[4].str(), &name.shard_count)) {
    return false;
  }
  if (name.shard_count < 1 || name.shard_index >= name.shard_count) return false;
  *out = name;
  return true;
}

std::map<ShardGroupKey, std::vector<std::string>> group_shard_files(
    const std::vector<std::string>& files) {
  std::map<ShardGroupKey, std::vector<std::string>> groups;
  for (const auto& file : files) {
    const fs::path path(file);
    ShardGroupKey key;
    key.directory = path.parent_path().string();
    ShardFileName name;
    if (parse_shard_file_name(path.filename().string(), &name)) {
      key.task = name.task;
      key.seed = name.seed;
    } else {
      const auto values = store::CheckpointReader::open(file).info().fingerprint.values;
      const auto task = values.find("task");
      const auto seed = values.find("seed");
      if (task != values.end() && seed != values.end() && parse_integer(seed->second, &key.seed)) {
        key.task = task->second;
      } else {
        key.task = path.stem().string();
      }
    }
    groups[key].push_back(file);
  }
  return groups;
}

std::set<int64_t> committed_in_evaluation(const std::string& run_dir, const std::string& task, int64_t seed,
                                          const store::RunFingerprint& fingerprint, int rank, int shard_count,
                                          const std::string& own_file) {
  std::set<int64_t> ids;
  if (!fs::is_directory(run_dir)) return ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    ShardFileName name;
    const std::string file = entry.path().string();
    if (!entry.is_regular_file() || !parse_shard_file_name(entry.path().filename().string(), &name) ||
        name.task != task || name.seed != seed || fs::equivalent(file, own_file, ec)) {
      continue;
    }
    // Another rank of this layout owns other samples (positions, cluster/sharding.h) and may
    // be writing its file right now: never read it. Files of other layouts are closed.
    if (name.shard_count == shard_count) continue;
    if (auto damage = store::damage_of(file)) {
      if (rank == 0) {
        if (auto aside = store::set_aside_if_unreadable(file)) {
          spdlog::warn("{}: cannot be read ({}); set aside as {} (nothing deleted), its samples are run again",
                       file, aside->reason, aside->moved_to);
        }
      } else {
        spdlog::warn("{}: cannot be read ({}); left out (rank 0 sets it aside)", file, *damage);
      }
      continue;
    }
    auto reader = store::CheckpointReader::open(file);
    const std::string changes = store::describe_changes(reader.info().fingerprint, fingerprint);
    if (!changes.empty()) {
      throw bad_input(file, "fingerprint mismatch: " + changes + "; this shard file of the run directory was " +
                                "written with other settings: use a new --run_name, or move it aside");
    }
    std::vector<std::string> damaged;
    for (const auto& record : reader.records(store::DamagedRows::kSkip, nullptr, &damaged)) {
      ids.insert(record.result.idx);
    }
    for (const auto& reason : damaged) spdlog::warn("{}: left out, its owner runs that sample again", reason);
  }
  return ids;
}

int64_t planned_samples_of_group(const std::vector<store::CheckpointInfo>& infos) {
  if (infos.empty()) return 0;
  const auto& values = infos.front().fingerprint.values;
  if (auto it = values.find("total_samples"); it != values.end()) {
    int64_t total = 0;
    if (!parse_integer(it->second, &total)) {
      throw bad_input(infos.front().path, "fingerprint total_samples '" + it->second + "' is not a number");
    }
    return total;
  }
  std::map<int64_t, int64_t> planned_by_layout;
  for (const auto& info : infos) planned_by_layout[info.shard_count] += info.planned_samples;
  int64_t planned = 0;
  for (const auto& [layout, sum] : planned_by_layout) planned = std::max(planned, sum);
  return planned;
}

}  // namespace softcot::cluster
