#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/interrupt.h"
#include "supervise/heartbeat.h"

namespace softcot::supervise {
namespace {

TEST(Heartbeat, WorkerBeatsIntoTheSupervisorsSegment) {
  HeartbeatSegment segment;
  HeartbeatRecord& record = segment.record();
  EXPECT_EQ(record.last_beat_ns.load(), 0);
  setenv(kHeartbeatEnv, segment.name().c_str(), 1);
  ASSERT_TRUE(install_worker_heartbeat());
  unsetenv(kHeartbeatEnv);
  EXPECT_EQ(record.beats.load(), 1);  // install beats once

  const int64_t before = monotonic_ns();
  softcot::heartbeat();
  EXPECT_GE(record.last_beat_ns.load(), before);
  EXPECT_LE(record.last_beat_ns.load(), monotonic_ns());
  EXPECT_EQ(record.beats.load(), 2);

  note_sample_started(5, 2);
  EXPECT_EQ(record.current_sample.load(), 5);
  EXPECT_EQ(record.current_attempt.load(), 2);
  note_sample_committed(6);
  note_sample_committed(7);
  EXPECT_EQ(record.commits.load(), 2);
  EXPECT_EQ(record.committed_total.load(), 7);
  EXPECT_EQ(record.current_sample.load(), -1);

  uninstall_worker_heartbeat();
  const int64_t beats = record.beats.load();
  softcot::heartbeat();
  EXPECT_EQ(record.beats.load(), beats);
}

// The eval's worker threads beat and note samples at once while the supervisor reads the
// record (scripts/test.sh runs this under ThreadSanitizer): no beat or commit is lost.
TEST(Heartbeat, ManyThreadsBeatWhileTheSupervisorReads) {
  HeartbeatSegment segment;
  HeartbeatRecord& record = segment.record();
  setenv(kHeartbeatEnv, segment.name().c_str(), 1);
  ASSERT_TRUE(install_worker_heartbeat());
  unsetenv(kHeartbeatEnv);
  constexpr int kThreads = 4, kSamples = 500;
  std::atomic<bool> done{false};
  std::thread supervisor([&] {
    int64_t last_beats = 0;
    while (!done.load()) {
      const int64_t beats = record.beats.load();
      EXPECT_GE(beats, last_beats);
      last_beats = beats;
      EXPECT_GE(record.last_beat_ns.load(), 0);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([t] {
      for (int i = 0; i < kSamples; ++i) {
        note_sample_started(t * kSamples + i, 1);
        softcot::heartbeat();
        note_sample_committed(t * kSamples + i + 1);
      }
    });
  }
  for (auto& w : workers) w.join();
  done.store(true);
  supervisor.join();
  EXPECT_EQ(record.beats.load(), 1 + 3 * kThreads * kSamples);  // install beats once
  EXPECT_EQ(record.commits.load(), kThreads * kSamples);
  uninstall_worker_heartbeat();
}

TEST(Heartbeat, WithoutASupervisorNothingIsInstalled) {
  unsetenv(kHeartbeatEnv);
  EXPECT_FALSE(install_worker_heartbeat());
  EXPECT_FALSE(worker_heartbeat_installed());
  note_sample_started(1, 1);  // no-ops
  note_sample_committed(1);
}

TEST(Heartbeat, AMissingSegmentIsNotFatal) {
  setenv(kHeartbeatEnv, "softcot-hb-does-not-exist", 1);
  EXPECT_FALSE(install_worker_heartbeat());
  unsetenv(kHeartbeatEnv);
}

TEST(Heartbeat, SegmentIsRemovedWithItsOwner) {
  std::string name;
  {
    HeartbeatSegment segment;
    name = segment.name();
    EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + name));
  }
  EXPECT_FALSE(std::filesystem::exists("/dev/shm/" + name));
}

}  // namespace
}  // namespace softcot::supervise
