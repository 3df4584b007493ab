#pragma once
// Shard files grouped by the evaluation they belong to: one group per directory, task
// and seed, whatever shard layouts wrote it (a run started with -n 2 and resumed with
// -n 1 has three files in one group).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "store/checkpoint_reader.h"

namespace softcot::cluster {

struct ShardFileName {
  std::string task;
  int64_t seed = 0;
  int32_t shard_index = 0;
  int32_t shard_count = 1;
};

// Parses "<task>_seed<seed>_shard<k>-of-<n>.h5" (store/checkpoint_path.h); false if the
// name does not follow it.
bool parse_shard_file_name(const std::string& file_name, ShardFileName* out);

struct ShardGroupKey {
  std::string directory;
  std::string task;
  int64_t seed = 0;
  auto operator<=>(const ShardGroupKey&) const = default;
};

// Files whose names do not follow the pattern are grouped by the task and seed in
// their fingerprint ("task", "seed"), else each on its own, named by its file stem.
std::map<ShardGroupKey, std::vector<std::string>> group_shard_files(
    const std::vector<std::string>& files);

// The samples already committed for one evaluation (task, seed) by the shard files of
// earlier layouts in `run_dir` (shard counts other than `shard_count`: closed files, no
// rank writes them now). Files of the current layout are not read: each holds only its
// own rank's samples, and `own_file` is read by the caller's writer. Every file read must
// carry `fingerprint`, else bad_input naming it and what changed: files of another
// configuration never count as done. Rows failing their checksum are left out with a
// warning naming them (they are run again). A file that cannot be read at all is left
// out with a warning, and rank 0 sets it aside (never deletes it).
std::set<int64_t> committed_in_evaluation(const std::string& run_dir, const std::string& task, int64_t seed,
                                          const store::RunFingerprint& fingerprint, int rank, int shard_count,
                                          const std::string& own_file);

// N of n/N for a group: the fingerprint's "total_samples" when the writer recorded it,
// else the largest sum of planned samples over the files of one shard layout.
int64_t planned_samples_of_group(const std::vector<store::CheckpointInfo>& infos);

}  // namespace softcot::cluster
