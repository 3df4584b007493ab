// The sample loop shared by softcot eval and the stand-in worker: what it commits, what it
// reports to the supervisor as progress, and which starts it takes back.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <new>
#include <set>

#include "core/error.h"
#include "core/interrupt.h"
#include "supervise/fault_injection.h"
#include "supervise/heartbeat.h"
#include "supervise/sample_loop.h"
#include "supervise/supervisor.h"

namespace softcot::supervise {
namespace {

// A store in memory that remembers the starts of each sample, as the checkpoint does.
class MemoryStore : public SampleStore {
 public:
  bool is_committed(int64_t idx) const override { return committed.count(idx) != 0; }
  int begin_sample(int64_t idx) override {
    begun = idx;
    return ++starts[idx];
  }
  void abandon_sample() override {
    if (begun >= 0) --starts[begun];
    begun = -1;
  }
  void commit(const SampleResult& r) override {
    committed[r.idx] = r;
    begun = -1;
  }
  int64_t committed_count() const override { return static_cast<int64_t>(committed.size()); }

  std::map<int64_t, int> starts;
  std::map<int64_t, SampleResult> committed;
  int64_t begun = -1;
};

SampleWork ok_work(std::vector<int64_t>* evaluated = nullptr) {
  SampleWork work;
  work.ground_truth_json = [](int64_t idx) { return std::to_string(idx); };
  work.evaluate = [evaluated](int64_t idx, int) {
    if (evaluated) evaluated->push_back(idx);
    SampleResult r;
    r.idx = idx;
    r.model_answer_json = std::to_string(idx);
    return r;
  };
  return work;
}

// Puts this test process in the worker's seat of a supervisor's heartbeat segment.
struct SupervisedWorker {
  SupervisedWorker() {
    setenv(kHeartbeatEnv, segment.name().c_str(), 1);
    install_worker_heartbeat();
  }
  ~SupervisedWorker() {
    uninstall_worker_heartbeat();
    unsetenv(kHeartbeatEnv);
  }
  HeartbeatSegment segment;
};

TEST(SampleLoop, AQuarantineCommitIsProgressForTheSupervisor) {
  SupervisedWorker worker;
  MemoryStore store;
  store.starts[3] = 3;  // sample 3 took the worker down three times
  std::vector<int64_t> evaluated;
  std::vector<bool> quarantines;
  SampleWork work = ok_work(&evaluated);
  work.on_result = [&](const SampleResult&, bool quarantined) { quarantines.push_back(quarantined); };
  ASSERT_EQ(run_sample_loop({3, 4}, &store, 3, work), LoopEnd::kFinished);
  EXPECT_EQ(quarantines, (std::vector<bool>{true, false}));
  EXPECT_EQ(store.committed.at(3).status, sample_status::kErrorGeneration);
  EXPECT_EQ(store.committed.at(3).attempts, 3);
  EXPECT_EQ(store.committed.at(3).ground_truth_json, "3");
  EXPECT_EQ(evaluated, std::vector<int64_t>{4});
  EXPECT_EQ(store.committed.at(4).attempts, 1);
  EXPECT_EQ(worker.segment.record().commits.load(), 2);  // the quarantine record counted
  EXPECT_EQ(worker.segment.record().committed_total.load(), 2);
}

TEST(SampleLoop, CommittedSamplesAreSkipped) {
  MemoryStore store;
  store.committed[1] = SampleResult{};
  std::vector<int64_t> evaluated;
  run_sample_loop({0, 1, 2}, &store, 3, ok_work(&evaluated));
  EXPECT_EQ(evaluated, (std::vector<int64_t>{0, 2}));
}

TEST(SampleLoop, WithoutAStoreNothingIsQuarantinedNorCountedAsProgress) {
  SupervisedWorker worker;
  setenv(kAttemptEnv, "7", 1);  // the supervisor's 7th attempt: far above max_sample_attempts
  std::vector<int64_t> evaluated;
  std::vector<std::string> statuses;
  SampleWork work = ok_work(&evaluated);
  work.on_result = [&](const SampleResult& r, bool quarantined) {
    EXPECT_FALSE(quarantined);
    statuses.push_back(r.status);
  };
  EXPECT_EQ(run_sample_loop({0, 1, 2}, nullptr, 3, work), LoopEnd::kFinished);
  unsetenv(kAttemptEnv);
  EXPECT_EQ(evaluated, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(statuses, std::vector<std::string>(3, sample_status::kSuccess));
  EXPECT_EQ(worker.segment.record().commits.load(), 0);
}

TEST(SampleLoop, AnErrorThatIsNotACrashTakesTheStartBack) {
  MemoryStore store;
  SampleWork work = ok_work();
  work.evaluate = [](int64_t, int) -> SampleResult { throw io_error("disk", "full"); };
  EXPECT_THROW(run_sample_loop({5}, &store, 3, work), Error);
  EXPECT_EQ(store.starts[5], 0);
  work.evaluate = [](int64_t, int) -> SampleResult { throw usage_error("bad flag"); };
  EXPECT_THROW(run_sample_loop({5}, &store, 3, work), Error);
  EXPECT_EQ(store.starts[5], 0);
}

TEST(SampleLoop, ACrashLikeErrorKeepsItsStart) {
  MemoryStore store;
  SampleWork work = ok_work();
  work.evaluate = [](int64_t, int) -> SampleResult { throw Error(ErrorKind::kCrashLike, "gpu", "sticky error"); };
  EXPECT_THROW(run_sample_loop({5}, &store, 3, work), Error);
  EXPECT_EQ(store.starts[5], 1);
  work.evaluate = [](int64_t, int) -> SampleResult { throw std::bad_alloc(); };
  EXPECT_THROW(run_sample_loop({5}, &store, 3, work), std::bad_alloc);
  EXPECT_EQ(store.starts[5], 2);
}

TEST(SampleLoop, AStopSignalAbandonsTheSampleInFlight) {
  MemoryStore store;
  SampleWork work = ok_work();
  work.evaluate = [](int64_t, int) -> SampleResult { throw Interrupted{}; };
  EXPECT_EQ(run_sample_loop({0, 1}, &store, 3, work), LoopEnd::kStopped);
  EXPECT_EQ(store.starts[0], 0);
  EXPECT_EQ(store.starts.count(1) ? store.starts[1] : 0, 0);
  EXPECT_TRUE(store.committed.empty());
}

}  // namespace
}  // namespace softcot::supervise
