#include "supervise/heartbeat.h"

#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cstdlib>
#include <ctime>
#include <new>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace softcot::supervise {

namespace bip = boost::interprocess;

void HeartbeatRecord::reset() {
  last_beat_ns.store(0);
  beats.store(0);
  current_sample.store(-1);
  current_attempt.store(0);
  commits.store(0);
  committed_total.store(-1);
}

int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// ---- supervisor side ----

struct HeartbeatSegment::Impl {
  bip::shared_memory_object shm;
  bip::mapped_region region;
};

HeartbeatSegment::HeartbeatSegment() {
  // pid + monotonic time: unique on this node even for several supervisors per job.
  name_ = "softcot-hb-" + std::to_string(::getpid()) + "-" + std::to_string(monotonic_ns());
  try {
    impl_ = std::make_unique<Impl>();
    impl_->shm = bip::shared_memory_object(bip::create_only, name_.c_str(), bip::read_write);
    impl_->shm.truncate(sizeof(HeartbeatRecord));
    impl_->region = bip::mapped_region(impl_->shm, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    bip::shared_memory_object::remove(name_.c_str());
    throw io_error("/dev/shm/" + name_, std::string("cannot create the heartbeat segment: ") + e.what());
  }
  new (impl_->region.get_address()) HeartbeatRecord();
}

HeartbeatSegment::~HeartbeatSegment() {
  impl_.reset();
  bip::shared_memory_object::remove(name_.c_str());
}

HeartbeatRecord& HeartbeatSegment::record() {
  return *static_cast<HeartbeatRecord*>(impl_->region.get_address());
}

// ---- worker side ----

namespace {
bip::mapped_region* g_worker_region = nullptr;
std::atomic<HeartbeatRecord*> g_worker_record{nullptr};

void beat() {
  if (HeartbeatRecord* r = g_worker_record.load(std::memory_order_relaxed)) {
    r->last_beat_ns.store(monotonic_ns(), std::memory_order_relaxed);
    r->beats.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace

bool install_worker_heartbeat() {
  if (g_worker_record.load() != nullptr) return true;
  const char* name = std::getenv(kHeartbeatEnv);
  if (name == nullptr || *name == '\0') return false;
  try {
    bip::shared_memory_object shm(bip::open_only, name, bip::read_write);
    auto region = std::make_unique<bip::mapped_region>(shm, bip::read_write);
    if (region->get_size() < sizeof(HeartbeatRecord)) {
      spdlog::warn("{}={}: the segment is too small; running without a watchdog", kHeartbeatEnv, name);
      return false;
    }
    auto* record = static_cast<HeartbeatRecord*>(region->get_address());
    if (record->magic.load() != HeartbeatRecord::kMagic) {
      spdlog::warn("{}={}: not a softcot heartbeat segment; running without a watchdog",
                   kHeartbeatEnv, name);
      return false;
    }
    g_worker_region = region.release();
    g_worker_record.store(record);
  } catch (const bip::interprocess_exception& e) {
    spdlog::warn("{}={}: cannot open the heartbeat segment ({}); running without a watchdog",
                 kHeartbeatEnv, name, e.what());
    return false;
  }
  softcot::set_heartbeat(&beat);
  beat();
  return true;
}

bool worker_heartbeat_installed() { return g_worker_record.load() != nullptr; }

void uninstall_worker_heartbeat() {
  softcot::set_heartbeat(nullptr);
  g_worker_record.store(nullptr);
  delete g_worker_region;
  g_worker_region = nullptr;
}

void note_sample_started(int64_t sample_idx, int attempt) {
  if (HeartbeatRecord* r = g_worker_record.load(std::memory_order_relaxed)) {
    r->current_attempt.store(attempt, std::memory_order_relaxed);
    r->current_sample.store(sample_idx, std::memory_order_relaxed);
    beat();
  }
}

void note_sample_committed(int64_t committed_total) {
  if (HeartbeatRecord* r = g_worker_record.load(std::memory_order_relaxed)) {
    r->commits.fetch_add(1, std::memory_order_relaxed);
    r->committed_total.store(committed_total, std::memory_order_relaxed);
    r->current_sample.store(-1, std::memory_order_relaxed);
    beat();
  }
}

}  // namespace softcot::supervise
