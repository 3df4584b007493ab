#pragma once
// Reading checkpoints, also while their writer is running (HDF5 SWMR read): the
// counterpart of the reference's CheckpointManager.load_checkpoint() / get_statistics().
//
//   auto reader = store::CheckpointReader::open("checkpoints/run/gsm8k_seed42_shard0-of-1.h5");
//   for (const auto& record : reader.records()) use(record.result);
//   auto stats = reader.statistics();   // n/N, accuracy, samples/s, ETA, ...
//
// For several shard files of one run: read_merged(files) and committed_ids(files).
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/fingerprint.h"
#include "store/schema.h"

namespace softcot::store {

using schema::StoredRecord;

struct CheckpointInfo {
  std::string path;
  int64_t schema_version = 0;
  std::string software_version;
  std::string run_config_json;
  RunFingerprint fingerprint;
  int64_t planned_samples = 0;  // samples this file will hold when done (N of n/N)
  int64_t shard_index = 0;
  int64_t shard_count = 1;
  int64_t created_unix_ms = 0;  // when the run first started
  int64_t writer_starts = 0;    // 1 + number of restarts
};

// The sample a worker began and has not committed yet (crash attribution).
struct InFlight {
  int64_t idx = -1;  // -1: none recorded
  int32_t attempt = 0;
  int32_t pid = 0;
  int64_t started_unix_ms = 0;
  std::string host;
};

struct CheckpointStatistics {
  int64_t committed = 0;
  int64_t planned = 0;
  int64_t correct = 0;
  double accuracy = 0;            // correct / committed (0 when none)
  double samples_per_second = 0;  // over the last commits of the newest writer; 0 when unknown
  double eta_seconds = -1;        // -1 when unknown
  int64_t total_attempts = 0;     // sum of attempts over committed samples
  int64_t retried_samples = 0;    // committed samples that needed more than one attempt
  int64_t quarantined = 0;        // error_generation after crashes (crash_signal != 0)
  int64_t errors = 0;             // any status other than success
  int64_t last_update_unix_ms = 0;
  int64_t damaged_rows = 0;       // committed rows failing their checksum (left out above)
  InFlight in_flight;
};

enum class DamagedRows { kRefuse, kSkip };

class CheckpointReader {
 public:
  // Throws bad_input naming the file when it is not a readable softcot checkpoint.
  static CheckpointReader open(const std::string& path);
  CheckpointReader(CheckpointReader&&) noexcept;
  CheckpointReader& operator=(CheckpointReader&&) noexcept;
  ~CheckpointReader();

  const CheckpointInfo& info() const;
  int64_t committed_count() const;
  // Committed records in commit order. kRefuse: a row failing its checksum is a
  // bad_input error; kSkip: such rows are left out, counted in *skipped and described
  // in *reasons ("FILE: row 2 (sample 2) fails its checksum").
  std::vector<StoredRecord> records(DamagedRows damaged = DamagedRows::kRefuse, int64_t* skipped = nullptr,
                                    std::vector<std::string>* reasons = nullptr) const;
  InFlight in_flight() const;
  CheckpointStatistics statistics() const;

 private:
  struct Impl;
  explicit CheckpointReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

CheckpointStatistics compute_statistics(const std::vector<StoredRecord>& records, int64_t planned);

// Why `path` cannot be read as a checkpoint at all (not HDF5, cut short, a dataset or
// attribute missing or unreadable), or nullopt when its header and rows read (rows
// failing their checksum do not count: they are dropped one by one). A file of another
// schema version is not damaged (it throws bad_input as open() does), nor is one this
// process may not read (io_error).
std::optional<std::string> damage_of(const std::string& path);

// Records of several files of one run (e.g. its shards) sorted by sample idx. Throws
// bad_input when the files belong to different runs (fingerprints differ) or one sample
// appears twice. Rows failing their checksum are left out with a warning naming them
// (after a crash their samples are committed again, often in another file).
std::vector<StoredRecord> read_merged(const std::vector<std::string>& files);
// The samples committed in `files`, rows failing their checksum left out.
std::set<int64_t> committed_ids(const std::vector<std::string>& files);

}  // namespace softcot::store
