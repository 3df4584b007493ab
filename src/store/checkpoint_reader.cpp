#include "store/checkpoint_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "store/h5_handle.h"

namespace softcot::store {

using h5::check;
using h5::Handle;

namespace {

constexpr ErrorKind kBad = ErrorKind::kBadInput;

Handle open_dataset(hid_t file, const char* name, const std::string& path) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    throw bad_input(path, std::string("is not a softcot checkpoint (dataset '") + name + "' is missing)");
  }
  return Handle(check(H5Dopen2(file, name, H5P_DEFAULT), kBad, path, std::string("cannot open dataset ") + name),
                H5Dclose);
}

uint64_t extent_of(hid_t dataset) {
  H5Drefresh(dataset);  // a SWMR reader sees the writer's appends only after a refresh
  Handle space(H5Dget_space(dataset), H5Sclose);
  hsize_t size = 0;
  if (H5Sget_simple_extent_ndims(space.get()) != 1) return 0;
  H5Sget_simple_extent_dims(space.get(), &size, nullptr);
  return size;
}

// Reads elements [first, first + count) of a 1-D dataset.
void read_range(hid_t dataset, hid_t memtype, uint64_t first, uint64_t count, void* out,
                const std::string& path, const char* name) {
  if (count == 0) return;
  Handle file_space(H5Dget_space(dataset), H5Sclose);
  const hsize_t start = first, n = count;
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  check(H5Dread(dataset, memtype, mem_space.get(), file_space.get(), H5P_DEFAULT, out), kBad, path,
        std::string("cannot read ") + name);
}

// Checked before H5Fopen so that random bytes get a plain answer. (H5Fis_accessible
// would also refuse a file whose SWMR writer is running.)
constexpr unsigned kMetadataReadAttempts = 30;

// The start of the error for a file of another schema version: readable, not damaged.
const std::string kOtherSchemaVersion = "checkpoint schema version ";

bool starts_with_hdf5_signature(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad_input(path, errno_text("cannot open"));
  char head[8] = {};
  in.read(head, sizeof(head));
  return in.gcount() == 8 && std::memcmp(head, "\x89HDF\r\n\x1a\n", 8) == 0;
}

}  // namespace

struct CheckpointReader::Impl {
  CheckpointInfo info;
  Handle file;
  Handle samples, responses, text, committed, in_flight;
  Handle sample_type{schema::sample_row_type(), H5Tclose};
  Handle response_type{schema::response_row_type(), H5Tclose};
  Handle in_flight_type{schema::in_flight_row_type(), H5Tclose};
};

CheckpointReader::CheckpointReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CheckpointReader::CheckpointReader(CheckpointReader&&) noexcept = default;
CheckpointReader& CheckpointReader::operator=(CheckpointReader&&) noexcept = default;
CheckpointReader::~CheckpointReader() = default;

CheckpointReader CheckpointReader::open(const std::string& path) {
  h5::quiet_library_errors();
  auto impl = std::make_unique<Impl>();
  impl->info.path = path;
  if (!starts_with_hdf5_signature(path)) {
    throw bad_input(path, "is not an HDF5 file (truncated, overwritten or not a checkpoint); "
                          "move it aside or use a new --run_name");
  }
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  // Cluster file systems mounted without locks (some NFS, Lustre) would refuse the open;
  // exclusivity comes from our sidecar lock anyway.
  H5Pset_file_locking(fapl.get(), true, /*ignore_when_disabled=*/true);
  // A SWMR reader retries a metadata read that fails its checksum (the writer may be
  // rewriting it), sleeping 1, 2, 4 ... ns between tries. HDF5's default of 100 tries
  // makes a damaged file (cut to its first KiB, say) look like a hang for hours; 30 tries
  // give a live writer about a second, then the damage is reported.
  H5Pset_metadata_read_attempts(fapl.get(), kMetadataReadAttempts);
  impl->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get()), H5Fclose);
  if (!impl->file) {
    throw bad_input(path, "cannot be opened as a checkpoint (" + h5::last_library_reason() +
                              "); move it aside or use a new --run_name");
  }
  const hid_t f = impl->file.get();
  CheckpointInfo& info = impl->info;
  info.schema_version = h5::read_int_attribute(f, "schema_version", path);
  if (info.schema_version != schema::kSchemaVersion) {
    throw bad_input(path, kOtherSchemaVersion + std::to_string(info.schema_version) +
                              " is not the supported version " + std::to_string(schema::kSchemaVersion) +
                              " (written by another softcot version: read it with that version, or use a "
                              "new --run_name)");
  }
  info.software_version = h5::read_text_attribute(f, "software_version", path);
  info.run_config_json = h5::read_text_attribute(f, "run_config_json", path);
  info.fingerprint = RunFingerprint::from_json(h5::read_text_attribute(f, "fingerprint_json", path), path);
  info.planned_samples = h5::read_int_attribute(f, "planned_samples", path);
  info.shard_index = h5::read_int_attribute(f, "shard_index", path);
  info.shard_count = h5::read_int_attribute(f, "shard_count", path);
  info.created_unix_ms = h5::read_int_attribute(f, "created_unix_ms", path);
  info.writer_starts = h5::read_int_attribute(f, "writer_starts", path);
  impl->samples = open_dataset(f, schema::kSamples, path);
  impl->responses = open_dataset(f, schema::kResponses, path);
  impl->text = open_dataset(f, schema::kText, path);
  impl->committed = open_dataset(f, schema::kCommitted, path);
  impl->in_flight = open_dataset(f, schema::kInFlight, path);
  return CheckpointReader(std::move(impl));
}

const CheckpointInfo& CheckpointReader::info() const { return impl_->info; }

int64_t CheckpointReader::committed_count() const {
  int64_t count = 0;
  H5Drefresh(impl_->committed.get());
  check(H5Dread(impl_->committed.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &count), kBad,
        impl_->info.path, "cannot read the committed count");
  const uint64_t rows = extent_of(impl_->samples.get());
  if (count < 0 || static_cast<uint64_t>(count) > rows) {
    throw bad_input(impl_->info.path, "committed count " + std::to_string(count) + " exceeds the " +
                                          std::to_string(rows) + " sample rows");
  }
  return count;
}

InFlight CheckpointReader::in_flight() const {
  schema::InFlightRow row{};
  H5Drefresh(impl_->in_flight.get());
  check(H5Dread(impl_->in_flight.get(), impl_->in_flight_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &row),
        kBad, impl_->info.path, "cannot read the in-flight record");
  return InFlight{row.idx, row.attempt, row.pid, row.started_unix_ms,
                  schema::fixed_text(row.host, schema::kHostBytes)};
}

std::vector<StoredRecord> CheckpointReader::records(DamagedRows damaged, int64_t* skipped,
                                                   std::vector<std::string>* reasons) const {
  const std::string& path = impl_->info.path;
  // The count first: everything it covers was flushed before it was written.
  const int64_t count = committed_count();
  std::vector<schema::SampleRow> rows(count);
  read_range(impl_->samples.get(), impl_->sample_type.get(), 0, count, rows.data(), path, "samples");

  uint64_t responses_end = 0, text_end = 0;
  for (const auto& row : rows) {
    responses_end = std::max<uint64_t>(responses_end, row.response_first + row.response_count);
    uint64_t end = row.text_offset + row.ground_truth_length + row.model_answer_length + row.error_length;
    text_end = std::max(text_end, end);
  }
  // Damaged rows can claim absurd sizes; never read past what the datasets hold.
  responses_end = std::min(responses_end, extent_of(impl_->responses.get()));
  std::vector<schema::ResponseRow> responses(responses_end);
  read_range(impl_->responses.get(), impl_->response_type.get(), 0, responses_end, responses.data(), path,
             "responses");
  for (const auto& r : responses) text_end = std::max<uint64_t>(text_end, r.text_offset + r.text_length + r.answer_length);
  text_end = std::min(text_end, extent_of(impl_->text.get()));
  std::string text(text_end, '\0');
  read_range(impl_->text.get(), H5T_NATIVE_UINT8, 0, text_end, text.data(), path, "text");

  std::vector<StoredRecord> out;
  out.reserve(count);
  int64_t bad = 0;
  for (int64_t i = 0; i < count; ++i) {
    const auto& row = rows[i];
    try {
      const auto span = schema::locate(row, responses, text, path, i);
      out.push_back(schema::decode(row, span.responses, span.text, path, i));
    } catch (const Error& e) {
      if (damaged == DamagedRows::kRefuse) throw;
      ++bad;
      if (reasons != nullptr) reasons->push_back(e.what());
    }
  }
  if (skipped != nullptr) *skipped = bad;
  return out;
}

CheckpointStatistics compute_statistics(const std::vector<StoredRecord>& records, int64_t planned) {
  CheckpointStatistics s;
  s.committed = static_cast<int64_t>(records.size());
  s.planned = planned;
  for (const auto& record : records) {
    const auto& r = record.result;
    s.correct += r.is_correct ? 1 : 0;
    s.total_attempts += r.attempts;
    s.retried_samples += r.attempts > 1 ? 1 : 0;
    s.errors += r.status != sample_status::kSuccess ? 1 : 0;
    s.quarantined += (r.status == sample_status::kErrorGeneration && r.crash_signal != 0) ? 1 : 0;
    s.last_update_unix_ms = std::max(s.last_update_unix_ms, record.committed_unix_ms);
  }
  if (s.committed > 0) s.accuracy = static_cast<double>(s.correct) / static_cast<double>(s.committed);
  // Rate over the newest writer's last commits (up to 50), so restarts do not dilute it.
  const size_t n = records.size();
  size_t first = n > 0 ? n - 1 : 0;
  while (first > 0 && n - first < 50 && records[first - 1].writer.pid == records[n - 1].writer.pid &&
         records[first - 1].writer.host == records[n - 1].writer.host) {
    --first;
  }
  if (n >= 2 && first < n - 1) {
    const double seconds = (records[n - 1].committed_unix_ms - records[first].committed_unix_ms) / 1000.0;
    if (seconds > 0) s.samples_per_second = static_cast<double>(n - 1 - first) / seconds;
  }
  if (s.committed >= s.planned) s.eta_seconds = 0;
  else if (s.samples_per_second > 0) s.eta_seconds = static_cast<double>(s.planned - s.committed) / s.samples_per_second;
  return s;
}

CheckpointStatistics CheckpointReader::statistics() const {
  int64_t damaged = 0;
  CheckpointStatistics s = compute_statistics(records(DamagedRows::kSkip, &damaged), impl_->info.planned_samples);
  s.damaged_rows = damaged;
  s.in_flight = in_flight();
  return s;
}

std::optional<std::string> damage_of(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) throw io_error(path, errno_text("cannot read"));
  try {
    auto reader = CheckpointReader::open(path);
    reader.records(DamagedRows::kSkip);
    reader.in_flight();
    return std::nullopt;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kBadInput || e.reason().rfind(kOtherSchemaVersion, 0) == 0) throw;
    return e.reason();
  }
}

std::vector<StoredRecord> read_merged(const std::vector<std::string>& files) {
  std::vector<StoredRecord> all;
  std::map<int64_t, std::string> seen;  // idx -> file, to name both files of a duplicate
  std::optional<RunFingerprint> fingerprint;
  std::string first_file;
  for (const auto& file : files) {
    auto reader = CheckpointReader::open(file);
    if (!fingerprint) {
      fingerprint = reader.info().fingerprint;
      first_file = file;
    } else if (!(reader.info().fingerprint == *fingerprint)) {
      throw bad_input(file, "belongs to another run than " + first_file + " (" +
                                describe_changes(*fingerprint, reader.info().fingerprint) + ")");
    }
    std::vector<std::string> damaged;
    auto records = reader.records(DamagedRows::kSkip, nullptr, &damaged);
    for (const auto& reason : damaged) spdlog::warn("{} (left out)", reason);
    for (auto& record : records) {
      auto [it, inserted] = seen.emplace(record.result.idx, file);
      if (!inserted) {
        throw bad_input(file, "sample " + std::to_string(record.result.idx) + " is also committed in " + it->second);
      }
      all.push_back(std::move(record));
    }
  }
  std::sort(all.begin(), all.end(),
            [](const StoredRecord& a, const StoredRecord& b) { return a.result.idx < b.result.idx; });
  return all;
}

std::set<int64_t> committed_ids(const std::vector<std::string>& files) {
  std::set<int64_t> ids;
  for (const auto& file : files) {
    for (const auto& record : CheckpointReader::open(file).records(DamagedRows::kSkip)) ids.insert(record.result.idx);
  }
  return ids;
}

}  // namespace softcot::store
