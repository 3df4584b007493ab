// Merge and report over real checkpoint files written by the store's writer with its
// deterministic synthetic samples, laid out as sharded, resumed and multi-seed runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster/merge.h"
#include "cluster/report.h"
#include "cluster/shard_files.h"
#include "cluster/sharding.h"
#include "core/error.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"
#include "store/checkpoint_writer.h"
#include "store/export.h"
#include "store/synthetic.h"

namespace softcot::cluster {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(SOFTCOT_TEST_TMP) / "cluster" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

store::CheckpointHeader header(int64_t seed, int64_t total, int32_t shard, int32_t shards, int64_t planned) {
  store::CheckpointHeader h;
  h.run_config_json = R"({"test":"cluster"})";
  h.fingerprint.set("kind", "cluster-test");
  h.fingerprint.set("seed", std::to_string(seed));
  h.fingerprint.set("total_samples", std::to_string(total));
  h.planned_samples = planned;
  h.shard_index = shard;
  h.shard_count = shards;
  return h;
}

// Rank `rank` of `shards` commits its share of `all` (minus `committed`), at most `limit`.
void run_shard(const std::string& dir, int64_t seed, const std::vector<int64_t>& all,
               const std::set<int64_t>& committed, int rank, int shards, size_t limit = SIZE_MAX) {
  const auto mine = shard_sample_ids(all, committed, rank, shards);
  const std::string path =
      store::checkpoint_path(dir, {"run", "gsm8k", seed, rank, shards});
  auto writer = store::CheckpointWriter::open_or_create(
      path, header(seed, static_cast<int64_t>(all.size()), rank, shards, static_cast<int64_t>(mine.size())),
      {store::SyncPolicy::kNever});
  for (size_t i = 0; i < mine.size() && i < limit; ++i) writer.commit(store::synthetic_result(mine[i]));
  writer.close();
}

std::vector<int64_t> ids(int64_t n) {
  std::vector<int64_t> all;
  for (int64_t i = 0; i < n; ++i) all.push_back(i);
  return all;
}

std::string comparable_export(const std::string& file) {
  std::ostringstream out;
  store::write_jsonl(store::read_merged({file}), out, {.comparable = true});
  return out.str();
}

int64_t correct_among(int64_t n) {
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) correct += store::synthetic_result(i).is_correct ? 1 : 0;
  return correct;
}

TEST(Merge, TwoShardsThenAResumeWithOneEqualTheSingleProcessRun) {
  const auto dir = fresh_dir("merge");
  const auto all = ids(23);
  run_shard(dir + "/single", 42, all, {}, 0, 1);

  // -n 2, both stopped early; then -n 1 finishes what is left.
  run_shard(dir + "/sharded", 42, all, {}, 0, 2, 4);
  run_shard(dir + "/sharded", 42, all, {}, 1, 2, 7);
  const auto shard_files = store::find_checkpoint_files({dir + "/sharded/run"});
  ASSERT_EQ(shard_files.size(), 2u);
  run_shard(dir + "/sharded", 42, all, store::committed_ids(shard_files), 0, 1);

  const auto merged = merge_run(dir + "/sharded/run", dir + "/merged.h5");
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].samples, 23);
  EXPECT_EQ(merged[0].planned, 23);
  EXPECT_EQ(merged[0].inputs.size(), 3u);
  EXPECT_EQ(comparable_export(dir + "/merged.h5"),
            comparable_export(dir + "/single/run/gsm8k_seed42_shard0-of-1.h5"));
  const auto info = store::CheckpointReader::open(dir + "/merged.h5").info();
  EXPECT_EQ(info.shard_count, 1);
  EXPECT_EQ(info.planned_samples, 23);

  EXPECT_THROW(merge_run(dir + "/sharded/run", dir + "/merged.h5"), Error);  // exists
  EXPECT_NO_THROW(merge_run(dir + "/sharded/run", dir + "/merged.h5", /*overwrite=*/true));
}

TEST(Merge, SeveralSeedsNeedAnOutputDirectoryOrAFileNamedForOne) {
  const auto dir = fresh_dir("merge-seeds");
  for (int64_t seed : {1, 2}) {
    run_shard(dir, seed, ids(6), {}, 0, 2);
    run_shard(dir, seed, ids(6), {}, 1, 2);
  }
  EXPECT_THROW(merge_run(dir + "/run", dir + "/one.h5"), Error);

  // What rank 0 does after the fence: its own evaluation into <run>/merged/.
  const auto picked = merge_run(dir + "/run", dir + "/run/merged/gsm8k_seed2.h5");
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].samples, 6);
  for (const auto& input : picked[0].inputs) EXPECT_NE(input.find("gsm8k_seed2_shard"), std::string::npos);

  // merged/ is not read as input again.
  const auto merged = merge_run(dir + "/run", dir + "/all/");
  ASSERT_EQ(merged.size(), 2u);
  for (const auto& m : merged) {
    EXPECT_EQ(m.samples, 6);
    EXPECT_EQ(m.inputs.size(), 2u);
  }
  EXPECT_TRUE(fs::exists(dir + "/all/gsm8k_seed2_shard0-of-1.h5"));

  // The report does not count rank 0's merged copies a second time.
  const auto report = build_report({dir});
  ASSERT_EQ(report.size(), 2u);  // all/ is another directory, so another run
  EXPECT_EQ(report[0].run, "all");
  EXPECT_EQ(report[1].run, "run");
  EXPECT_EQ(report[1].seeds.size(), 2u);
  EXPECT_EQ(report[1].seeds[1].files.size(), 2u);
}

TEST(Merge, RefusesShardsOfDifferentRuns) {
  const auto dir = fresh_dir("merge-mismatch");
  run_shard(dir, 5, ids(6), {}, 0, 2);
  // Same name pattern and seed, but written with another total (another fingerprint).
  run_shard(dir, 5, ids(8), {}, 1, 2);
  EXPECT_THROW(merge_run(dir + "/run", dir + "/out.h5"), Error);
}

TEST(Merge, AnOutputThatIsAnInputOrLiesAmongTheInputsIsRefusedAndNothingChanges) {
  const auto dir = fresh_dir("merge-onto-input");
  const auto all = ids(8);
  // Shards 0-1 of a 2-rank run (samples 0-3), then a single process with samples 4-7.
  run_shard(dir, 42, all, {}, 0, 2, 2);
  run_shard(dir, 42, all, {}, 1, 2, 2);
  const std::string run_dir = dir + "/run";
  run_shard(dir, 42, all, store::committed_ids(store::find_checkpoint_files({run_dir})), 0, 1);
  const std::string single = run_dir + "/gsm8k_seed42_shard0-of-1.h5";
  const auto before = comparable_export(single);
  ASSERT_NE(before.find("\"idx\":7"), std::string::npos);

  EXPECT_THROW(merge_run(run_dir, single, /*overwrite=*/true), Error);
  EXPECT_THROW(merge_run(run_dir, run_dir + "/other_seed42.h5", /*overwrite=*/true), Error);
  EXPECT_THROW(merge_run(run_dir, run_dir, /*overwrite=*/true), Error);
  EXPECT_THROW(merge_run(run_dir, run_dir + "/", /*overwrite=*/true), Error);
  EXPECT_EQ(comparable_export(single), before);
  EXPECT_EQ(store::find_checkpoint_files({run_dir}).size(), 3u);

  // Into <run>/merged/ (where rank 0 writes) and outside the run dir: all 8 samples.
  EXPECT_EQ(merge_run(run_dir, run_dir + "/merged/gsm8k_seed42.h5", true).at(0).samples, 8);
  EXPECT_EQ(merge_run(run_dir, dir + "/out.h5", true).at(0).samples, 8);
}

TEST(Merge, OverwriteReplacesTheOutputOnlyOnceTheNewOneIsComplete) {
  const auto dir = fresh_dir("merge-overwrite");
  run_shard(dir, 42, ids(6), {}, 0, 1);
  const std::string out = dir + "/out.h5";
  merge_run(dir + "/run", out);
  const auto first = comparable_export(out);
  // A second merge that fails (another run's shard joins the inputs) leaves the old output.
  run_shard(dir, 42, ids(9), {}, 1, 2);
  EXPECT_THROW(merge_run(dir + "/run", out, /*overwrite=*/true), Error);
  EXPECT_EQ(comparable_export(out), first);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".lock") continue;  // writer locks stay (harmless)
    EXPECT_TRUE(entry.path() == out || entry.path() == dir + "/run") << entry.path() << " left behind";
  }
}

TEST(Report, RunsOfDifferentConfigurationsAreNotAveragedTogether) {
  const auto dir = fresh_dir("report-configs");
  // One run dir: seeds 1-2 with N = 4, seeds 3-4 with N = 2, seed 5 with another total.
  auto write = [&](int64_t seed, const std::string& n_thoughts, int64_t total, int64_t correct_up_to) {
    auto h = header(seed, total, 0, 1, total);
    h.fingerprint.set("num_thought_tokens", n_thoughts);
    auto writer = store::CheckpointWriter::open_or_create(
        store::checkpoint_path(dir, {"run", "gsm8k", seed, 0, 1}), h, {store::SyncPolicy::kNever});
    for (int64_t i = 0; i < total; ++i) {
      auto r = store::synthetic_result(i);
      r.is_correct = i < correct_up_to;
      writer.commit(r);
    }
    writer.close();
  };
  write(1, "4", 10, 8);
  write(2, "4", 10, 6);
  write(3, "2", 10, 1);
  write(4, "2", 10, 3);
  write(5, "4", 20, 20);

  const auto report = build_report({dir});
  ASSERT_EQ(report.size(), 3u);
  std::map<std::string, const TaskReport*> by_config;
  for (const auto& task : report) by_config[task.configuration] = &task;
  ASSERT_EQ(by_config.size(), 3u);
  const auto* n4 = by_config.at("num_thought_tokens=4, total_samples=10");
  const auto* n2 = by_config.at("num_thought_tokens=2, total_samples=10");
  const auto* n4_20 = by_config.at("num_thought_tokens=4, total_samples=20");
  EXPECT_EQ(n4->seeds.size(), 2u);
  EXPECT_NEAR(*n4->across_seeds.mean, 0.7, 1e-12);
  EXPECT_NEAR(*n2->across_seeds.mean, 0.2, 1e-12);
  EXPECT_EQ(n4_20->seeds.size(), 1u);
  EXPECT_EQ(n4_20->seeds[0].outcome.seed, 5);

  const auto markdown = format_report(report, ReportFormat::kMarkdown);
  EXPECT_NE(markdown.find("3 configurations"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("num_thought_tokens=2, total_samples=10"), std::string::npos) << markdown;
  const auto json = nlohmann::json::parse(format_report(report, ReportFormat::kJson));
  EXPECT_EQ(json["tasks"].size(), 3u);
  EXPECT_TRUE(json["tasks"][0].contains("configuration"));
  const auto csv = format_report(report, ReportFormat::kCsv);
  EXPECT_NE(csv.find("num_thought_tokens=2, total_samples=10"), std::string::npos) << csv;
}

TEST(Report, SeedsOfAShardedRunCountEachSampleOnceAndIncompleteSeedsAreMarked) {
  const auto dir = fresh_dir("report");
  const int64_t n = 30;
  // Seed 41: one process; seed 42: two shards; seed 43: stopped after 10 of 30.
  run_shard(dir, 41, ids(n), {}, 0, 1);
  run_shard(dir, 42, ids(n), {}, 0, 2);
  run_shard(dir, 42, ids(n), {}, 1, 2);
  run_shard(dir, 43, ids(n), {}, 0, 1, 10);

  const auto report = build_report({dir});
  ASSERT_EQ(report.size(), 1u);
  const auto& task = report[0];
  EXPECT_EQ(task.run, "run");
  EXPECT_EQ(task.task, "gsm8k");
  ASSERT_EQ(task.seeds.size(), 3u);
  EXPECT_EQ(task.seeds[0].outcome.seed, 41);
  EXPECT_EQ(task.seeds[1].outcome.committed, n);
  EXPECT_EQ(task.seeds[1].outcome.planned, n);
  EXPECT_EQ(task.seeds[1].files.size(), 2u);
  EXPECT_EQ(task.seeds[1].outcome.correct, correct_among(n));
  EXPECT_FALSE(task.seeds[2].outcome.complete());
  EXPECT_EQ(task.seeds[2].outcome.committed, 10);
  EXPECT_EQ(task.seeds[2].outcome.correct, correct_among(10));

  // Synthetic samples depend on idx only, so both complete seeds score the same.
  const double accuracy = static_cast<double>(correct_among(n)) / n;
  EXPECT_EQ(task.across_seeds.complete_seeds, 2);
  EXPECT_NEAR(*task.across_seeds.mean, accuracy, 1e-12);
  EXPECT_NEAR(*task.across_seeds.sample_std, 0.0, 1e-12);

  const auto markdown = format_report(report, ReportFormat::kMarkdown);
  EXPECT_NE(markdown.find("| 43 | 10/30 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("**no (incomplete)**"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("Incomplete seeds, left out of the mean: 43."), std::string::npos) << markdown;

  const auto json = nlohmann::json::parse(format_report(report, ReportFormat::kJson));
  EXPECT_EQ(json["tasks"][0]["complete_seeds"], 2);
  EXPECT_NEAR(json["tasks"][0]["mean_accuracy"].get<double>(), accuracy, 1e-12);
  EXPECT_EQ(json["tasks"][0]["seeds"][2]["complete"], false);

  const auto csv = format_report(report, ReportFormat::kCsv);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "run,task,seed,committed,planned,complete,correct,accuracy,errors,quarantined,configuration");
  EXPECT_NE(csv.find("run,gsm8k,43,10,30,no,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("run,gsm8k,mean,"), std::string::npos) << csv;
}

TEST(Report, UnknownFormatIsAUsageError) {
  EXPECT_THROW(parse_report_format("xml"), Error);
  EXPECT_EQ(parse_report_format("csv"), ReportFormat::kCsv);
}

TEST(ShardFileName, ParsesTheStoresNamingAndRejectsOthers) {
  ShardFileName name;
  ASSERT_TRUE(parse_shard_file_name("asdiv-aug_seed41_shard1-of-4.h5", &name));
  EXPECT_EQ(name.task, "asdiv-aug");
  EXPECT_EQ(name.seed, 41);
  EXPECT_EQ(name.shard_index, 1);
  EXPECT_EQ(name.shard_count, 4);
  EXPECT_FALSE(parse_shard_file_name("gsm8k_seed41_shard4-of-4.h5", &name));
  EXPECT_FALSE(parse_shard_file_name("merged.h5", &name));
}

}  // namespace
}  // namespace softcot::cluster
