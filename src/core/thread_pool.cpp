#include "core/thread_pool.h"

#include <sched.h>

#include <algorithm>

namespace softcot {

namespace {
int g_default_threads = 0;
}

int ThreadPool::available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = available_cpus();
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

// Every worker checks in once per generation, so no worker can still be inside an
// old job when the next one resets the shared counter.
void ThreadPool::run_chunks(const Job& job) {
  for (;;) {
    const int64_t begin = next_.fetch_add(job.chunk);
    if (begin >= job.n) return;
    (*job.fn)(begin, std::min(job.n, begin + job.chunk));
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      job = job_;
    }
    run_chunks(job);
    {
      std::lock_guard lock(mutex_);
      if (++arrived_ == workers_.size()) done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  if (workers_.empty() || n <= grain) {
    fn(0, n);
    return;
  }
  // A few chunks per thread balance uneven work without much contention.
  const int64_t target_chunks = static_cast<int64_t>(size()) * 4;
  Job job{&fn, n, std::max(grain, (n + target_chunks - 1) / target_chunks)};
  {
    std::lock_guard lock(mutex_);
    job_ = job;
    next_.store(0);
    arrived_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  run_chunks(job);
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return arrived_ == workers_.size(); });
}

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool(g_default_threads);
  return pool;
}

void ThreadPool::set_default_threads(int threads) { g_default_threads = threads; }

}  // namespace softcot
