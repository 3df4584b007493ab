#pragma once
// The worker's liveness and progress, seen by its supervisor through a small named
// Boost.Interprocess shared-memory segment. The supervisor creates it and passes its name
// in SOFTCOT_HEARTBEAT; the worker maps it (install_worker_heartbeat) and stores, lock-free:
// the time of its last beat (CLOCK_MONOTONIC, comparable across processes), the sample it
// is on, and how many samples it committed in this attempt (the retry budget's progress).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace softcot::supervise {

inline constexpr const char* kHeartbeatEnv = "SOFTCOT_HEARTBEAT";

struct HeartbeatRecord {
  static constexpr uint64_t kMagic = 0x31627468746f6373ULL;  // "scothtb1": layout version 1

  std::atomic<uint64_t> magic{kMagic};
  std::atomic<int64_t> last_beat_ns{0};      // 0 = no beat yet in this attempt
  std::atomic<int64_t> beats{0};
  std::atomic<int64_t> current_sample{-1};   // -1 = between samples / not started
  std::atomic<int32_t> current_attempt{0};   // the store's attempt number for that sample
  std::atomic<int64_t> commits{0};           // samples committed in this attempt
  std::atomic<int64_t> committed_total{-1};  // the store's committed count, -1 = unknown

  void reset();
};
static_assert(std::atomic<int64_t>::is_always_lock_free, "the record is shared between processes");

// CLOCK_MONOTONIC in nanoseconds.
int64_t monotonic_ns();

// Supervisor side: creates a uniquely named segment and removes it when destroyed.
class HeartbeatSegment {
 public:
  HeartbeatSegment();
  ~HeartbeatSegment();
  HeartbeatSegment(const HeartbeatSegment&) = delete;
  HeartbeatSegment& operator=(const HeartbeatSegment&) = delete;

  const std::string& name() const { return name_; }
  HeartbeatRecord& record();

 private:
  struct Impl;
  std::string name_;
  std::unique_ptr<Impl> impl_;
};

// Worker side. Maps $SOFTCOT_HEARTBEAT when set, installs softcot::set_heartbeat with a
// beat that stores the time, and beats once. Returns false (and does nothing) when no
// supervisor is watching; a named segment that cannot be opened is logged, not fatal.
bool install_worker_heartbeat();
bool worker_heartbeat_installed();
// Unmaps the segment and uninstalls the beat (for tests; a worker just exits).
void uninstall_worker_heartbeat();

// Called by the sample loop; no-ops without a supervisor. Both also beat.
void note_sample_started(int64_t sample_idx, int attempt);
void note_sample_committed(int64_t committed_total);

}  // namespace softcot::supervise
