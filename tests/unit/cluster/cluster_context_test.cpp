#include "cluster/cluster_context.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"

namespace softcot::cluster {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ClusterContext, OutsideSlurmIsOneProcess) {
  const auto c = cluster_from_environment(fake_env({}));
  EXPECT_EQ(c.rank, 0);
  EXPECT_EQ(c.size, 1);
  EXPECT_EQ(c.source, RankSource::kSingleProcess);
  EXPECT_TRUE(c.job_id.empty());
  EXPECT_FALSE(c.array_task_id.has_value());
  EXPECT_FALSE(c.host.empty());
}

TEST(ClusterContext, RankAndSizeOfAnSrunStep) {
  // What `srun -n 3` sets for its second task (checked on the local test cluster).
  const auto c = cluster_from_environment(fake_env({{"SLURM_JOB_ID", "77"},
                                                     {"SLURM_STEP_ID", "0"},
                                                     {"SLURM_PROCID", "1"},
                                                     {"SLURM_NTASKS", "3"},
                                                     {"SLURM_STEP_NUM_TASKS", "3"},
                                                     {"SLURMD_NODENAME", "node07"}}));
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(c.size, 3);
  EXPECT_EQ(c.source, RankSource::kSlurmEnv);
  EXPECT_EQ(c.host, "node07");
  EXPECT_EQ(c.describe(), "rank 1 of 3 (slurm), job 77, restart 0, host node07");
}

TEST(ClusterContext, TheStepsTaskCountWinsOverTheAllocations) {
  const auto c = cluster_from_environment(fake_env(
      {{"SLURM_STEP_ID", "2"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_STEP_NUM_TASKS", "1"}}));
  EXPECT_EQ(c.size, 1);
}

TEST(ClusterContext, TheBatchScriptIsOneProcessEvenInAMultiTaskAllocation) {
  // sbatch -n 2: the batch shell sees SLURM_PROCID=0 and SLURM_NTASKS=2 but no step.
  const auto c = cluster_from_environment(
      fake_env({{"SLURM_JOB_ID", "5"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}}));
  EXPECT_EQ(c.size, 1);
  EXPECT_EQ(c.source, RankSource::kSingleProcess);
  EXPECT_EQ(c.job_id, "5");
}

TEST(ClusterContext, ArrayTaskAndRestartCount) {
  const auto c = cluster_from_environment(fake_env({{"SLURM_JOB_ID", "101"},
                                                     {"SLURM_ARRAY_JOB_ID", "100"},
                                                     {"SLURM_ARRAY_TASK_ID", "42"},
                                                     {"SLURM_RESTART_COUNT", "2"},
                                                     {"SLURMD_NODENAME", "n1"}}));
  EXPECT_EQ(c.array_job_id, "100");
  ASSERT_TRUE(c.array_task_id.has_value());
  EXPECT_EQ(*c.array_task_id, 42);
  EXPECT_EQ(c.restart_count, 2);
  EXPECT_EQ(c.describe(), "rank 0 of 1 (single process), job 100_42, restart 2, host n1");
}

TEST(ClusterContext, MalformedVariablesAreUsageErrorsNamingThem) {
  try {
    cluster_from_environment(fake_env({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "x1"}, {"SLURM_NTASKS", "2"}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("SLURM_PROCID"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cluster_from_environment(
                   fake_env({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "2"}, {"SLURM_STEP_NUM_TASKS", "2"}})),
               Error);
  EXPECT_THROW(cluster_from_environment(fake_env({{"SLURM_RESTART_COUNT", "1.5"}})), Error);
}

}  // namespace
}  // namespace softcot::cluster
