#pragma once
// The one writer of a checkpoint file: a commit per sample, crash-safe under SIGKILL.
//
//   store::CheckpointHeader header{config_json, fingerprint, /*planned_samples=*/1319};
//   auto writer = store::CheckpointWriter::open_or_create(path, header);
//   for (int64_t idx : my_samples) {
//     if (writer.is_committed(idx)) continue;
//     int attempt = writer.begin_sample(idx);   // durable before generation starts
//     writer.commit(run_sample(idx, attempt));  // row + texts, flushed, then the count
//   }
//   writer.close();
//
// How it stays valid (docs/checkpointing.md): HDF5 SWMR-write mode with every object
// created before H5Fstart_swmr_write; rows and texts are flushed before the committed
// count; every row carries a CRC-32. A file is never reopened for writing: a restart
// reads the committed rows (SWMR read), writes them into a fresh file beside it and
// renames it over the old one, then appends. An exclusive sidecar lock keeps a second
// writer out.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "softcot/sample_result.h"
#include "store/checkpoint_reader.h"
#include "store/fingerprint.h"

namespace softcot::store {

struct CheckpointHeader {
  std::string run_config_json;  // the whole run configuration, stored as an attribute
  RunFingerprint fingerprint;   // what must match to resume
  int64_t planned_samples = 0;  // samples this file holds when done (N of n/N)
  int32_t shard_index = 0;
  int32_t shard_count = 1;
};

// always: fdatasync after every commit (survives a node crash; see docs/checkpointing.md
// for its measured cost); never: flushed to the OS only (survives the process's death).
enum class SyncPolicy { kAlways, kNever };
SyncPolicy parse_sync_policy(const std::string& text);  // "always" | "never", else usage_error
const char* to_string(SyncPolicy policy);

struct WriterOptions {
  SyncPolicy sync = SyncPolicy::kAlways;
  // An existing file that cannot be read at all (damage_of) is renamed beside itself,
  // "<file>.damaged-<UTC time>", never deleted, and a fresh file is started; off, such
  // a file is refused (bad_input) and left as it is.
  bool set_aside_unreadable = false;
};

// A file set aside by open_or_create (WriterOptions::set_aside_unreadable).
struct SetAsideFile {
  std::string moved_to;
  std::string reason;  // why it could not be read
};

class CheckpointWriter {
 public:
  // Creates the file, or resumes it: verifies the fingerprint and shard layout (a
  // mismatch is bad_input listing what changed), drops rows that fail their checksum
  // (they are simply run again, and a warning names each) and carries over the in-flight
  // record. An unreadable file is left untouched and reported (bad_input), or set aside
  // (WriterOptions::set_aside_unreadable). io_error for a lock held elsewhere, a
  // read-only directory or a full disk.
  static CheckpointWriter open_or_create(const std::string& path, const CheckpointHeader& header,
                                         const WriterOptions& options = {});
  CheckpointWriter(CheckpointWriter&&) noexcept;
  CheckpointWriter& operator=(CheckpointWriter&&) noexcept;
  ~CheckpointWriter();  // closes; errors are logged, call close() to see them

  const std::string& path() const;
  const std::set<int64_t>& committed_ids() const;
  bool is_committed(int64_t idx) const;
  int64_t dropped_damaged_rows() const;  // on resume: rows that failed their checksum
  // The unreadable file this open set aside, if it did.
  const std::optional<SetAsideFile>& set_aside() const;
  // The sample begun but not committed when the previous writer stopped (idx -1 if none).
  const InFlight& in_flight() const;

  // Records (flushed: survives the process's death) that `idx` is starting and returns its attempt number: 1, or one
  // more than the recorded attempt when the last writer died on this same sample.
  int32_t begin_sample(int64_t idx);
  // The sample begun last was stopped by a stop signal (preemption), not by a crash:
  // its attempt is taken back, so preemptions never lead to a quarantine.
  void abandon_sample();
  // Appends the sample; when this returns, it survives the death of the process (and of
  // the node with SyncPolicy::kAlways). Throws io_error (e.g. disk full): the samples
  // committed before stay intact and this writer refuses further commits.
  void commit(const SampleResult& result);
  void close();  // flush, sync, close, release the lock; quick (no rewriting)

 private:
  struct Impl;
  explicit CheckpointWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The record of a sample given up after `attempts` crashed attempts (last signal
// `crash_signal`): status error_generation, no responses.
// Renames an unreadable checkpoint (damage_of) beside itself under its writer lock
// (io_error if another writer holds it); nullopt when the file reads or is missing.
std::optional<SetAsideFile> set_aside_if_unreadable(const std::string& path);

SampleResult quarantined_result(int64_t idx, int32_t attempts, int32_t crash_signal,
                                const std::string& ground_truth_json);

}  // namespace softcot::store
