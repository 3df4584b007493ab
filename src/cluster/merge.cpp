#include "cluster/merge.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "cluster/shard_files.h"
#include "core/error.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"
#include "store/checkpoint_writer.h"

namespace softcot::cluster {

namespace fs = std::filesystem;

namespace {
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

// Whether `path` is `dir` or lies below it, but not below dir/merged/ (where rank 0
// writes its merge, and which no reader takes as input).
bool among_the_inputs(const std::string& path, const std::string& dir) {
  std::error_code ec;
  const auto relative = fs::weakly_canonical(path, ec).lexically_relative(fs::weakly_canonical(dir, ec));
  if (relative.empty() || *relative.begin() == "..") return false;
  return *relative.begin() != store::kMergedDirName;
}

// The merged file is written beside `out` and renamed over it once complete, so a
// merge that fails or is killed leaves an earlier output as it was.
std::string partial_path_for(const std::string& out) { return out + ".merging.tmp"; }
}  // namespace

MergeSummary merge_shard_files(const std::vector<std::string>& files, const std::string& out,
                               bool overwrite) {
  if (files.empty()) throw usage_error("nothing to merge into " + out);
  for (const auto& file : files) {
    if (same_file(file, out)) throw usage_error(out + " is one of the files to merge");
  }
  if (fs::exists(out) && !overwrite) throw usage_error(out + " exists (remove it or pass --overwrite)");

  std::vector<store::CheckpointInfo> infos;
  for (const auto& file : files) infos.push_back(store::CheckpointReader::open(file).info());
  // read_merged checks that the fingerprints agree and no sample appears twice.
  const auto records = store::read_merged(files);

  store::CheckpointHeader header;
  header.run_config_json = infos.front().run_config_json;
  header.fingerprint = infos.front().fingerprint;
  header.planned_samples = planned_samples_of_group(infos);
  header.shard_index = 0;
  header.shard_count = 1;
  if (const auto parent = fs::path(out).parent_path(); !parent.empty()) fs::create_directories(parent);
  // One sync at close instead of one per sample: a merge that dies is simply rerun.
  const std::string partial = partial_path_for(out);
  fs::remove(partial);
  try {
    auto writer = store::CheckpointWriter::open_or_create(partial, header, {store::SyncPolicy::kNever});
    for (const auto& record : records) writer.commit(record.result);
    writer.close();
  } catch (...) {
    fs::remove(partial);
    fs::remove(store::lock_path_for(partial));
    throw;
  }
  if (std::rename(partial.c_str(), out.c_str()) != 0) {
    const std::string reason = errno_text("rename");
    fs::remove(partial);
    throw io_error(out, "cannot replace it with the merge: " + reason);
  }
  fs::remove(store::lock_path_for(partial));

  MergeSummary summary;
  summary.output = out;
  summary.inputs = files;
  summary.samples = static_cast<int64_t>(records.size());
  summary.planned = header.planned_samples;
  return summary;
}

std::vector<MergeSummary> merge_run(const std::string& dir, const std::string& out, bool overwrite) {
  if (!fs::is_directory(dir)) throw bad_input(dir, "not a directory (give the run's checkpoint directory)");
  if (among_the_inputs(out, dir)) {
    throw usage_error(out + " lies where the inputs of " + dir + " are found (merge, export and resume would " +
                      "read it again): write the merge outside it, or into " + dir + "/" + store::kMergedDirName + "/");
  }
  // Only shard files directly in `dir`: merged copies (e.g. rank 0's <dir>/merged/) are not inputs.
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ShardFileName name;
    if (entry.is_regular_file() && parse_shard_file_name(entry.path().filename().string(), &name) &&
        !same_file(entry.path().string(), out)) {
      files.push_back(entry.path().string());
    }
  }
  if (files.empty()) throw bad_input(dir, "no shard files (<task>_seed<S>_shard<k>-of-<n>.h5) to merge");
  std::sort(files.begin(), files.end());
  const auto groups = group_shard_files(files);

  const bool out_is_directory = fs::is_directory(out) || (!out.empty() && out.back() == '/');
  std::vector<MergeSummary> summaries;
  if (out_is_directory) {
    for (const auto& [key, group] : groups) {
      const auto target = fs::path(out) / (key.task + "_seed" + std::to_string(key.seed) + "_shard0-of-1.h5");
      summaries.push_back(merge_shard_files(group, target.string(), overwrite));
    }
    return summaries;
  }
  if (groups.size() == 1) {
    summaries.push_back(merge_shard_files(groups.begin()->second, out, overwrite));
    return summaries;
  }
  // Several evaluations and one output file: its name says which one.
  static const std::regex evaluation_name(R"(^(.+)_seed(-?[0-9]+)(_shard0-of-1)?$)");
  std::smatch match;
  const std::string stem = fs::path(out).stem().string();
  std::string names;
  for (const auto& [key, group] : groups) {
    if (std::regex_match(stem, match, evaluation_name) && match[1].str() == key.task &&
        match[2].str() == std::to_string(key.seed)) {
      summaries.push_back(merge_shard_files(group, out, overwrite));
      return summaries;
    }
    names += (names.empty() ? "" : ", ") + key.task + "_seed" + std::to_string(key.seed);
  }
  throw usage_error(dir + " holds " + std::to_string(groups.size()) + " evaluations (" + names +
                    "): name the output <task>_seed<S>.h5 to pick one, or give -o a directory");
}

}  // namespace softcot::cluster
