#pragma once
// A stand-in for `softcot eval` that only exercises the store: it commits synthetic,
// deterministic samples (store/synthetic.h) one by one with a small pause, resumes what
// a killed predecessor left, and stops cleanly on SIGTERM/INT/USR1/USR2. The kill tests
// run it (`softcot store-selftest`) and compare its export with an uninterrupted run's.
#include <cstdint>
#include <string>

#include "store/checkpoint_writer.h"

namespace softcot::store {

struct SelftestOptions {
  std::string path;
  int64_t samples = 100;
  int32_t responses_per_sample = 3;
  int32_t pause_ms = 5;          // simulated work per sample (checked for stop signals)
  int64_t seed = 42;             // part of the fingerprint, so a mismatch can be provoked
  int64_t stop_after = -1;       // exit 0 after this many commits in this process (-1: never)
  SyncPolicy sync = SyncPolicy::kAlways;
};

// Returns an exit code: 0 when all samples are committed (or stop_after reached),
// exit_code::kPreempted after a stop signal. Errors are thrown as softcot::Error.
int run_selftest_writer(const SelftestOptions& options);

}  // namespace softcot::store
