// softcot eval: the SoftCoT evaluation of one (task, seed), one sample after another,
// each committed to the HDF5 checkpoint the moment it is done.
//
//   flags -> RunOptions -> load models/data -> this rank's samples (what no shard file of
//   this configuration holds yet) -> open checkpoint (resume) -> the sample loop shared
//   with the stand-in worker (supervise/sample_loop.h): begin -> quarantine? -> pipeline
//   -> commit
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
#include "cluster/rank_barrier.h"
#include "cluster/shard_files.h"
#include "cluster/sharding.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "core/exit_codes.h"
#include "softcot/error_streak.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"
#include "store/checkpoint_writer.h"
#include "supervise/fault_injection.h"
#include "supervise/heartbeat.h"
#include "supervise/sample_loop.h"

namespace softcot::cli {
namespace {

struct EvalFlags {
  std::string checkpoint_dir = "./checkpoints";
  std::string run_name = "default";
  bool disable_checkpoint = false;
  std::string checkpoint_sync = "always";
  int max_sample_attempts = 3;
  double progress_interval = 30;
  double fence_timeout = 900;
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
      ("fence_timeout", po::value(&f.fence_timeout)->default_value(f.fence_timeout),
       "sharded runs: rank 0 merges once every rank is done, and fails naming the ranks that showed no "
       "sign of life (a commit) for this many seconds")
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

class EvalRun {
 public:
  EvalRun(LoadedRun& run, const EvalFlags& flags, const cluster::ClusterContext& cluster)
      : run_(run), flags_(flags), cluster_(cluster) {}

  int execute();

 private:
  std::vector<int64_t> samples_of_this_rank(const std::string& own_file);
  void open_checkpoint(const std::string& path, const std::vector<int64_t>& mine);
  SampleResult evaluate(const Sample& sample);
  void log_result(const SampleResult& r);
  void merge_after_all_ranks(const cluster::RankBarrier& barrier);

  LoadedRun& run_;
  const EvalFlags& flags_;
  const cluster::ClusterContext& cluster_;
  std::optional<store::CheckpointWriter> writer_;
  std::set<int64_t> committed_anywhere_;
  std::set<int64_t> own_committed_;  // this rank's file's intact rows, read once before its writer opens
  int64_t correct_ = 0;
  int64_t evaluated_ = 0;
  std::unique_ptr<ProgressReporter> progress_;
  GenerationErrorStreak error_streak_;  // NaN logits sample after sample: stop (exit 65)
};

void EvalRun::log_result(const SampleResult& r) {
  ++evaluated_;
  if (r.is_correct) ++correct_;
  spdlog::info("Sample {}: Ground Truth: {} | Model Answer: {} | Correct: {}", r.idx,
               python_text(r.ground_truth_json), python_text(r.model_answer_json),
               r.is_correct ? "True" : "False");
  spdlog::info("Correct Count: {}/{}", correct_, evaluated_);
  progress_->sample_done(r.generated_tokens);
}

// The ids this rank still has to run: the dataset minus what any shard file of this
// configuration already holds, split by position (cluster/sharding.h).
std::vector<int64_t> EvalRun::samples_of_this_rank(const std::string& own_file) {
  std::vector<int64_t> all_ids;
  for (const auto& s : run_.dataset.samples) all_ids.push_back(s.idx);
  if (!flags_.disable_checkpoint) {
    const std::string run_dir = flags_.checkpoint_dir + "/" + flags_.run_name;
    committed_anywhere_ = cluster::committed_in_evaluation(run_dir, task_info(run_.options.task).name,
                                                           static_cast<int64_t>(run_.options.seed),
                                                           run_fingerprint(run_), cluster_.rank, cluster_.size,
                                                           own_file);
    // This rank's own file: read by its writer, which drops damaged rows and sets an
    // unreadable file aside; here only its readable, intact rows count.
    if (std::filesystem::exists(own_file) && !store::damage_of(own_file)) {
      auto reader = store::CheckpointReader::open(own_file);
      for (const auto& record : reader.records(store::DamagedRows::kSkip)) own_committed_.insert(record.result.idx);
      // Another fingerprint: the writer refuses the file, naming what changed.
      if (reader.info().fingerprint == run_fingerprint(run_)) {
        committed_anywhere_.insert(own_committed_.begin(), own_committed_.end());
      }
    }
  }
  return cluster::shard_sample_ids(all_ids, committed_anywhere_, cluster_.rank, cluster_.size);
}

void EvalRun::open_checkpoint(const std::string& path, const std::vector<int64_t>& mine) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  store::CheckpointHeader header;
  header.run_config_json = run_config_json(run_.options, flags_).dump();
  header.fingerprint = run_fingerprint(run_);
  header.shard_index = cluster_.rank;
  header.shard_count = cluster_.size;
  // This file's N: the samples it holds (intact) plus what this rank is now given.
  std::set<int64_t> planned(mine.begin(), mine.end());
  planned.insert(own_committed_.begin(), own_committed_.end());
  header.planned_samples = static_cast<int64_t>(planned.size());
  store::WriterOptions options{store::parse_sync_policy(flags_.checkpoint_sync)};
  options.set_aside_unreadable = true;
  writer_.emplace(store::CheckpointWriter::open_or_create(path, header, options));
  if (const auto& aside = writer_->set_aside()) {
    spdlog::warn("{}: cannot be read ({}); set aside as {} (nothing deleted). Kept: the {} samples committed in "
                 "the run's other shard files; this file's samples are run again.",
                 path, aside->reason, aside->moved_to, committed_anywhere_.size());
  }
  // `Correct Count: c/n` runs over the whole file, as if the run had never stopped.
  for (const auto& record : store::CheckpointReader::open(path).records(store::DamagedRows::kSkip)) {
    ++evaluated_;
    if (record.result.is_correct) ++correct_;
  }
  spdlog::info("Checkpoint: {} ({} committed here, {} in the whole run, {} to go on this rank)", path,
               writer_->committed_ids().size(), committed_anywhere_.size(), mine.size());
}

SampleResult EvalRun::evaluate(const Sample& sample) {
  if (run_.options.print_input) {
    spdlog::info("Input (sample {}):\n{}", sample.idx, run_.pipeline->prompts(sample).base_text);
  }
  ResponseObserver observer;
  if (run_.options.print_response) {
    observer = [&](int64_t seq, const std::string& text) {
      spdlog::info("Response {} (sample {}):\n{}", seq, sample.idx, text);
    };
  }
  return run_.pipeline->run(sample, observer);
}

// Every rank leaves a marker once its file is closed; rank 0 waits for all of them
// (cluster/rank_barrier.h), then merges: it never reads a shard file still being written.
void EvalRun::merge_after_all_ranks(const cluster::RankBarrier& barrier) {
  barrier.mark_mine_done();
  if (cluster_.rank != 0) return;
  barrier.wait_for_all(flags_.fence_timeout);
  const std::string task = task_info(run_.options.task).name;
  const std::string merged_dir = barrier.run_dir + "/" + store::kMergedDirName;
  const std::string merged = merged_dir + "/" + task + "_seed" + std::to_string(run_.options.seed) + ".h5";
  std::filesystem::create_directories(merged_dir);
  for (const auto& s : cluster::merge_run(barrier.run_dir, merged, /*overwrite=*/true)) {
    spdlog::info("Merged {} shard files into {} ({}/{} samples)", s.inputs.size(), s.output, s.samples, s.planned);
  }
}

int EvalRun::execute() {
  const RunOptions& o = run_.options;
  const std::string task = task_info(o.task).name;
  const std::string run_dir = flags_.checkpoint_dir + "/" + flags_.run_name;
  const std::string path = store::checkpoint_path(
      flags_.checkpoint_dir, {flags_.run_name, task, static_cast<int64_t>(o.seed), cluster_.rank, cluster_.size});
  const auto barrier = cluster::RankBarrier::of(run_dir, task, static_cast<int64_t>(o.seed), cluster_);
  const bool sharded = !flags_.disable_checkpoint && cluster_.size > 1;
  if (sharded) barrier.clear_mine();  // this rank writes again
  const std::vector<int64_t> mine = samples_of_this_rank(path);
  if (!flags_.disable_checkpoint) open_checkpoint(path, mine);

  progress_ = std::make_unique<ProgressReporter>(static_cast<int64_t>(run_.dataset.samples.size()),
                                                 static_cast<int64_t>(committed_anywhere_.size()),
                                                 flags_.progress_interval);
  std::map<int64_t, const Sample*> by_idx;
  for (const auto& s : run_.dataset.samples) by_idx[s.idx] = &s;

  supervise::SampleWork work;
  work.evaluate = [&](int64_t idx, int) { return evaluate(*by_idx.at(idx)); };
  work.ground_truth_json = [&](int64_t idx) { return by_idx.at(idx)->ground_truth_json; };
  work.on_result = [&](const SampleResult& r, bool quarantined) {
    log_result(r);
    if (!quarantined) error_streak_.observe(r);  // after the commit: the error stays recorded
  };
  std::unique_ptr<supervise::SampleStore> sample_store;
  if (writer_) sample_store = supervise::checkpoint_sample_store(*writer_);
  const auto end = supervise::run_sample_loop(mine, sample_store.get(), flags_.max_sample_attempts, work);

  progress_->finish();
  const size_t committed = writer_ ? writer_->committed_ids().size() : 0;
  if (writer_) writer_->close();
  if (end == supervise::LoopEnd::kStopped) {
    spdlog::warn("Stopped by signal {}: {} samples committed, the sample in flight is dropped; exit {} "
                 "(preempted). Run the same command again to resume.",
                 pending_stop_signal(), committed, exit_code::kPreempted);
    return exit_code::kPreempted;
  }
  spdlog::info("Done: accuracy {}/{} = {:.4f} (this shard, resumed samples included); this process evaluated {} samples, "
               "{:.3f} samples/s, {:.1f} generated tokens/s",
               correct_, evaluated_,
               evaluated_ ? static_cast<double>(correct_) / static_cast<double>(evaluated_) : 0.0,
               progress_->done_this_process(), progress_->samples_per_second(),
               progress_->tokens_per_second());
  if (sharded) {
    try {
      merge_after_all_ranks(barrier);
    } catch (const Interrupted&) {
      spdlog::warn("Stopped by signal {} while waiting for the other ranks: everything is committed; exit {}",
                   pending_stop_signal(), exit_code::kPreempted);
      return exit_code::kPreempted;
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
  supervise::faults_from_env();  // a bad SOFTCOT_FAULT is a usage error before the models load

  const cluster::ClusterContext cluster = cluster::detect_cluster();
  if (cluster.size > 1) spdlog::info("Cluster: {}", cluster.describe());
  if (!flags.disable_checkpoint) {  // "today" means the run's first start
    run_options.chat_date = resolve_chat_date(run_options.chat_date, flags.checkpoint_dir + "/" + flags.run_name,
                                              task_info(run_options.task).name, run_options.seed);
  }
  auto loaded = load_run(run_options, flags.device);
  EvalRun eval_run(*loaded, flags, cluster);
  return eval_run.execute();
}

const RegisterCommand kRegister{{"eval", "run a SoftCoT evaluation, checkpointed after every sample", &run}};

}  // namespace
}  // namespace softcot::cli
