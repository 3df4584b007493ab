#pragma once
// The end of a sharded run, as files: each rank, once its checkpoint writer is closed,
// leaves a marker; rank 0 waits for the marker of every rank of the same job attempt
// before it merges the shard files (so it never reads a file that is still written).
//
//   <run dir>/.ranks/<task>_seed<S>_rank<k>-of-<n>.done   holding "job=<id> restart=<r>"
//
// Not PMIx_Fence: a file barrier also works under `srun --mpi=none`, survives a rank's
// worker being restarted by its supervisor, and can say which ranks are missing. A rank
// counts as alive while its shard file changes (every begin and commit writes it), so
// the timeout runs from the last sign of life of the missing ranks, not from the start
// of the wait.
#include <string>

#include "cluster/cluster_context.h"

namespace softcot::cluster {

struct RankBarrier {
  std::string run_dir;    // <checkpoint_dir>/<run_name>
  std::string task;
  int64_t seed = 0;
  int rank = 0;
  int size = 1;
  std::string attempt;    // job id and restart count: markers of earlier attempts do not count

  static RankBarrier of(const std::string& run_dir, const std::string& task, int64_t seed,
                        const ClusterContext& cluster);
  std::string marker_path(int rank) const;
  // Removes this rank's marker (at the start of its work: it is writing again).
  void clear_mine() const;
  // Writes this rank's marker (after its writer closed), atomically.
  void mark_mine_done() const;
  // Rank 0: returns once every rank's marker of this attempt is there. Throws a failure
  // naming the missing ranks when none of them showed a sign of life for
  // `timeout_seconds`. Beats the heartbeat and honours stop requests while it waits.
  void wait_for_all(double timeout_seconds) const;
};

}  // namespace softcot::cluster
