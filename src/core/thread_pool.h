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
  // threads <= 0 means one per online CPU (respecting the affinity mask Slurm sets).
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) over [0, n) split into contiguous chunks of at least `grain`
  // items; returns when every chunk is done. Not re-entrant: do not nest.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  // The process-wide pool; set_default_threads must come before the first use.
  static ThreadPool& instance();
  static void set_default_threads(int threads);

  static int available_cpus();

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn = nullptr;
    int64_t n = 0;
    int64_t chunk = 1;
  };
  void worker_loop();
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
