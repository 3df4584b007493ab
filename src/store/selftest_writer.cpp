#include "store/selftest_writer.h"

#include <chrono>
#include <thread>

#include "core/exit_codes.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "store/schema.h"
#include "store/synthetic.h"

namespace softcot::store {

namespace {
// Sleeps in short steps so that a stop signal is noticed within ~1 ms.
bool pause_unless_stopped(int32_t ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (stop_requested()) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return !stop_requested();
}
}  // namespace

int run_selftest_writer(const SelftestOptions& options) {
  CheckpointHeader header;
  header.run_config_json = R"({"command":"store-selftest","samples":)" + std::to_string(options.samples) +
                           R"(,"responses_per_sample":)" + std::to_string(options.responses_per_sample) + "}";
  header.fingerprint.set("kind", "store-selftest");
  header.fingerprint.set("seed", std::to_string(options.seed));
  header.fingerprint.set("responses_per_sample", std::to_string(options.responses_per_sample));
  header.fingerprint.set("total_samples", std::to_string(options.samples));
  header.planned_samples = options.samples;
  auto writer = CheckpointWriter::open_or_create(options.path, header, WriterOptions{options.sync});
  int64_t committed_here = 0;
  for (int64_t idx = 0; idx < options.samples; ++idx) {
    if (writer.is_committed(idx)) continue;
    if (options.stop_after >= 0 && committed_here >= options.stop_after) break;
    if (stop_requested()) break;
    const int32_t attempt = writer.begin_sample(idx);
    SampleResult result = synthetic_result(idx, options.responses_per_sample);
    result.started_unix_ms = schema::now_unix_ms();
    if (!pause_unless_stopped(options.pause_ms)) break;  // the sample in flight is dropped
    result.finished_unix_ms = schema::now_unix_ms();
    result.attempts = attempt;
    writer.commit(result);
    ++committed_here;
  }
  const int signal = pending_stop_signal();
  writer.close();
  if (signal != 0) {
    spdlog::info("{}: stopped by signal {} after committing; {} samples committed", options.path, signal,
                 writer.committed_ids().size());
    return exit_code::kPreempted;
  }
  return exit_code::kOk;
}

}  // namespace softcot::store
