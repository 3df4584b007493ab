// What goes wrong in practice: damaged files, a second writer, another run's settings,
// read-only and full disks. Each must be one clear error of the right kind, and the
// samples committed before must stay readable.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/checkpoint_path.h"
#include "core/error.h"
#include "store/checkpoint_reader.h"
#include "store/checkpoint_writer.h"
#include "store/schema.h"
#include "store/synthetic.h"
#include "store_test_support.h"

namespace softcot::store {
namespace {

namespace fs = std::filesystem;
using testing::file_bytes;
using testing::fresh_dir;
using testing::test_header;

void write_samples(const std::string& path, int first, int count, int64_t planned = 50) {
  auto writer = CheckpointWriter::open_or_create(path, test_header(planned), {SyncPolicy::kNever});
  for (int i = first; i < first + count; ++i) writer.commit(synthetic_result(i));
}

template <typename Fn>
Error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a softcot::Error";
  return Error(ErrorKind::kFailure, "", "none");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(BadInput, FingerprintMismatchListsWhatChangedAndKeepsTheFile) {
  const auto path = (fresh_dir() / "run.h5").string();
  write_samples(path, 0, 5);
  auto changed = test_header(50, "41");
  changed.fingerprint.set("num_thought_tokens", "2");
  const auto before = file_bytes(path);
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, changed); });
  EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
  EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
  EXPECT_TRUE(contains(e.what(), path + ": fingerprint mismatch: num_thought_tokens 4 -> 2, seed 42 -> 41"))
      << e.what();
  EXPECT_TRUE(contains(e.what(), "--run_name")) << e.what();
  EXPECT_EQ(file_bytes(path), before);
  EXPECT_EQ(CheckpointReader::open(path).records().size(), 5u);
}

TEST(BadInput, DescribeChangesNamesAddedAndRemovedValues) {
  RunFingerprint a, b;
  a.set("seed", "41");
  a.set("model", "m1");
  b.set("seed", "42");
  b.set("data_digest", "ab12");
  EXPECT_EQ(describe_changes(a, b), "model m1 -> (absent), seed 41 -> 42, data_digest (absent) -> ab12");
  EXPECT_EQ(describe_changes(a, a), "");
}

TEST(BadInput, TruncatedCheckpointIsRefusedAndLeftUntouched) {
  const auto path = (fresh_dir() / "run.h5").string();
  write_samples(path, 0, 20);
  fs::resize_file(path, fs::file_size(path) / 2);
  const auto before = file_bytes(path);
  const Error read_error = error_of([&] { CheckpointReader::open(path).records(); });
  EXPECT_EQ(read_error.kind(), ErrorKind::kBadInput);
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, test_header(50)); });
  EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
  EXPECT_TRUE(contains(e.what(), path + ": ")) << e.what();
  EXPECT_TRUE(contains(e.what(), "move it aside or use a new --run_name")) << e.what();
  EXPECT_EQ(file_bytes(path), before);
}

TEST(BadInput, AFileCutToItsFirstKibIsReportedNotRetriedForever) {
  // HDF5's SWMR reader retried each damaged metadata read 100 times with doubling sleeps:
  // opening this file took hours.
  const auto path = (fresh_dir() / "run.h5").string();
  write_samples(path, 0, 20);
  fs::resize_file(path, 1024);
  const Error e = error_of([&] { CheckpointReader::open(path); });
  EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
  EXPECT_TRUE(damage_of(path).has_value());
}

TEST(BadInput, AnUnreadableFileIsSetAsideUnchangedWhenAskedAndAFreshFileStarts) {
  const auto dir = fresh_dir();
  const auto path = (dir / "run.h5").string();
  write_samples(path, 0, 20);
  EXPECT_FALSE(damage_of(path).has_value());
  fs::resize_file(path, 1024);
  const auto before = file_bytes(path);
  WriterOptions options{SyncPolicy::kNever};
  options.set_aside_unreadable = true;
  auto writer = CheckpointWriter::open_or_create(path, test_header(50), options);
  ASSERT_TRUE(writer.set_aside().has_value());
  const auto& aside = *writer.set_aside();
  EXPECT_EQ(fs::path(aside.moved_to).parent_path(), dir);
  EXPECT_NE(aside.moved_to.find("run.h5.damaged-"), std::string::npos) << aside.moved_to;
  EXPECT_EQ(file_bytes(aside.moved_to), before);
  EXPECT_FALSE(aside.reason.empty());
  EXPECT_TRUE(writer.committed_ids().empty());
  writer.commit(synthetic_result(3));
  writer.close();
  EXPECT_EQ(read_merged({path}).size(), 1u);
  // The set-aside file is no longer found as a checkpoint.
  EXPECT_EQ(find_checkpoint_files({dir.string()}), std::vector<std::string>{path});
}

TEST(BadInput, DroppedRowsLeaveTheFileAsItWasBesideTheRebuiltOne) {
  const auto dir = fresh_dir();
  const auto path = (dir / "run.h5").string();
  write_samples(path, 0, 10);
  std::string bytes = file_bytes(path);
  const auto at = bytes.find("Sample 4, response 0");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 's';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto writer = CheckpointWriter::open_or_create(path, test_header(50), {SyncPolicy::kNever});
  EXPECT_EQ(writer.dropped_damaged_rows(), 1);
  writer.close();
  int copies = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("run.h5.damaged-", 0) == 0) {
      ++copies;
      EXPECT_EQ(file_bytes(entry.path()), bytes);
    }
  }
  EXPECT_EQ(copies, 1);
}

TEST(BadInput, RandomBytesAreNotACheckpoint) {
  const auto path = (fresh_dir() / "run.h5").string();
  {
    std::ofstream out(path, std::ios::binary);
    uint32_t x = 12345;
    for (int i = 0; i < 100000; ++i) {
      x = x * 1664525u + 1013904223u;
      out.put(static_cast<char>(x >> 24));
    }
  }
  const auto before = file_bytes(path);
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, test_header(50)); });
  EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
  EXPECT_TRUE(contains(e.what(), "is not an HDF5 file")) << e.what();
  EXPECT_EQ(file_bytes(path), before);
  EXPECT_EQ(error_of([&] { find_checkpoint_files({path + ".missing"}); }).kind(), ErrorKind::kBadInput);
}

TEST(BadInput, AFlippedByteFailsItsChecksumAndResumeRunsThatSampleAgain) {
  const auto path = (fresh_dir() / "run.h5").string();
  write_samples(path, 0, 10);
  // Damage a response text of sample 7 in place, found by its (known) content.
  std::string bytes = file_bytes(path);
  const auto at = bytes.find("Sample 7, response 1");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 's';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  const Error e = error_of([&] { CheckpointReader::open(path).records(); });
  EXPECT_TRUE(contains(e.what(), "(sample 7) fails its checksum")) << e.what();
  int64_t skipped = 0;
  EXPECT_EQ(CheckpointReader::open(path).records(DamagedRows::kSkip, &skipped).size(), 9u);
  EXPECT_EQ(skipped, 1);

  auto writer = CheckpointWriter::open_or_create(path, test_header(50), {SyncPolicy::kNever});
  EXPECT_EQ(writer.dropped_damaged_rows(), 1);
  EXPECT_FALSE(writer.is_committed(7));
  writer.commit(synthetic_result(7));
  writer.close();
  const auto records = read_merged({path});
  ASSERT_EQ(records.size(), 10u);
  EXPECT_EQ(records[7].result.responses[1].text, synthetic_result(7).responses[1].text);
}

// Rewrites committed row `row` of a closed checkpoint through HDF5 (checksum left stale).
template <typename Edit>
void edit_row(const std::string& path, hsize_t row, Edit&& edit) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t dataset = H5Dopen2(file, schema::kSamples, H5P_DEFAULT);
  const hid_t type = schema::sample_row_type();
  const hid_t space = H5Dget_space(dataset);
  const hsize_t one = 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, &row, nullptr, &one, nullptr);
  const hid_t memory = H5Screate_simple(1, &one, nullptr);
  schema::SampleRow value{};
  ASSERT_GE(H5Dread(dataset, type, memory, space, H5P_DEFAULT, &value), 0);
  edit(value);
  ASSERT_GE(H5Dwrite(dataset, type, memory, space, H5P_DEFAULT, &value), 0);
  H5Sclose(memory);
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(dataset);
  H5Fclose(file);
}

// Damaged rows can claim offsets near 2^64: response_first + response_count wrapped to a
// small number, passed the bounds check, and the reader read response rows from before the
// start of its buffer (inside the heap's previous block, so ASan did not see it either),
// then blamed the checksum.
TEST(BadInput, ARowWhoseOffsetsWrapAroundIsDamagedNotACrash) {
  const auto path = (fresh_dir() / "run.h5").string();
  write_samples(path, 0, 4);
  // response_first + response_count wraps around to 1: inside the rows read, but the rows
  // it names start 2^64 - count + 1 rows on.
  edit_row(path, 1, [](schema::SampleRow& row) {
    ASSERT_GE(row.response_count, 2u);
    row.response_first = uint64_t{0} - row.response_count + 1;
  });
  edit_row(path, 2, [](schema::SampleRow& row) { row.text_offset = UINT64_MAX - 2; });
  const Error e = error_of([&] { CheckpointReader::open(path).records(); });
  EXPECT_TRUE(contains(e.what(), "row 1 points past the response rows")) << e.what();
  int64_t skipped = 0;
  const auto records = CheckpointReader::open(path).records(DamagedRows::kSkip, &skipped);
  EXPECT_EQ(skipped, 2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].result.idx, 0);
  EXPECT_EQ(records[1].result.idx, 3);
}

TEST(BadInput, ASecondWriterInThisProcessIsRefused) {
  const auto path = (fresh_dir() / "run.h5").string();
  auto first = CheckpointWriter::open_or_create(path, test_header(50), {SyncPolicy::kNever});
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, test_header(50)); });
  EXPECT_EQ(e.kind(), ErrorKind::kIo);
  EXPECT_TRUE(contains(e.what(), "pid " + std::to_string(getpid()))) << e.what();
}

TEST(BadInput, ASecondWriterProcessIsRefusedNamingTheHolder) {
  const auto path = (fresh_dir() / "run.h5").string();
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("SLURM_JOB_ID", "4242", 1);
    auto writer = CheckpointWriter::open_or_create(path, test_header(50), {SyncPolicy::kNever});
    writer.commit(synthetic_result(0));
    char c = 'r';
    (void)!write(ready[1], &c, 1);
    (void)!read(done[0], &c, 1);  // hold the lock until the parent has tried
    writer.close();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, test_header(50)); });
  EXPECT_EQ(e.kind(), ErrorKind::kIo);
  EXPECT_TRUE(contains(e.what(), "pid " + std::to_string(child))) << e.what();
  EXPECT_TRUE(contains(e.what(), "Slurm job 4242")) << e.what();
  // The live file stays readable by others (SWMR read) while its writer holds the lock.
  EXPECT_EQ(CheckpointReader::open(path).records().size(), 1u);
  (void)!write(done[1], &c, 1);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // Once the holder is gone, writing works again.
  auto writer = CheckpointWriter::open_or_create(path, test_header(50), {SyncPolicy::kNever});
  EXPECT_TRUE(writer.is_committed(0));
}

// Small tmpfs mounts: root-only; the test is skipped elsewhere.
struct TmpfsMount {
  fs::path dir;
  bool mounted = false;
  TmpfsMount(fs::path where, const char* options) : dir(std::move(where)) {
    fs::create_directories(dir);
    mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options) == 0;
  }
  bool remount_read_only() {
    return ::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }
  ~TmpfsMount() {
    if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
  }
};

TEST(BadInput, AFullDiskStopsCommitsButKeepsWhatWasCommitted) {
  TmpfsMount disk(fresh_dir() / "small", "size=256k");
  if (!disk.mounted) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  const auto path = (disk.dir / "run.h5").string();
  int committed = 0;
  Error failure_seen(ErrorKind::kFailure, "", "none");
  {
    auto writer = CheckpointWriter::open_or_create(path, test_header(1000), {SyncPolicy::kAlways});
    try {
      for (int i = 0; i < 1000; ++i) {
        writer.commit(synthetic_result(i));
        ++committed;
      }
    } catch (const Error& e) {
      failure_seen = e;
    }
    EXPECT_THROW(writer.commit(synthetic_result(999)), Error);  // refuses after a failure
  }
  EXPECT_EQ(failure_seen.kind(), ErrorKind::kIo);
  EXPECT_EQ(failure_seen.exit_code(), exit_code::kIo);
  EXPECT_TRUE(contains(failure_seen.what(), "No space left on device")) << failure_seen.what();
  EXPECT_TRUE(contains(failure_seen.what(), "samples committed before are intact")) << failure_seen.what();
  ASSERT_GT(committed, 0);
  const auto records = CheckpointReader::open(path).records();
  ASSERT_EQ(records.size(), static_cast<size_t>(committed));
  for (int i = 0; i < committed; ++i) EXPECT_EQ(records[i].result.responses[0].text, synthetic_result(i).responses[0].text);
  // Resuming needs room for a fresh copy: refused with the reason, the file unchanged.
  const auto before = file_bytes(path);
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, test_header(1000)); });
  EXPECT_EQ(e.kind(), ErrorKind::kIo);
  EXPECT_EQ(file_bytes(path), before);
  EXPECT_FALSE(fs::exists(rebuild_path_for(path)));
}

TEST(BadInput, AReadOnlyDirectoryIsAnIoErrorAndTheCheckpointStaysReadable) {
  TmpfsMount disk(fresh_dir() / "ro", "size=4m");
  if (!disk.mounted) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  const auto path = (disk.dir / "run" / "run.h5").string();
  write_samples(path, 0, 5);
  ASSERT_TRUE(disk.remount_read_only());
  const Error e = error_of([&] { CheckpointWriter::open_or_create(path, test_header(50)); });
  EXPECT_EQ(e.kind(), ErrorKind::kIo);
  EXPECT_TRUE(contains(e.what(), "Read-only file system")) << e.what();
  EXPECT_EQ(CheckpointReader::open(path).records().size(), 5u);
  const Error fresh = error_of([&] { CheckpointWriter::open_or_create((disk.dir / "new" / "x.h5").string(), test_header(5)); });
  EXPECT_EQ(fresh.kind(), ErrorKind::kIo);
}

}  // namespace
}  // namespace softcot::store
