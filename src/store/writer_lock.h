#pragma once
// One writer per checkpoint: a Boost.Interprocess file_lock on the sidecar
// "<checkpoint>.lock" (never the HDF5 file: fcntl locks drop when any descriptor of the
// locked file is closed, which HDF5 does freely). The lock file holds the owner's pid,
// host and Slurm job id, so a second writer fails at once and says who holds it. The
// kernel releases the lock when the holder dies, so a stale lock file is harmless.
#include <memory>
#include <string>

namespace softcot::store {

class WriterLock {
 public:
  // Throws io_error naming the holder ("locked by pid 123 on host n01, Slurm job 77"),
  // or io_error when the lock file cannot be created (e.g. a read-only directory).
  static WriterLock acquire(const std::string& checkpoint_file);

  WriterLock(WriterLock&&) noexcept;
  WriterLock& operator=(WriterLock&&) noexcept;
  ~WriterLock();
  void release();

 private:
  struct Held;
  explicit WriterLock(std::unique_ptr<Held> held);
  std::unique_ptr<Held> held_;
};

}  // namespace softcot::store
