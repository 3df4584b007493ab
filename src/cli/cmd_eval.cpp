// softcot eval: the SoftCoT evaluation of one (task, seed), one sample after another,
// each committed to the HDF5 checkpoint the moment it is done.
//
//   flags -> RunOptions -> load models/data -> open checkpoint (resume) -> this rank's
//   samples -> per sample: begin (crash attribution) -> quarantine? -> pipeline -> commit
//
// A stop signal (SIGTERM/INT/USR1/USR2) ends the sample in flight within one decode step;
// the checkpoint is closed committed and the exit code is 75 (preempted).
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/eval_setup.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/run_options.h"
#include "cluster/cluster_context.h"
#include "cluster/merge.h"
#include "cluster/shard_files.h"
#include "cluster/sharding.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"
#include "store/checkpoint_writer.h"
#include "supervise/fault_injection.h"
#include "supervise/heartbeat.h"
#include "supervise/quarantine.h"
#include "supervise/supervisor.h"

namespace softcot::cli {
namespace {

struct EvalFlags {
  std::string checkpoint_dir = "./checkpoints";
  std::string run_name = "default";
  bool disable_checkpoint = false;
  std::string checkpoint_sync = "always";
  int max_sample_attempts = 3;
  double progress_interval = 30;
  std::string device = "cpu";
};

void add_eval_flags(po::options_description& options, EvalFlags& f) {
  po::options_description own("Checkpoint and process options");
  own.add_options()
      ("checkpoint_dir", po::value(&f.checkpoint_dir)->default_value(f.checkpoint_dir),
       "where checkpoints live: <dir>/<run_name>/<task>_seed<S>_shard<k>-of-<n>.h5")
      ("run_name", po::value(&f.run_name)->default_value(f.run_name),
       "names the run's checkpoint folder; a new name starts fresh")
      ("disable_checkpoint", po::bool_switch(&f.disable_checkpoint),
       "run without a checkpoint (nothing survives a crash)")
      ("checkpoint_sync", po::value(&f.checkpoint_sync)->default_value(f.checkpoint_sync),
       "always: fdatasync every commit (survives a node crash); never: survives the process only")
      ("max_sample_attempts", po::value(&f.max_sample_attempts)->default_value(f.max_sample_attempts),
       "a sample that took the worker down this many times is committed as quarantined")
      ("progress_interval", po::value(&f.progress_interval)->default_value(f.progress_interval),
       "seconds between progress lines when stderr is not a terminal")
      ("device", po::value(&f.device)->default_value(f.device), "cpu or cuda");
  options.add(own);
}

// The reference logs Python values: True/False/None, strings without quotes.
std::string python_text(const std::string& answer_json) {
  if (answer_json == "true") return "True";
  if (answer_json == "false") return "False";
  if (answer_json == "null") return "None";
  if (!answer_json.empty() && answer_json.front() == '"') return Json::parse(answer_json).get<std::string>();
  return answer_json;
}

Json run_config_json(const RunOptions& o, const EvalFlags& f) {
  return Json{{"base_model_id", o.base_model_id},
              {"assistant_model_id", o.assistant_model_id},
              {"params_file_name", o.params_file_name},
              {"num_thought_tokens", o.num_thought_tokens},
              {"num_return_sequences", o.num_return_sequences},
              {"task_name", task_info(o.task).name},
              {"test_k", o.test_k},
              {"seed", o.seed},
              {"data_file", o.data_path()},
              {"max_new_tokens", o.max_new_tokens},
              {"threads", o.threads},
              {"checkpoint_dir", f.checkpoint_dir},
              {"run_name", f.run_name},
              {"checkpoint_sync", f.checkpoint_sync},
              {"max_sample_attempts", f.max_sample_attempts},
              {"device", f.device}};
}

// Samples committed by any shard file of this (run, task, seed), whatever its layout.
std::set<int64_t> committed_in_run(const std::string& run_dir, const std::string& task, uint64_t seed) {
  std::vector<std::string> files;
  if (std::filesystem::is_directory(run_dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(run_dir)) {
      cluster::ShardFileName name;
      if (entry.is_regular_file() && cluster::parse_shard_file_name(entry.path().filename().string(), &name) &&
          name.task == task && name.seed == static_cast<int64_t>(seed)) {
        files.push_back(entry.path().string());
      }
    }
  }
  return files.empty() ? std::set<int64_t>{} : store::committed_ids(files);
}

class SampleLoop {
 public:
  SampleLoop(LoadedRun& run, const EvalFlags& flags, const cluster::ClusterContext& cluster)
      : run_(run), flags_(flags), cluster_(cluster) {}

  int execute();

 private:
  void log_result(const SampleResult& r);
  void count_committed_results(const std::string& path);
  void evaluate(const Sample& sample, int attempt);

  LoadedRun& run_;
  const EvalFlags& flags_;
  const cluster::ClusterContext& cluster_;
  std::optional<store::CheckpointWriter> writer_;
  bool sample_begun_ = false;  // begun in the store and not yet committed
  int64_t correct_ = 0;
  int64_t evaluated_ = 0;
  std::unique_ptr<ProgressReporter> progress_;
};

void SampleLoop::log_result(const SampleResult& r) {
  ++evaluated_;
  if (r.is_correct) ++correct_;
  spdlog::info("Sample {}: Ground Truth: {} | Model Answer: {} | Correct: {}", r.idx,
               python_text(r.ground_truth_json), python_text(r.model_answer_json),
               r.is_correct ? "True" : "False");
  spdlog::info("Correct Count: {}/{}", correct_, evaluated_);
}

// `Correct Count: c/n` runs over the whole file, as if the run had never stopped.
void SampleLoop::count_committed_results(const std::string& path) {
  if (!std::filesystem::exists(path)) return;
  try {
    for (const auto& record : store::CheckpointReader::open(path).records(store::DamagedRows::kSkip)) {
      ++evaluated_;
      if (record.result.is_correct) ++correct_;
    }
  } catch (const Error&) {
    // The writer's open decides what to do with a damaged file and says so.
  }
}

void SampleLoop::evaluate(const Sample& sample, int attempt) {
  supervise::note_sample_started(sample.idx, attempt);
  const supervise::QuarantinePolicy policy{flags_.max_sample_attempts};
  if (auto quarantined = policy.check(sample.idx, attempt, supervise::last_crash_signal_from_env(),
                                      supervise::last_crash_cause_from_env())) {
    quarantined->ground_truth_json = sample.ground_truth_json;
    spdlog::warn("Sample {} quarantined: it was started {} times without finishing ({})", sample.idx,
                 attempt - 1, quarantined->error_message);
    if (writer_) writer_->commit(*quarantined);
    log_result(*quarantined);
    progress_->sample_done(0);
    return;
  }
  supervise::maybe_inject_fault(sample.idx, attempt);

  if (run_.options.print_input) {
    spdlog::info("Input (sample {}):\n{}", sample.idx, run_.pipeline->prompts(sample).base_text);
  }
  ResponseObserver observer;
  if (run_.options.print_response) {
    observer = [&](int64_t seq, const std::string& text) {
      spdlog::info("Response {} (sample {}):\n{}", seq, sample.idx, text);
    };
  }
  SampleResult result = run_.pipeline->run(sample, observer);
  result.attempts = attempt;
  if (writer_) {
    writer_->commit(result);
    supervise::note_sample_committed(static_cast<int64_t>(writer_->committed_ids().size()));
  }
  log_result(result);
  progress_->sample_done(result.generated_tokens);
}

int SampleLoop::execute() {
  const RunOptions& o = run_.options;
  const std::string task = task_info(o.task).name;
  std::vector<int64_t> all_ids;
  for (const auto& s : run_.dataset.samples) all_ids.push_back(s.idx);

  std::set<int64_t> committed_anywhere;
  const std::string run_dir = flags_.checkpoint_dir + "/" + flags_.run_name;
  if (!flags_.disable_checkpoint) committed_anywhere = committed_in_run(run_dir, task, o.seed);
  const std::vector<int64_t> mine =
      cluster::shard_sample_ids(all_ids, committed_anywhere, cluster_.rank, cluster_.size);

  if (!flags_.disable_checkpoint) {
    std::filesystem::create_directories(run_dir);
    store::CheckpointHeader header;
    header.run_config_json = run_config_json(o, flags_).dump();
    header.fingerprint = run_fingerprint(run_);
    header.shard_index = cluster_.rank;
    header.shard_count = cluster_.size;
    const std::string path = store::checkpoint_path(
        flags_.checkpoint_dir, {flags_.run_name, task, static_cast<int64_t>(o.seed), cluster_.rank, cluster_.size});
    // This file's N: what it already holds plus what this rank is now given.
    std::set<int64_t> planned(mine.begin(), mine.end());
    if (std::filesystem::exists(path)) {
      for (int64_t id : store::committed_ids({path})) planned.insert(id);
    }
    header.planned_samples = static_cast<int64_t>(planned.size());
    count_committed_results(path);
    writer_.emplace(store::CheckpointWriter::open_or_create(
        path, header, store::WriterOptions{store::parse_sync_policy(flags_.checkpoint_sync)}));
    spdlog::info("Checkpoint: {} ({} committed here, {} in the whole run, {} to go on this rank)", path,
                 writer_->committed_ids().size(), committed_anywhere.size(), mine.size());
  }

  progress_ = std::make_unique<ProgressReporter>(
      static_cast<int64_t>(all_ids.size()), static_cast<int64_t>(committed_anywhere.size()),
      flags_.progress_interval);
  std::map<int64_t, const Sample*> by_idx;
  for (const auto& s : run_.dataset.samples) by_idx[s.idx] = &s;

  const int supervisor_attempt = [] {
    const char* a = std::getenv(supervise::kAttemptEnv);
    return a ? std::max(1, std::atoi(a)) : 1;
  }();
  try {
    for (int64_t idx : mine) {
      throw_if_stop_requested();
      if (writer_ && writer_->is_committed(idx)) continue;
      const int attempt = writer_ ? writer_->begin_sample(idx) : supervisor_attempt;
      sample_begun_ = writer_.has_value();
      evaluate(*by_idx.at(idx), attempt);
      sample_begun_ = false;
    }
  } catch (const Interrupted&) {
    progress_->finish();
    if (writer_) {
      if (sample_begun_) writer_->abandon_sample();
      writer_->close();
    }
    spdlog::warn("Stopped by signal {}: {} samples committed, the sample in flight is dropped; exit {} "
                 "(preempted). Run the same command again to resume.",
                 pending_stop_signal(), writer_ ? writer_->committed_ids().size() : 0,
                 exit_code::kPreempted);
    return exit_code::kPreempted;
  }
  progress_->finish();
  if (writer_) writer_->close();

  spdlog::info("Done: accuracy {}/{} = {:.4f} (this shard, resumed samples included); this process evaluated {} samples, "
               "{:.3f} samples/s, {:.1f} generated tokens/s",
               correct_, evaluated_,
               evaluated_ ? static_cast<double>(correct_) / static_cast<double>(evaluated_) : 0.0,
               progress_->done_this_process(), progress_->samples_per_second(),
               progress_->tokens_per_second());

  if (!flags_.disable_checkpoint && cluster_.size > 1) {
    if (cluster_.fence() && cluster_.rank == 0) {
      const std::string merged_dir = run_dir + "/" + store::kMergedDirName;
      const std::string merged = merged_dir + "/" + task + "_seed" + std::to_string(o.seed) + ".h5";
      std::filesystem::create_directories(merged_dir);
      const auto summaries = cluster::merge_run(run_dir, merged, /*overwrite=*/true);
      for (const auto& s : summaries) {
        spdlog::info("Merged {} shard files into {} ({}/{} samples)", s.inputs.size(), s.output, s.samples,
                     s.planned);
      }
    }
  }
  return exit_code::kOk;
}

int run(int argc, char** argv) {
  po::options_description options("eval options");
  add_run_options(options);
  EvalFlags flags;
  add_eval_flags(options, flags);
  const auto parsed = parse_command_line(
      argc, argv,
      "softcot eval --base_model_id ID --assistant_model_id ID --params_file_name FILE "
      "--task_name TASK [--num_thought_tokens N] [--seed S] [...]",
      options);
  if (!parsed) return exit_code::kOk;
  RunOptions run_options = read_run_options(parsed->vm);
  log::init(run_options.log_level);
  install_stop_signal_handlers();
  supervise::install_worker_heartbeat();
  ThreadPool::set_default_threads(run_options.threads);
  if (flags.max_sample_attempts < 1) throw usage_error("--max_sample_attempts must be >= 1");

  const cluster::ClusterContext cluster = cluster::detect_cluster();
  if (cluster.size > 1) spdlog::info("Cluster: {}", cluster.describe());
  if (!flags.disable_checkpoint) {  // "today" means the run's first start
    run_options.chat_date = resolve_chat_date(run_options.chat_date, flags.checkpoint_dir + "/" + flags.run_name,
                                              task_info(run_options.task).name, run_options.seed);
  }
  auto loaded = load_run(run_options, flags.device);
  SampleLoop loop(*loaded, flags, cluster);
  return loop.execute();
}

const RegisterCommand kRegister{{"eval", "run a SoftCoT evaluation, checkpointed after every sample", &run}};

}  // namespace
}  // namespace softcot::cli
