#include "store/writer_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/interprocess/sync/file_lock.hpp>
#include <mutex>
#include <set>

#include "core/error.h"
#include "store/checkpoint_path.h"
#include "store/schema.h"

namespace softcot::store {

namespace {
// fcntl locks do not exclude a second writer in the same process; this set does.
std::mutex g_held_mutex;
std::set<std::string> g_held_paths;

std::string read_holder(int fd) {
  char buffer[512] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string text = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "another process" : text;
}
}  // namespace

struct WriterLock::Held {
  std::string lock_path;
  int fd = -1;  // kept open while locked: closing any descriptor would drop the fcntl lock
  boost::interprocess::file_lock lock;
};

WriterLock::WriterLock(std::unique_ptr<Held> held) : held_(std::move(held)) {}
WriterLock::WriterLock(WriterLock&&) noexcept = default;
WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    release();
    held_ = std::move(other.held_);
  }
  return *this;
}
WriterLock::~WriterLock() { release(); }

WriterLock WriterLock::acquire(const std::string& checkpoint_file) {
  auto held = std::make_unique<Held>();
  held->lock_path = lock_path_for(checkpoint_file);
  const std::string& path = held->lock_path;
  held->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (held->fd < 0) throw io_error(path, errno_text("cannot create the writer lock file"));
  auto refuse = [&](const std::string& holder) {
    ::close(held->fd);
    return io_error(checkpoint_file, "already being written: locked by " + holder + " (" + path +
                                         "); wait for it to finish or stop it first");
  };
  {
    std::lock_guard<std::mutex> guard(g_held_mutex);
    if (g_held_paths.count(path)) throw refuse(read_holder(held->fd));
    try {
      held->lock = boost::interprocess::file_lock(path.c_str());
      if (!held->lock.try_lock()) throw refuse(read_holder(held->fd));
    } catch (const boost::interprocess::interprocess_exception& e) {
      ::close(held->fd);
      throw io_error(path, std::string("cannot lock: ") + e.what());
    }
    g_held_paths.insert(path);
  }
  const auto me = schema::WriterIdentity::of_this_process();
  const std::string holder = "pid " + std::to_string(me.pid) + " on host " + me.host +
                             ", Slurm job " + (me.slurm_job_id.empty() ? "none" : me.slurm_job_id) + "\n";
  if (ftruncate(held->fd, 0) != 0 ||
      pwrite(held->fd, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size())) {
    // Only the note is missing; the lock itself is held, so carry on.
  }
  return WriterLock(std::move(held));
}

void WriterLock::release() {
  if (!held_) return;
  {
    std::lock_guard<std::mutex> guard(g_held_mutex);
    g_held_paths.erase(held_->lock_path);
  }
  if (ftruncate(held_->fd, 0) != 0) {
    // A stale note is harmless: the kernel lock is what excludes writers.
  }
  try {
    held_->lock.unlock();
  } catch (...) {
  }
  ::close(held_->fd);
  held_.reset();
}

}  // namespace softcot::store
