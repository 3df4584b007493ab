#pragma once
// Where a checkpoint lives: one file per (run name, task, seed, shard), named so a
// person can tell them apart in `ls`:
//   <checkpoint_dir>/<run_name>/<task>_seed<seed>_shard<k>-of-<n>.h5   (k counts from 0)
#include <cstdint>
#include <string>
#include <vector>

namespace softcot::store {

struct CheckpointKey {
  std::string run_name;
  std::string task;
  int64_t seed = 42;
  int32_t shard_index = 0;
  int32_t shard_count = 1;
};

std::string checkpoint_path(const std::string& checkpoint_dir, const CheckpointKey& key);

// The sidecar files beside a checkpoint: its writer lock and a rebuild in progress.
std::string lock_path_for(const std::string& checkpoint_file);
std::string rebuild_path_for(const std::string& checkpoint_file);

// Where rank 0 writes the merge of a sharded run: <run dir>/merged/<task>_seed<seed>.h5.
inline constexpr const char* kMergedDirName = "merged";

// Files named directly plus every *.h5 found recursively under named directories (except
// inside `merged/` folders, whose files repeat the shards' samples),
// sorted and without duplicates. A path that does not exist is a bad_input error.
std::vector<std::string> find_checkpoint_files(const std::vector<std::string>& paths);

}  // namespace softcot::store
