#include "cluster/report.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster/shard_files.h"
#include "core/error.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"

namespace softcot::cluster {

namespace {

using Configuration = std::map<std::string, std::string>;  // fingerprint minus the seed

Configuration configuration_of(const store::RunFingerprint& fingerprint) {
  Configuration values = fingerprint.values;
  values.erase("seed");
  return values;
}

// One seed's files that share one fingerprint (a sample counts once, whichever file holds it).
SeedReport read_seed(int64_t seed_number, const std::vector<std::string>& files,
                     const std::vector<store::CheckpointInfo>& infos) {
  SeedReport seed;
  seed.outcome.seed = seed_number;
  seed.files = files;
  std::map<int64_t, SampleResult> by_idx;
  for (const auto& file : files) {
    for (auto& record : store::CheckpointReader::open(file).records(store::DamagedRows::kSkip)) {
      by_idx.emplace(record.result.idx, std::move(record.result));
    }
  }
  seed.outcome.planned = planned_samples_of_group(infos);
  seed.outcome.committed = static_cast<int64_t>(by_idx.size());
  for (const auto& [idx, result] : by_idx) {
    if (result.is_correct) ++seed.outcome.correct;
    if (result.status != sample_status::kSuccess) ++seed.errors;
    if (result.crash_signal != 0) ++seed.quarantined;
  }
  return seed;
}

// "num_thought_tokens=2, total_samples=10": the values in which `mine` differs from any
// other configuration of the same run directory and task.
std::string describe_configuration(const Configuration& mine, const std::vector<const Configuration*>& all) {
  std::set<std::string> differing;
  for (const auto* other : all) {
    for (const auto& [key, value] : mine) {
      const auto it = other->find(key);
      if (it == other->end() || it->second != value) differing.insert(key);
    }
    for (const auto& [key, value] : *other) {
      if (!mine.count(key)) differing.insert(key);
    }
  }
  std::string text;
  for (const auto& key : differing) {
    const auto it = mine.find(key);
    text += (text.empty() ? "" : ", ") + key + "=" + (it == mine.end() ? "(absent)" : it->second);
  }
  return text;
}

std::string percent(double fraction) { return fmt::format("{:.2f}%", 100.0 * fraction); }

std::string format_markdown(const std::vector<TaskReport>& report) {
  std::ostringstream out;
  out << "# SoftCoT report\n";
  for (const auto& task : report) {
    out << "\n## " << task.run << ": " << task.task
        << (task.configuration.empty() ? "" : " (" + task.configuration + ")") << "\n\n";
    if (task.configurations_of_task > 1) {
      out << "This run directory holds " << task.configurations_of_task << " configurations of " << task.task
          << "; seeds are averaged only within one.\n\n";
    }
    out << "| seed | n/N | accuracy | complete | errors | quarantined |\n";
    out << "|---:|---:|---:|:---|---:|---:|\n";
    std::vector<std::string> incomplete;
    for (const auto& seed : task.seeds) {
      const auto& o = seed.outcome;
      out << fmt::format("| {} | {}/{} | {} | {} | {} | {} |\n", o.seed, o.committed, o.planned,
                         percent(o.accuracy()), o.complete() ? "yes" : "**no (incomplete)**", seed.errors,
                         seed.quarantined);
      if (!o.complete()) incomplete.push_back(std::to_string(o.seed));
    }
    const auto& across = task.across_seeds;
    out << "\n";
    if (across.mean) {
      out << fmt::format("Across {} complete seed{}: mean accuracy {}", across.complete_seeds,
                         across.complete_seeds == 1 ? "" : "s", percent(*across.mean));
      out << (across.sample_std ? ", standard deviation " + percent(*across.sample_std) +
                                      " (sample std, divisor n-1)"
                                : ", standard deviation n/a (one seed)");
      out << ".";
    } else {
      out << "No complete seed yet: no mean.";
    }
    if (!incomplete.empty()) {
      out << " Incomplete seeds, left out of the mean: " << fmt::format("{}", fmt::join(incomplete, ", ")) << ".";
    }
    out << "\n";
  }
  return out.str();
}

std::string csv_number(const std::optional<double>& value) {
  return value ? fmt::format("{:.6f}", *value) : "";
}

std::string csv_quoted(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// One row per seed, then a "mean" and a "std" row per run and task (accuracy column).
std::string format_csv(const std::vector<TaskReport>& report) {
  std::ostringstream out;
  out << "run,task,seed,committed,planned,complete,correct,accuracy,errors,quarantined,configuration\n";
  for (const auto& task : report) {
    const std::string prefix = csv_quoted(task.run) + "," + csv_quoted(task.task) + ",";
    const std::string configuration = "," + csv_quoted(task.configuration) + "\n";
    for (const auto& seed : task.seeds) {
      const auto& o = seed.outcome;
      out << prefix
          << fmt::format("{},{},{},{},{},{:.6f},{},{}", o.seed, o.committed, o.planned,
                         o.complete() ? "yes" : "no", o.correct, o.accuracy(), seed.errors, seed.quarantined)
          << configuration;
    }
    const auto& across = task.across_seeds;
    out << prefix << "mean,,," << across.complete_seeds << " seeds,," << csv_number(across.mean) << ",,"
        << configuration;
    out << prefix << "std,,," << across.complete_seeds << " seeds,," << csv_number(across.sample_std) << ",,"
        << configuration;
  }
  return out.str();
}

std::string format_json(const std::vector<TaskReport>& report) {
  auto tasks = nlohmann::ordered_json::array();
  for (const auto& task : report) {
    nlohmann::ordered_json t;
    t["run"] = task.run;
    t["task"] = task.task;
    t["configuration"] = task.configuration;
    auto seeds = nlohmann::ordered_json::array();
    for (const auto& seed : task.seeds) {
      const auto& o = seed.outcome;
      seeds.push_back({{"seed", o.seed}, {"committed", o.committed}, {"planned", o.planned},
                       {"complete", o.complete()}, {"correct", o.correct}, {"accuracy", o.accuracy()},
                       {"errors", seed.errors}, {"quarantined", seed.quarantined}, {"files", seed.files}});
    }
    t["seeds"] = seeds;
    const auto& across = task.across_seeds;
    t["complete_seeds"] = across.complete_seeds;
    t["mean_accuracy"] = across.mean ? nlohmann::ordered_json(*across.mean) : nullptr;
    t["std_accuracy"] = across.sample_std ? nlohmann::ordered_json(*across.sample_std) : nullptr;
    tasks.push_back(t);
  }
  nlohmann::ordered_json j;
  j["std"] = "sample standard deviation over complete seeds (divisor n-1)";
  j["tasks"] = tasks;
  return j.dump(2) + "\n";
}

}  // namespace

std::vector<TaskReport> build_report(const std::vector<std::string>& paths) {
  // Rank 0's merged copies (<run>/merged/) repeat the shard files: not when descending.
  std::vector<std::string> files;
  for (const auto& path : paths) {
    for (const auto& file : store::find_checkpoint_files({path})) {
      const auto relative = std::filesystem::path(file).lexically_relative(path);
      bool in_merged = false;
      for (auto it = relative.begin(); it != relative.end() && std::next(it) != relative.end(); ++it) {
        if (*it == "merged") in_merged = true;
      }
      if (!in_merged) files.push_back(file);
    }
  }
  if (files.empty()) throw bad_input(paths.empty() ? "." : paths.front(), "no .h5 checkpoint files found");
  // (directory, task) -> configuration -> its seeds; a seed's files split by fingerprint.
  std::map<std::pair<std::string, std::string>, std::map<Configuration, TaskReport>> tasks;
  for (const auto& [key, group] : group_shard_files(files)) {
    std::map<std::string, std::pair<std::vector<std::string>, std::vector<store::CheckpointInfo>>> by_fingerprint;
    for (const auto& file : group) {
      auto info = store::CheckpointReader::open(file).info();
      auto& [same_files, infos] = by_fingerprint[info.fingerprint.to_json()];
      same_files.push_back(file);
      infos.push_back(std::move(info));
    }
    for (const auto& [fingerprint_json, same] : by_fingerprint) {
      auto& task = tasks[{key.directory, key.task}][configuration_of(same.second.front().fingerprint)];
      task.run = std::filesystem::path(key.directory).filename().string();
      if (task.run.empty()) task.run = key.directory;
      task.task = key.task;
      task.seeds.push_back(read_seed(key.seed, same.first, same.second));  // groups come sorted by seed
    }
  }
  std::vector<TaskReport> report;
  for (auto& [key, configurations] : tasks) {
    std::vector<const Configuration*> all;
    for (const auto& [configuration, task] : configurations) all.push_back(&configuration);
    for (auto& [configuration, task] : configurations) {
      if (configurations.size() > 1) task.configuration = describe_configuration(configuration, all);
      task.configurations_of_task = static_cast<int>(configurations.size());
      std::vector<SeedOutcome> outcomes;
      for (const auto& seed : task.seeds) outcomes.push_back(seed.outcome);
      task.across_seeds = summarize_seeds(outcomes);
      report.push_back(std::move(task));
    }
  }
  return report;
}

ReportFormat parse_report_format(const std::string& text) {
  if (text == "markdown" || text == "md") return ReportFormat::kMarkdown;
  if (text == "csv") return ReportFormat::kCsv;
  if (text == "json") return ReportFormat::kJson;
  throw usage_error("--format must be markdown, csv or json (got '" + text + "')");
}

std::string format_report(const std::vector<TaskReport>& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kCsv: return format_csv(report);
    case ReportFormat::kJson: return format_json(report);
    case ReportFormat::kMarkdown: break;
  }
  return format_markdown(report);
}

}  // namespace softcot::cluster
