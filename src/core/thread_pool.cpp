#include "core/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <system_error>

#include "core/error.h"
#include "core/log.h"

namespace softcot {

namespace {
int g_default_threads = 0;

// cgroup v2: the quota of this process's cgroup and of every ancestor ("max" = none).
// Returns 0 when no quota applies or it cannot be read.
int cgroup_cpu_quota() {
  std::ifstream self("/proc/self/cgroup");
  std::string line, path;
  while (std::getline(self, line)) {
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  }
  if (path.empty()) return 0;
  int limit = 0;
  for (std::string dir = path;; dir = dir.substr(0, dir.rfind('/'))) {
    std::ifstream max_file("/sys/fs/cgroup" + dir + "/cpu.max");
    std::string quota;
    double period = 0;
    if (max_file >> quota >> period && quota != "max" && period > 0) {
      const int cpus = std::max(1, static_cast<int>(std::ceil(std::atof(quota.c_str()) / period)));
      limit = limit == 0 ? cpus : std::min(limit, cpus);
    }
    if (dir.empty() || dir == "/") break;
  }
  return limit;
}

int slurm_cpus_per_task() {
  const char* text = std::getenv("SLURM_CPUS_PER_TASK");
  int cpus = 0;
  if (text == nullptr) return 0;
  const char* end = text + std::char_traits<char>::length(text);
  const auto [stop, ec] = std::from_chars(text, end, cpus);
  return ec == std::errc() && stop == end && cpus > 0 ? cpus : 0;
}

}  // namespace

int ThreadPool::available_cpus() {
  int cpus = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = CPU_COUNT(&set);
  if (cpus <= 0) cpus = static_cast<int>(std::thread::hardware_concurrency());
  for (int limit : {cgroup_cpu_quota(), slurm_cpus_per_task()}) {
    if (limit > 0) cpus = cpus > 0 ? std::min(cpus, limit) : limit;
  }
  return std::max(1, cpus);
}

int ThreadPool::capped_threads(int requested) {
  const int cpus = available_cpus();
  if (requested <= 0) return cpus;
  if (requested > cpus) {
    // More threads than CPUs only adds contention; thousands starve the node.
    spdlog::warn("--threads {} is more than the {} CPU{} this process may use (affinity, cgroup quota, "
                 "SLURM_CPUS_PER_TASK): using {}",
                 requested, cpus, cpus == 1 ? "" : "s", cpus);
    return cpus;
  }
  return requested;
}

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = available_cpus();
  try {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  } catch (const std::system_error& e) {
    // The destructor does not run for a throwing constructor: stop and join the workers
    // already started here, or they would wait forever on a destroyed condition variable.
    const size_t started = workers_.size();
    stop_and_join();
    throw failure("thread pool", "cannot start thread " + std::to_string(started + 2) + " of " +
                                     std::to_string(threads) + " (" + e.code().message() +
                                     "; a pids.max or RLIMIT_NPROC limit?): lower --threads");
  }
}

ThreadPool::~ThreadPool() { stop_and_join(); }

void ThreadPool::stop_and_join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
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

void ThreadPool::set_default_threads(int threads) { g_default_threads = capped_threads(threads); }

}  // namespace softcot
