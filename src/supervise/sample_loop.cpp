#include "supervise/sample_loop.h"

#include <cstdlib>
#include <new>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "store/checkpoint_writer.h"
#include "supervise/fault_injection.h"
#include "supervise/heartbeat.h"
#include "supervise/quarantine.h"
#include "supervise/supervisor.h"

namespace softcot::supervise {

namespace {

class CheckpointSampleStore : public SampleStore {
 public:
  explicit CheckpointSampleStore(store::CheckpointWriter& writer) : writer_(writer) {}
  bool is_committed(int64_t idx) const override { return writer_.is_committed(idx); }
  int begin_sample(int64_t idx) override { return writer_.begin_sample(idx); }
  void abandon_sample() override { writer_.abandon_sample(); }
  void commit(const SampleResult& result) override { writer_.commit(result); }
  int64_t committed_count() const override { return static_cast<int64_t>(writer_.committed_ids().size()); }

 private:
  store::CheckpointWriter& writer_;
};

// The supervisor's attempt number (1 without a supervisor): what fault injection counts
// when there is no store to count starts of a sample.
int supervisor_attempt() {
  const char* text = std::getenv(kAttemptEnv);
  return text ? std::max(1, std::atoi(text)) : 1;
}

bool counts_as_crash(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.kind() == ErrorKind::kCrashLike;
  } catch (const std::bad_alloc&) {
    return true;
  } catch (...) {
    return false;
  }
}

// One sample: quarantine or evaluate, then commit.
void run_one(int64_t idx, SampleStore* store, const QuarantinePolicy& policy, const SampleWork& work) {
  const int attempt = store ? store->begin_sample(idx) : supervisor_attempt();
  note_sample_started(idx, attempt);
  try {
    std::optional<SampleResult> result;
    bool quarantined = false;
    if (store) {
      result = policy.check(idx, attempt, last_crash_signal_from_env(), last_crash_cause_from_env());
      if (result) {
        quarantined = true;
        result->ground_truth_json = work.ground_truth_json(idx);
        spdlog::warn("Sample {} quarantined: it was started {} times without finishing ({})", idx, attempt - 1,
                     result->error_message);
      }
    }
    if (!result) {
      maybe_inject_fault(idx, attempt);
      result = work.evaluate(idx, attempt);
      result->attempts = attempt;
    }
    if (store) {
      store->commit(*result);
      note_sample_committed(store->committed_count());
    }
    if (work.on_result) work.on_result(*result, quarantined);
  } catch (...) {
    const auto error = std::current_exception();
    if (store && !counts_as_crash(error)) store->abandon_sample();
    throw;
  }
}

}  // namespace

std::unique_ptr<SampleStore> checkpoint_sample_store(store::CheckpointWriter& writer) {
  return std::make_unique<CheckpointSampleStore>(writer);
}

LoopEnd run_sample_loop(const std::vector<int64_t>& ids, SampleStore* store, int max_sample_attempts,
                        const SampleWork& work) {
  faults_from_env();  // a bad SOFTCOT_FAULT is a usage error, before anything is begun
  if (!store && std::getenv(kAttemptEnv) != nullptr) {
    spdlog::warn("--disable_checkpoint: nothing is committed, so a restart after a crash begins at sample 0 "
                 "again and a sample that keeps crashing cannot be quarantined");
  }
  const QuarantinePolicy policy{max_sample_attempts};
  try {
    for (int64_t idx : ids) {
      throw_if_stop_requested();
      if (store && store->is_committed(idx)) continue;
      run_one(idx, store, policy, work);
    }
  } catch (const Interrupted&) {
    return LoopEnd::kStopped;  // run_one abandoned the sample in flight
  }
  return LoopEnd::kFinished;
}

}  // namespace softcot::supervise
