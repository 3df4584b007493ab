#include "cluster/cluster_context.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "cluster/pmix_session.h"
#include "core/error.h"

namespace softcot::cluster {

namespace {

std::optional<int64_t> integer_variable(const EnvLookup& env, const char* name) {
  const auto text = env(name);
  if (!text || text->empty()) return std::nullopt;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) {
    throw usage_error(std::string(name) + "='" + *text + "' is not an integer");
  }
  return value;
}

std::string this_host(const EnvLookup& env) {
  if (auto node = env("SLURMD_NODENAME"); node && !node->empty()) return *node;
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

const char* rank_source_name(RankSource source) {
  switch (source) {
    case RankSource::kPmix: return "pmix";
    case RankSource::kSlurmEnv: return "slurm";
    case RankSource::kSingleProcess: break;
  }
  return "single process";
}

EnvLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ClusterContext cluster_from_environment(const EnvLookup& env) {
  ClusterContext context;
  context.job_id = env("SLURM_JOB_ID").value_or("");
  context.array_job_id = env("SLURM_ARRAY_JOB_ID").value_or("");
  context.array_task_id = integer_variable(env, "SLURM_ARRAY_TASK_ID");
  context.restart_count = static_cast<int>(integer_variable(env, "SLURM_RESTART_COUNT").value_or(0));
  context.host = this_host(env);

  // Only inside an srun step: the batch script itself also sees SLURM_PROCID=0 and
  // SLURM_NTASKS=N (the allocation's), but it is one process, not rank 0 of N.
  const bool in_step = env("SLURM_STEP_ID").has_value() || env("SLURM_STEPID").has_value();
  const auto rank = integer_variable(env, "SLURM_PROCID");
  auto size = integer_variable(env, "SLURM_STEP_NUM_TASKS");
  if (!size && in_step) size = integer_variable(env, "SLURM_NTASKS");
  if (rank && size) {
    if (*size < 1) throw usage_error("SLURM_NTASKS=" + std::to_string(*size) + " is below 1");
    if (*rank < 0 || *rank >= *size) {
      throw usage_error("SLURM_PROCID=" + std::to_string(*rank) + " is not a rank of " +
                        std::to_string(*size) + " tasks");
    }
    context.rank = static_cast<int>(*rank);
    context.size = static_cast<int>(*size);
    context.source = RankSource::kSlurmEnv;
  }
  return context;
}

ClusterContext detect_cluster() {
  const EnvLookup env = process_environment();
  ClusterContext context = cluster_from_environment(env);
  if (env("PMIX_RANK") || env("PMIX_NAMESPACE")) {
    auto session = PmixSession::connect();  // throws when the server is unreachable
    context.rank = session->rank();
    context.size = session->size();
    context.source = RankSource::kPmix;
    context.pmix_session = std::move(session);
  }
  return context;
}

std::string ClusterContext::describe() const {
  std::string text = "rank " + std::to_string(rank) + " of " + std::to_string(size) + " (" +
                     rank_source_name(source) + ")";
  if (!job_id.empty()) {
    text += ", job ";
    text += array_task_id && !array_job_id.empty()
                ? array_job_id + "_" + std::to_string(*array_task_id)
                : job_id;
    text += ", restart " + std::to_string(restart_count);
  }
  return text + ", host " + host;
}

}  // namespace softcot::cluster
