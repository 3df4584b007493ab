#pragma once
// Where this process sits in a Slurm job: its rank among the tasks of the step, the
// step's size, and the job's identity. Sources, in order:
//   1. PMIx (under `srun --mpi=pmix`): PMIx_Init, rank from the process name, size from
//      PMIX_JOB_SIZE.
//   2. SLURM_PROCID / SLURM_STEP_NUM_TASKS (or SLURM_NTASKS) inside an srun step, e.g.
//      --mpi=none. Not in the batch script: there they describe the allocation.
//   3. One process.
//
//   auto cluster = cluster::detect_cluster();
//   auto mine = cluster::shard_sample_ids(all, committed, cluster.rank, cluster.size);
//   ...
//   ... then the ranks meet in a file barrier (cluster/rank_barrier.h) and rank 0 merges.
//
// Call detect_cluster() in the process that does the work (the eval worker) and only
// there: PMIx allows one client connection per rank, so a supervisor must not init too.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace softcot::cluster {

class PmixSession;

enum class RankSource { kPmix, kSlurmEnv, kSingleProcess };
const char* rank_source_name(RankSource source);

struct ClusterContext {
  int rank = 0;
  int size = 1;
  RankSource source = RankSource::kSingleProcess;
  std::string job_id;              // SLURM_JOB_ID; empty outside Slurm
  std::string array_job_id;        // SLURM_ARRAY_JOB_ID; empty outside arrays
  std::optional<int64_t> array_task_id;  // SLURM_ARRAY_TASK_ID
  int restart_count = 0;           // SLURM_RESTART_COUNT: times the job was requeued
  std::string host;                // SLURMD_NODENAME, else gethostname()

  // "rank 1 of 2 (pmix), job 1234_5, restart 0, host node01"
  std::string describe() const;

  std::shared_ptr<PmixSession> pmix_session;  // keeps PMIx initialised while a copy lives
};

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_environment();

// Rank, size and job identity from Slurm's variables alone (sources 2 and 3). Throws a
// usage error naming the variable when a value is not a number or rank >= size.
ClusterContext cluster_from_environment(const EnvLookup& env);

// Sources 1-3. PMIx is tried only when the environment shows a PMIx server (PMIX_RANK
// or PMIX_NAMESPACE); a failing PMIx_Init there is an error, since ranks from other
// sources could disagree with the ones the other tasks got.
ClusterContext detect_cluster();

}  // namespace softcot::cluster
