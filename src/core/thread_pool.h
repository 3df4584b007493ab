#pragma once
// A fixed pool of worker threads for data-parallel loops (matmuls, attention heads).
// The calling thread works too, so a pool of size 1 runs everything inline.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace softcot {

class ThreadPool {
 public:
  // threads <= 0 means one per usable CPU (available_cpus()). A thread that cannot start
  // (pids.max, RLIMIT_NPROC) throws Error after the started ones are joined: never a hang.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) over [0, n) split into contiguous chunks of at least `grain`
  // items; returns when every chunk is done. Not re-entrant: do not nest.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  // The process-wide pool; set_default_threads must come before the first use. It takes
  // the user's --threads through capped_threads.
  static ThreadPool& instance();
  static void set_default_threads(int threads);

  // The CPUs this process may use: the affinity mask, bounded by the cgroup v2 cpu.max
  // quota (this cgroup and its ancestors) and SLURM_CPUS_PER_TASK.
  static int available_cpus();
  // `requested` (<= 0: all usable CPUs) capped at available_cpus(), with a warning when
  // it was above: thousands of threads on a few CPUs starve the node.
  static int capped_threads(int requested);

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn = nullptr;
    int64_t n = 0;
    int64_t chunk = 1;
  };
  void worker_loop();
  void stop_and_join();
  void run_chunks(const Job& job);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  Job job_;
  std::atomic<int64_t> next_{0};
  size_t arrived_ = 0;  // workers done with the current generation
  uint64_t generation_ = 0;
  bool stopping_ = false;
};

}  // namespace softcot
