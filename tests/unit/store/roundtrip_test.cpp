// Writing synthetic samples and reading them back: every field, in commit order, with
// checksums verified; resume continues where the last writer stopped.
#include <gtest/gtest.h>

#include "core/error.h"
#include "store/checkpoint_reader.h"
#include "store/checkpoint_writer.h"
#include "store/synthetic.h"
#include "store_test_support.h"

namespace softcot::store {
namespace {

using testing::fresh_dir;
using testing::test_header;

void expect_same_sample(const SampleResult& got, const SampleResult& want) {
  EXPECT_EQ(got.idx, want.idx);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.ground_truth_json, want.ground_truth_json);
  EXPECT_EQ(got.model_answer_json, want.model_answer_json);
  EXPECT_EQ(got.is_correct, want.is_correct);
  ASSERT_EQ(got.responses.size(), want.responses.size());
  for (size_t k = 0; k < want.responses.size(); ++k) {
    EXPECT_EQ(got.responses[k].text, want.responses[k].text);
    EXPECT_EQ(got.responses[k].answer_json, want.responses[k].answer_json);
    EXPECT_EQ(got.responses[k].generated_tokens, want.responses[k].generated_tokens);
  }
  EXPECT_EQ(got.base_prompt_tokens, want.base_prompt_tokens);
  EXPECT_EQ(got.assistant_prompt_tokens, want.assistant_prompt_tokens);
  EXPECT_EQ(got.generated_tokens, want.generated_tokens);
  EXPECT_EQ(got.assistant_seconds, want.assistant_seconds);
  EXPECT_EQ(got.generation_seconds, want.generation_seconds);
  EXPECT_EQ(got.started_unix_ms, want.started_unix_ms);
  EXPECT_EQ(got.finished_unix_ms, want.finished_unix_ms);
  EXPECT_EQ(got.attempts, want.attempts);
  EXPECT_EQ(got.crash_signal, want.crash_signal);
  EXPECT_EQ(got.error_message, want.error_message);
}

SampleResult numbered(int64_t idx) {
  SampleResult s = synthetic_result(idx);
  s.started_unix_ms = 1700000000000 + idx * 1000;
  s.finished_unix_ms = s.started_unix_ms + 750;
  return s;
}

TEST(Roundtrip, EveryFieldComesBackExactly) {
  const auto path = (fresh_dir() / "run.h5").string();
  const int n = 40;
  {
    auto writer = CheckpointWriter::open_or_create(path, test_header(n), {SyncPolicy::kNever});
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(writer.begin_sample(i), 1);
      writer.commit(numbered(i));
    }
    writer.close();
  }
  auto reader = CheckpointReader::open(path);
  EXPECT_EQ(reader.committed_count(), n);
  EXPECT_EQ(reader.info().planned_samples, n);
  EXPECT_EQ(reader.info().run_config_json, test_header(n).run_config_json);
  EXPECT_EQ(reader.info().fingerprint, test_header(n).fingerprint);
  const auto records = reader.records();  // refuses any row failing its checksum
  ASSERT_EQ(records.size(), static_cast<size_t>(n));
  bool saw_long_answer = false;
  for (int i = 0; i < n; ++i) {
    expect_same_sample(records[i].result, numbered(i));
    saw_long_answer |= records[i].result.ground_truth_json.size() > schema::kInlineAnswerBytes;
  }
  EXPECT_TRUE(saw_long_answer) << "the synthetic set should hold answers longer than the inline column";
}

TEST(Roundtrip, ResumeContinuesAfterTheCommittedSamples) {
  const auto path = (fresh_dir() / "run.h5").string();
  {
    auto writer = CheckpointWriter::open_or_create(path, test_header(20), {SyncPolicy::kNever});
    for (int i = 0; i < 10; ++i) writer.commit(numbered(i));
  }  // the destructor closes
  auto writer = CheckpointWriter::open_or_create(path, test_header(20), {SyncPolicy::kNever});
  ASSERT_EQ(writer.committed_ids().size(), 10u);
  EXPECT_TRUE(writer.is_committed(9));
  EXPECT_FALSE(writer.is_committed(10));
  EXPECT_THROW(writer.commit(numbered(3)), Error);  // never twice
  for (int i = 10; i < 20; ++i) writer.commit(numbered(i));
  writer.close();
  auto reader = CheckpointReader::open(path);
  EXPECT_EQ(reader.info().writer_starts, 2);
  const auto records = reader.records();
  ASSERT_EQ(records.size(), 20u);
  for (int i = 0; i < 20; ++i) expect_same_sample(records[i].result, numbered(i));
}

TEST(Roundtrip, AttemptsCountRestartsOnTheSameSampleAndQuarantineIsCounted) {
  const auto path = (fresh_dir() / "run.h5").string();
  for (int expected_attempt = 1; expected_attempt <= 3; ++expected_attempt) {
    auto writer = CheckpointWriter::open_or_create(path, test_header(2), {SyncPolicy::kNever});
    if (expected_attempt > 1) {
      EXPECT_EQ(writer.in_flight().idx, 0);
      EXPECT_EQ(writer.in_flight().attempt, expected_attempt - 1);
    }
    EXPECT_EQ(writer.begin_sample(0), expected_attempt);
    // Leaving without a commit, as a crashed worker would.
  }
  auto writer = CheckpointWriter::open_or_create(path, test_header(2), {SyncPolicy::kNever});
  writer.commit(quarantined_result(0, 3, 9, "18"));
  EXPECT_EQ(writer.begin_sample(1), 1);  // another sample starts afresh
  writer.commit(numbered(1));
  writer.close();
  const auto stats = CheckpointReader::open(path).statistics();
  EXPECT_EQ(stats.committed, 2);
  EXPECT_EQ(stats.quarantined, 1);
  EXPECT_EQ(stats.retried_samples, 1);
  EXPECT_EQ(stats.total_attempts, 3 + numbered(1).attempts);
  EXPECT_DOUBLE_EQ(stats.eta_seconds, 0);
}

TEST(Statistics, AccuracyAndProgressFollowTheRecords) {
  const auto path = (fresh_dir() / "run.h5").string();
  const int planned = 30, done = 12;
  int correct = 0, errors = 0;
  {
    auto writer = CheckpointWriter::open_or_create(path, test_header(planned), {SyncPolicy::kNever});
    for (int i = 0; i < done; ++i) {
      const auto s = numbered(i);
      correct += s.is_correct;
      errors += s.status != sample_status::kSuccess;
      writer.commit(s);
    }
  }
  const auto stats = CheckpointReader::open(path).statistics();
  EXPECT_EQ(stats.committed, done);
  EXPECT_EQ(stats.planned, planned);
  EXPECT_EQ(stats.correct, correct);
  EXPECT_EQ(stats.errors, errors);
  EXPECT_DOUBLE_EQ(stats.accuracy, static_cast<double>(correct) / done);
  EXPECT_GT(stats.last_update_unix_ms, 0);
}

TEST(Merge, ShardFilesReadAsOneRunInIdxOrder) {
  const auto dir = fresh_dir();
  const auto a = (dir / "shard0.h5").string(), b = (dir / "shard1.h5").string();
  {
    auto header = test_header(5);
    header.shard_count = 2;
    auto wa = CheckpointWriter::open_or_create(a, header, {SyncPolicy::kNever});
    header.shard_index = 1;
    auto wb = CheckpointWriter::open_or_create(b, header, {SyncPolicy::kNever});
    for (int i = 0; i < 10; ++i) (i % 2 == 0 ? wa : wb).commit(numbered(9 - i));
  }
  const auto merged = read_merged({a, b});
  ASSERT_EQ(merged.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(merged[i].result.idx, i);
  EXPECT_EQ(committed_ids({a, b}).size(), 10u);
  EXPECT_THROW(read_merged({a, a}), Error);  // every sample twice
}

TEST(Merge, FilesOfDifferentRunsAreRefused) {
  const auto dir = fresh_dir();
  const auto a = (dir / "a.h5").string(), b = (dir / "b.h5").string();
  { CheckpointWriter::open_or_create(a, test_header(1, "41"), {SyncPolicy::kNever}).commit(numbered(0)); }
  { CheckpointWriter::open_or_create(b, test_header(1, "42"), {SyncPolicy::kNever}).commit(numbered(1)); }
  try {
    read_merged({a, b});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
    EXPECT_NE(std::string(e.what()).find("seed 41 -> 42"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace softcot::store
