#pragma once
// `softcot report DIR...`: per run, task and seed, how far it got (n/N) and its
// accuracy; per run and task, the mean and sample standard deviation over the complete
// seeds (cluster/seed_statistics.h). A seed's results are the union of its shard files
// (`<task>_seed<seed>_shard<k>-of-<n>.h5`, any layouts, so sharded and resumed runs
// count once per sample). The run is the name of the directory holding the files. Seeds
// of different configurations (N, data, models, ...) are never averaged together.
#include <cstdint>
#include <string>
#include <vector>

#include "cluster/seed_statistics.h"

namespace softcot::cluster {

struct SeedReport {
  SeedOutcome outcome;
  int64_t errors = 0;       // samples with a status other than success
  int64_t quarantined = 0;  // given up after crashes
  std::vector<std::string> files;
};

struct TaskReport {
  std::string run;
  std::string task;
  // Seeds are averaged only within one configuration: everything in the fingerprint but
  // the seed. When a run directory holds several for a task, each is its own TaskReport
  // and `configuration` names the values that tell them apart ("num_thought_tokens=2,
  // total_samples=10"); empty when there is one.
  std::string configuration;
  int configurations_of_task = 1;  // how many the run directory holds for this task
  std::vector<SeedReport> seeds;  // sorted by seed
  AcrossSeeds across_seeds;
};

// Reads every checkpoint under `paths` (files or directories). Throws bad_input naming
// a file that is not a checkpoint or whose shards disagree on the run's fingerprint.
std::vector<TaskReport> build_report(const std::vector<std::string>& paths);

enum class ReportFormat { kMarkdown, kCsv, kJson };
ReportFormat parse_report_format(const std::string& text);  // usage_error if unknown
std::string format_report(const std::vector<TaskReport>& report, ReportFormat format);

}  // namespace softcot::cluster
