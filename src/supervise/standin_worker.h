#pragma once
// A stand-in for `softcot eval` that makes the supervisor testable end to end without a
// model: it walks samples 0..N-1 exactly as the pipeline must (begin_sample -> quarantine
// check -> fault injection -> work with heartbeats -> commit), keeping its "store" as two
// small text files in a folder. `softcot supervise-selftest` runs it; it is also the
// reference for wiring the real sample loop (docs/supervisor.md, "Worker side").
#include <cstdint>
#include <string>

namespace softcot::supervise {

struct StandinWorkerOptions {
  std::string state_dir;        // holds results.txt (committed samples) and attempts/<idx>
  int64_t samples = 12;
  int sample_ms = 20;           // simulated work per sample, with a heartbeat every 5 ms
  int max_sample_attempts = 3;  // QuarantinePolicy
};

// Returns the exit code: 0 when all samples are committed, 75 when stopped by a signal.
int run_standin_worker(const StandinWorkerOptions& options);

// The answer the stand-in commits for a sample; tests compare results.txt against it.
inline int64_t standin_answer(int64_t sample_idx) { return sample_idx * sample_idx + 7; }

}  // namespace softcot::supervise
