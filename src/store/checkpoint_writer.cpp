#include "store/checkpoint_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "store/checkpoint_path.h"
#include "store/h5_handle.h"
#include "store/schema.h"
#include "store/writer_lock.h"

namespace softcot::store {

namespace fs = std::filesystem;
using h5::check;
using h5::Handle;

namespace {

constexpr ErrorKind kIo = ErrorKind::kIo;

// Chunk sizes: a commit rewrites the last chunk of each dataset, so they stay small.
constexpr hsize_t kSampleChunkRows = 16;
constexpr hsize_t kResponseChunkRows = 128;
constexpr hsize_t kTextChunkBytes = 8192;

Handle create_extensible(hid_t file, const char* name, hid_t memtype, hsize_t chunk, const std::string& path) {
  // The file type is the memory type, padding included: a packed file type would make
  // every write convert through a freshly zeroed 1 MiB buffer (half of a commit's cost).
  const hid_t file_type = memtype;
  const hsize_t initial = 0, unlimited = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &initial, &unlimited), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  return Handle(check(H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                      kIo, path, std::string("cannot create dataset ") + name),
                H5Dclose);
}

Handle create_single(hid_t file, const char* name, hid_t memtype, const void* initial, const std::string& path) {
  const hid_t file_type = memtype;
  const hsize_t one = 1;
  Handle space(H5Screate_simple(1, &one, nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY);  // no allocation after SWMR starts
  Handle dataset(check(H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                       kIo, path, std::string("cannot create dataset ") + name),
                 H5Dclose);
  check(H5Dwrite(dataset.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, initial), kIo, path,
        std::string("cannot write ") + name);
  return dataset;
}

void sync_directory_of(const std::string& path) {
  const auto dir = fs::path(path).parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);  // makes the rename durable; best effort (some file systems refuse)
    ::close(fd);
  }
}

// "<file>.damaged-20261202T071500Z" (".2", ".3"... if taken): no longer *.h5, so no
// reader discovers it again.
std::string aside_name_for(const std::string& path) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  const std::string base = path + ".damaged-" + stamp;
  std::string name = base;
  for (int n = 2; fs::exists(name); ++n) name = base + "." + std::to_string(n);
  return name;
}

// The caller holds the writer lock of `path`.
std::optional<SetAsideFile> set_aside_locked(const std::string& path) {
  if (!fs::exists(path)) return std::nullopt;
  auto reason = damage_of(path);
  if (!reason) return std::nullopt;
  SetAsideFile aside{aside_name_for(path), *reason};
  if (std::rename(path.c_str(), aside.moved_to.c_str()) != 0) {
    throw io_error(path, "cannot be read (" + *reason + ") nor set aside: " + errno_text("rename"));
  }
  sync_directory_of(path);
  return aside;
}

}  // namespace

std::optional<SetAsideFile> set_aside_if_unreadable(const std::string& path) {
  if (!fs::exists(path)) return std::nullopt;
  auto lock = WriterLock::acquire(path);
  return set_aside_locked(path);
}

SyncPolicy parse_sync_policy(const std::string& text) {
  if (text == "always") return SyncPolicy::kAlways;
  if (text == "never") return SyncPolicy::kNever;
  throw usage_error("--checkpoint_sync must be 'always' or 'never' (got '" + text + "')");
}

const char* to_string(SyncPolicy policy) { return policy == SyncPolicy::kAlways ? "always" : "never"; }

SampleResult quarantined_result(int64_t idx, int32_t attempts, int32_t crash_signal,
                                const std::string& ground_truth_json) {
  SampleResult r;
  r.idx = idx;
  r.status = sample_status::kErrorGeneration;
  r.ground_truth_json = ground_truth_json;
  r.attempts = attempts;
  r.crash_signal = crash_signal;
  r.error_message = "quarantined after " + std::to_string(attempts) + " crashed attempts (last signal " +
                    std::to_string(crash_signal) + ")";
  return r;
}

struct CheckpointWriter::Impl {
  std::string path;
  WriterOptions options;
  std::optional<WriterLock> lock;
  schema::WriterIdentity identity = schema::WriterIdentity::of_this_process();
  Handle sample_type{schema::sample_row_type(), H5Tclose};
  Handle response_type{schema::response_row_type(), H5Tclose};
  Handle in_flight_type{schema::in_flight_row_type(), H5Tclose};
  Handle file, samples, responses, text, committed, in_flight_dataset;
  int fd = -1;
  uint64_t rows = 0, response_rows = 0, text_bytes = 0;
  std::set<int64_t> ids;
  InFlight previous_in_flight;
  schema::InFlightRow in_flight_row{};
  int64_t dropped = 0;
  std::optional<SetAsideFile> set_aside;
  bool failed = false;
  bool closed = false;

  void create(const std::string& file_path, const CheckpointHeader& header, int64_t created_ms, int64_t starts);
  void append(hid_t dataset, hid_t type, uint64_t first, uint64_t count, const void* data, const char* what);
  void append_sample(const schema::EncodedSample& sample);
  void write_committed_count(int64_t count) {
    check(H5Dwrite(committed.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &count), kIo, path,
          "cannot write the committed count");
  }
  void write_in_flight() {
    check(H5Dwrite(in_flight_dataset.get(), in_flight_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &in_flight_row),
          kIo, path, "cannot write the in-flight record");
  }
  void flush() { check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), kIo, path, "cannot flush"); }
  void sync() {
    if (::fdatasync(fd) != 0) throw io_error(path, errno_text("fdatasync"));
  }
  void ensure_writable() const {
    if (closed) throw failure(path, "the checkpoint writer is closed");
    if (failed) throw failure(path, "the checkpoint writer stopped after an earlier write error");
  }
};

void CheckpointWriter::Impl::append(hid_t dataset, hid_t type, uint64_t first, uint64_t count, const void* data,
                                    const char* what) {
  if (count == 0) return;
  const hsize_t new_size = first + count, start = first, n = count;
  check(H5Dset_extent(dataset, &new_size), kIo, path, std::string("cannot extend ") + what);
  Handle file_space(H5Dget_space(dataset), H5Sclose);
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  check(H5Dwrite(dataset, type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), kIo, path,
        std::string("cannot write ") + what);
}

void CheckpointWriter::Impl::append_sample(const schema::EncodedSample& sample) {
  append(text.get(), H5T_NATIVE_UINT8, text_bytes, sample.text.size(), sample.text.data(), "text");
  append(responses.get(), response_type.get(), response_rows, sample.responses.size(), sample.responses.data(),
         "responses");
  append(samples.get(), sample_type.get(), rows, 1, &sample.row, "samples");
  rows += 1;
  response_rows += sample.responses.size();
  text_bytes += sample.text.size();
}

void CheckpointWriter::Impl::create(const std::string& file_path, const CheckpointHeader& header,
                                    int64_t created_ms, int64_t starts) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);  // required by SWMR
  // Cluster file systems mounted without locks (some NFS, Lustre) would refuse the open;
  // exclusivity comes from our sidecar lock anyway.
  H5Pset_file_locking(fapl.get(), true, /*ignore_when_disabled=*/true);
  file = Handle(check(H5Fcreate(file_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), kIo, file_path,
                      "cannot create the checkpoint"),
                H5Fclose);
  const hid_t f = file.get();
  h5::write_int_attribute(f, "schema_version", schema::kSchemaVersion, file_path);
  h5::write_text_attribute(f, "software_version", SOFTCOT_VERSION, file_path);
  h5::write_text_attribute(f, "run_config_json", header.run_config_json, file_path);
  h5::write_text_attribute(f, "fingerprint_json", header.fingerprint.to_json(), file_path);
  h5::write_int_attribute(f, "planned_samples", header.planned_samples, file_path);
  h5::write_int_attribute(f, "shard_index", header.shard_index, file_path);
  h5::write_int_attribute(f, "shard_count", header.shard_count, file_path);
  h5::write_int_attribute(f, "created_unix_ms", created_ms, file_path);
  h5::write_int_attribute(f, "writer_starts", starts, file_path);
  samples = create_extensible(f, schema::kSamples, sample_type.get(), kSampleChunkRows, file_path);
  responses = create_extensible(f, schema::kResponses, response_type.get(), kResponseChunkRows, file_path);
  text = create_extensible(f, schema::kText, H5T_NATIVE_UINT8, kTextChunkBytes, file_path);
  const int64_t zero = 0;
  committed = create_single(f, schema::kCommitted, H5T_NATIVE_INT64, &zero, file_path);
  in_flight_dataset = create_single(f, schema::kInFlight, in_flight_type.get(), &in_flight_row, file_path);
  void* handle = nullptr;
  check(H5Fget_vfd_handle(f, H5P_DEFAULT, &handle), kIo, file_path, "cannot get the file descriptor");
  fd = *static_cast<int*>(handle);
}

CheckpointWriter::CheckpointWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CheckpointWriter::CheckpointWriter(CheckpointWriter&&) noexcept = default;
CheckpointWriter& CheckpointWriter::operator=(CheckpointWriter&&) noexcept = default;
CheckpointWriter::~CheckpointWriter() {
  if (!impl_) return;
  try {
    close();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
}

CheckpointWriter CheckpointWriter::open_or_create(const std::string& path, const CheckpointHeader& header,
                                                  const WriterOptions& options) {
  h5::quiet_library_errors();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  impl->in_flight_row.idx = -1;
  std::error_code ec;
  const auto dir = fs::path(path).parent_path();
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    if (ec) throw io_error(dir.string(), "cannot create the checkpoint directory: " + ec.message());
  }
  impl->lock.emplace(WriterLock::acquire(path));
  const std::string rebuild = rebuild_path_for(path);
  std::remove(rebuild.c_str());  // a rebuild cut short; the file it was copying is intact
  if (options.set_aside_unreadable) impl->set_aside = set_aside_locked(path);

  std::vector<StoredRecord> carried;
  int64_t created_ms = schema::now_unix_ms(), starts = 1;
  if (fs::exists(path)) {
    auto reader = CheckpointReader::open(path);
    const CheckpointInfo& info = reader.info();
    const std::string changes = describe_changes(info.fingerprint, header.fingerprint);
    if (!changes.empty()) {
      throw bad_input(path, "fingerprint mismatch: " + changes + "; use a new --run_name, or move " + path +
                                " aside to start over");
    }
    if (info.shard_index != header.shard_index || info.shard_count != header.shard_count ||
        info.planned_samples != header.planned_samples) {
      throw bad_input(path, "holds shard " + std::to_string(info.shard_index) + " of " +
                                std::to_string(info.shard_count) + " (" + std::to_string(info.planned_samples) +
                                " samples), not shard " + std::to_string(header.shard_index) + " of " +
                                std::to_string(header.shard_count) + " (" + std::to_string(header.planned_samples) +
                                " samples); keep the shard layout or use a new --run_name");
    }
    std::vector<std::string> damaged;
    carried = reader.records(DamagedRows::kSkip, &impl->dropped, &damaged);
    for (const auto& reason : damaged) spdlog::warn("{}: dropped, that sample is run again", reason);
    impl->previous_in_flight = reader.in_flight();
    created_ms = info.created_unix_ms;
    starts = info.writer_starts + 1;
  }
  const InFlight& prev = impl->previous_in_flight;
  impl->in_flight_row.idx = prev.idx;
  impl->in_flight_row.attempt = prev.attempt;
  impl->in_flight_row.pid = prev.pid;
  impl->in_flight_row.started_unix_ms = prev.started_unix_ms;
  std::snprintf(impl->in_flight_row.host, sizeof(impl->in_flight_row.host), "%s", prev.host.c_str());

  // Build the whole file beside the old one, then switch atomically with rename(2).
  try {
    impl->create(rebuild, header, created_ms, starts);
    for (const auto& record : carried) {
      if (impl->ids.count(record.result.idx)) continue;
      impl->append_sample(schema::encode(record.result, record.writer, record.committed_unix_ms,
                                         impl->response_rows, impl->text_bytes));
      impl->ids.insert(record.result.idx);
    }
    impl->write_committed_count(static_cast<int64_t>(impl->rows));
    check(H5Fstart_swmr_write(impl->file.get()), kIo, rebuild, "cannot start SWMR writing");
    impl->flush();
    impl->sync();
  } catch (...) {
    impl->file.reset();
    std::remove(rebuild.c_str());
    throw;
  }
  // Rows were dropped: the file as it was stays beside the rebuilt one (a hard link to
  // the old inode, so no byte is copied), for a person to look at.
  std::string damaged_copy;
  if (impl->dropped > 0) {
    damaged_copy = aside_name_for(path);
    if (::link(path.c_str(), damaged_copy.c_str()) != 0) damaged_copy.clear();  // best effort
  }
  if (std::rename(rebuild.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text("rename");
    impl->file.reset();
    std::remove(rebuild.c_str());
    if (!damaged_copy.empty()) std::remove(damaged_copy.c_str());
    throw io_error(path, reason);
  }
  sync_directory_of(path);
  if (impl->dropped > 0) {
    spdlog::warn("{}: {} committed rows failed their checksum and are run again; kept the {} intact rows{}", path,
                 impl->dropped, impl->ids.size(),
                 damaged_copy.empty() ? "" : "; the file as it was is kept as " + damaged_copy);
  }
  return CheckpointWriter(std::move(impl));
}

const std::string& CheckpointWriter::path() const { return impl_->path; }
const std::set<int64_t>& CheckpointWriter::committed_ids() const { return impl_->ids; }
bool CheckpointWriter::is_committed(int64_t idx) const { return impl_->ids.count(idx) != 0; }
int64_t CheckpointWriter::dropped_damaged_rows() const { return impl_->dropped; }
const std::optional<SetAsideFile>& CheckpointWriter::set_aside() const { return impl_->set_aside; }
const InFlight& CheckpointWriter::in_flight() const { return impl_->previous_in_flight; }

int32_t CheckpointWriter::begin_sample(int64_t idx) {
  Impl& w = *impl_;
  w.ensure_writable();
  if (is_committed(idx)) throw failure(w.path, "sample " + std::to_string(idx) + " is already committed");
  auto& row = w.in_flight_row;
  row.attempt = row.idx == idx ? row.attempt + 1 : 1;
  row.idx = idx;
  row.pid = w.identity.pid;
  row.started_unix_ms = schema::now_unix_ms();
  std::snprintf(row.host, sizeof(row.host), "%s", w.identity.host.c_str());
  try {
    // Flushed, not synced: attribution is about the worker dying, and the page cache
    // survives that; a node crash is never the sample's fault.
    w.write_in_flight();
    w.flush();
  } catch (const Error& e) {
    w.failed = true;
    throw io_error(w.path, "cannot record the start of sample " + std::to_string(idx) + " (" + e.reason() + ")");
  }
  return row.attempt;
}

void CheckpointWriter::abandon_sample() {
  Impl& w = *impl_;
  if (w.failed || w.closed) return;
  auto& row = w.in_flight_row;
  if (row.idx < 0) return;
  // A stop signal is not the sample's fault: take back the attempt begin_sample counted.
  if (--row.attempt <= 0) row = schema::InFlightRow{}, row.idx = -1;
  w.write_in_flight();
  w.flush();
}

void CheckpointWriter::commit(const SampleResult& result) {
  Impl& w = *impl_;
  w.ensure_writable();
  if (is_committed(result.idx)) {
    throw failure(w.path, "sample " + std::to_string(result.idx) + " is already committed");
  }
  const auto sample = schema::encode(result, w.identity, schema::now_unix_ms(), w.response_rows, w.text_bytes);
  try {
    w.append_sample(sample);
    w.flush();  // the row and its texts reach the file before the count that covers them
    w.write_committed_count(static_cast<int64_t>(w.rows));
    w.flush();
    if (w.options.sync == SyncPolicy::kAlways) w.sync();
  } catch (const Error& e) {
    w.failed = true;
    throw io_error(w.path, "cannot commit sample " + std::to_string(result.idx) + " (" + e.reason() + "); the " +
                               std::to_string(w.ids.size()) + " samples committed before are intact");
  }
  w.ids.insert(result.idx);
}

void CheckpointWriter::close() {
  Impl& w = *impl_;
  if (w.closed) return;
  w.closed = true;
  std::string problem;
  if (!w.failed) {
    try {
      w.flush();
      w.sync();
    } catch (const Error& e) {
      problem = e.reason();
    }
  }
  w.samples.reset();
  w.responses.reset();
  w.text.reset();
  w.committed.reset();
  w.in_flight_dataset.reset();
  if (!w.file.reset() && problem.empty() && !w.failed) problem = "cannot close (" + h5::last_library_reason() + ")";
  w.lock.reset();
  if (!problem.empty()) throw io_error(w.path, problem);
}

}  // namespace softcot::store
