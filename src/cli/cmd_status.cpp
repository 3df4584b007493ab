// softcot status: progress of checkpoints, also while their writers run (SWMR read).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"
#include "store/export.h"

namespace softcot::cli {

namespace {

std::string duration_text(double seconds) {
  if (seconds < 0) return "unknown";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

nlohmann::ordered_json status_json(const store::CheckpointInfo& info, const store::CheckpointStatistics& s) {
  nlohmann::ordered_json j;
  j["path"] = info.path;
  j["committed"] = s.committed;
  j["planned"] = s.planned;
  j["correct"] = s.correct;
  j["accuracy"] = s.accuracy;
  j["samples_per_second"] = s.samples_per_second;
  j["eta_seconds"] = s.eta_seconds;
  j["total_attempts"] = s.total_attempts;
  j["retried_samples"] = s.retried_samples;
  j["quarantined"] = s.quarantined;
  j["errors"] = s.errors;
  j["damaged_rows"] = s.damaged_rows;
  j["last_update_unix_ms"] = s.last_update_unix_ms;
  j["in_flight"] = {{"idx", s.in_flight.idx}, {"attempt", s.in_flight.attempt}, {"pid", s.in_flight.pid},
                    {"host", s.in_flight.host}};
  j["shard_index"] = info.shard_index;
  j["shard_count"] = info.shard_count;
  j["writer_starts"] = info.writer_starts;
  j["fingerprint"] = nlohmann::ordered_json::parse(info.fingerprint.to_json());
  return j;
}

void print_status(const store::CheckpointInfo& info, const store::CheckpointStatistics& s, std::ostream& out) {
  const double percent = s.planned > 0 ? 100.0 * s.committed / s.planned : 0;
  out << info.path << "\n";
  out << fmt::format("  progress     {}/{} ({:.1f}%), shard {} of {}, writer started {} time(s)\n", s.committed,
                     s.planned, percent, info.shard_index, info.shard_count, info.writer_starts);
  out << fmt::format("  accuracy     {:.2f}% ({} correct)\n", 100.0 * s.accuracy, s.correct);
  out << fmt::format("  speed        {:.3g} samples/s, ETA {}\n", s.samples_per_second, duration_text(s.eta_seconds));
  out << fmt::format("  attempts     {} ({} samples retried), {} quarantined, {} errors\n", s.total_attempts,
                     s.retried_samples, s.quarantined, s.errors);
  if (s.damaged_rows > 0) out << fmt::format("  damaged      {} rows fail their checksum\n", s.damaged_rows);
  if (s.in_flight.idx >= 0 && s.committed < s.planned) {
    out << fmt::format("  in flight    sample {}, attempt {} (pid {} on {})\n", s.in_flight.idx, s.in_flight.attempt,
                       s.in_flight.pid, s.in_flight.host);
  }
  if (s.last_update_unix_ms > 0) {
    const double ago = (store::schema::now_unix_ms() - s.last_update_unix_ms) / 1000.0;
    out << fmt::format("  last update  {} ({} ago)\n", store::iso_timestamp(s.last_update_unix_ms),
                       duration_text(ago));
  } else {
    out << "  last update  none yet\n";
  }
}

int run_status(int argc, char** argv) {
  std::vector<std::string> paths;
  bool as_json = false;
  po::options_description flags("Status options");
  flags.add_options()("path", po::value(&paths)->composing(), "checkpoint files or directories (searched for *.h5)")(
      "json", po::bool_switch(&as_json), "print one JSON array (one object per file) for scripts");
  po::positional_options_description positional;
  positional.add("path", -1);
  const std::string usage =
      "softcot status PATH... [--json]\n\n"
      "Progress of each checkpoint: n/N, accuracy so far, samples/s, ETA, attempts,\n"
      "quarantined samples, last update. Safe while the run is writing.";
  if (!parse_command_line(argc, argv, usage, flags, &positional)) return exit_code::kOk;
  if (paths.empty()) throw usage_error("no PATH given (usage: softcot status PATH... [--json])");

  const auto files = store::find_checkpoint_files(paths);
  if (files.empty()) throw bad_input(paths.front(), "no .h5 checkpoint files found");
  int exit = exit_code::kOk;
  auto all = nlohmann::ordered_json::array();
  for (const auto& file : files) {
    try {
      auto reader = store::CheckpointReader::open(file);
      const auto stats = reader.statistics();
      if (as_json) all.push_back(status_json(reader.info(), stats));
      else print_status(reader.info(), stats, std::cout);
    } catch (const Error& e) {
      // One bad file does not hide the others; the exit code still says so.
      if (as_json) all.push_back({{"path", file}, {"error", e.what()}});
      std::cerr << "softcot status: error: " << e.what() << "\n";
      exit = e.exit_code();
    }
  }
  if (as_json) std::cout << all.dump(2) << "\n";
  return exit;
}

const RegisterCommand kRegister{{"status", "progress of checkpoints (also while they are written)", &run_status}};

}  // namespace

}  // namespace softcot::cli
