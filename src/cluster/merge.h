#pragma once
// The results of a sharded run as one checkpoint: `softcot merge DIR -o OUT`, and what
// rank 0 calls once every rank is done (cluster/rank_barrier.h). The merged file is what a single-process run
// would have written (shard 0 of 1, the same fingerprint, samples sorted by idx), so
// export/status/report treat it like any other checkpoint. Kept per sample: the result
// with its attempts and crash signal; not kept: who committed it and when.
#include <cstdint>
#include <string>
#include <vector>

namespace softcot::cluster {

struct MergeSummary {
  std::string output;
  std::vector<std::string> inputs;
  int64_t samples = 0;  // merged samples (n)
  int64_t planned = 0;  // N
};

// Shard files of one evaluation -> `out`. Throws bad_input when the files belong to
// different runs or a sample appears twice; usage_error when `out` exists and
// `overwrite` is false.
MergeSummary merge_shard_files(const std::vector<std::string>& files, const std::string& out,
                               bool overwrite = false);

// The shard files directly in `dir` (a run's directory; subdirectories such as rank 0's
// merged/ are not read), grouped by evaluation (task, seed):
//   - `out` a directory (existing, or ending in '/'): one <task>_seed<S>_shard0-of-1.h5
//     per evaluation in it;
//   - else one evaluation in `dir`: merged into the file `out`;
//   - else `out` must be named <task>_seed<S>.h5 (or ..._shard0-of-1.h5): that one.
std::vector<MergeSummary> merge_run(const std::string& dir, const std::string& out,
                                    bool overwrite = false);

}  // namespace softcot::cluster
