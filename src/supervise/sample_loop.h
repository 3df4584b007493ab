#pragma once
// The per-sample protocol of every worker: `softcot eval` and the stand-in worker run
// this one loop, so the supervisor's tests exercise exactly what eval does.
//
//   for idx in this rank's samples not yet committed:
//     attempt = store.begin_sample(idx)        durable before the work: crash attribution
//     started max_sample_attempts times before? -> commit a quarantine record
//     else: fault injection -> evaluate -> commit
//     tell the supervisor (heartbeat): every commit, a quarantine record included, is
//     progress, so a streak of poison samples does not spend the retry budget
//
// Without a store (--disable_checkpoint) nothing survives the process, so nothing can be
// attributed to a sample: there is no quarantine, nothing counts as progress, and a
// restart after a crash begins at the first sample again.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "softcot/sample_result.h"

namespace softcot::store {
class CheckpointWriter;
}

namespace softcot::supervise {

// Where a worker commits its samples (the HDF5 checkpoint; the stand-in's text files).
class SampleStore {
 public:
  virtual ~SampleStore() = default;
  virtual bool is_committed(int64_t idx) const = 0;
  // Records another start of idx, durably; returns its attempt number (1 for the first).
  virtual int begin_sample(int64_t idx) = 0;
  // The sample begun last did not take the worker down (a stop signal, a usage or I/O
  // error): its start is taken back.
  virtual void abandon_sample() = 0;
  virtual void commit(const SampleResult& result) = 0;
  virtual int64_t committed_count() const = 0;
};

std::unique_ptr<SampleStore> checkpoint_sample_store(store::CheckpointWriter& writer);

struct SampleWork {
  // Runs one sample (after fault injection); may throw.
  std::function<SampleResult(int64_t idx, int attempt)> evaluate;
  // The ground truth a quarantine record carries.
  std::function<std::string(int64_t idx)> ground_truth_json;
  // After each commit (or each evaluation without a store): logging, progress.
  // `quarantined`: the record is a quarantine, not an evaluation.
  std::function<void(const SampleResult&, bool quarantined)> on_result;
};

enum class LoopEnd { kFinished, kStopped };

// Runs `ids` in order through `work`, committing to `store` (nullptr: no checkpoint).
// kStopped: a stop signal ended it (core/interrupt.h); the sample in flight was
// abandoned. An exception from `work` propagates after its start was taken back, unless
// it is crash-like (ErrorKind::kCrashLike, std::bad_alloc): that start counts.
// A bad SOFTCOT_FAULT is a usage error before any sample is begun.
LoopEnd run_sample_loop(const std::vector<int64_t>& ids, SampleStore* store, int max_sample_attempts,
                        const SampleWork& work);

}  // namespace softcot::supervise
