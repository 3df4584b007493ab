// Loading each task's file format, the strategyqa split, --test_k, and one-line errors for
// bad rows that name the file and line.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "softcot/dataset.h"
#include "softcot/run_options.h"
#include "test_paths.h"

namespace softcot {
namespace {

// The load error's text; fails the test when there is none or it spans lines.
std::string load_error(Task task, const std::string& path) {
  try {
    load_dataset(task, path, 0);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for " << path;
  return {};
}

TEST(Dataset, BundledGsm8kIsTheFullTestSplit) {
  const std::string path = test::source_path("data/gsm8k/test_socratic.jsonl");
  const Dataset d = load_dataset(Task::kGsm8k, path, 0);
  ASSERT_EQ(d.samples.size(), 1319u);
  EXPECT_EQ(d.split_size, 1319);
  EXPECT_EQ(d.samples[0].idx, 0);
  EXPECT_EQ(d.samples[0].question.rfind("Janet\xE2\x80\x99s ducks lay 16 eggs", 0), 0u);
  EXPECT_EQ(d.samples[0].ground_truth_json, "18");
  EXPECT_EQ(d.samples[1318].idx, 1318);
  // From `sha256sum data/gsm8k/test_socratic.jsonl`.
  EXPECT_EQ(d.sha256, "c96673362fa7a699f4836a9b6474a067448f95fe58064727501ee63ba4c3fdb6");
  // test.jsonl holds the same questions and final answers.
  const Dataset plain = load_dataset(Task::kGsm8k, test::source_path("data/gsm8k/test.jsonl"), 0);
  ASSERT_EQ(plain.samples.size(), 1319u);
  for (size_t i = 0; i < plain.samples.size(); ++i) {
    ASSERT_EQ(plain.samples[i].question, d.samples[i].question);
    ASSERT_EQ(plain.samples[i].ground_truth_json, d.samples[i].ground_truth_json);
  }
}

TEST(Dataset, TestKKeepsTheFirstK) {
  const std::string path = test::source_path("data/gsm8k/test_socratic.jsonl");
  const Dataset d = load_dataset(Task::kGsm8k, path, 5);
  ASSERT_EQ(d.samples.size(), 5u);
  EXPECT_EQ(d.split_size, 1319);
  EXPECT_EQ(d.samples[4].idx, 4);
  EXPECT_EQ(load_dataset(Task::kGsm8k, path, 5000).samples.size(), 1319u);
}

TEST(Dataset, JsonLinesSkipBlankLines) {
  const std::string dir = test::fresh_dir("jsonl");
  const std::string path = test::write_file(
      dir, "aug-dev.jsonl",
      "{\"question\": \"q0\", \"answer\": \"a\\n#### 1,000\"}\n\n   \n"
      "{\"question\": \"q1\", \"answer\": \"#### 2.5\"}\n");
  const Dataset d = load_dataset(Task::kAsdivAug, path, 0);
  ASSERT_EQ(d.samples.size(), 2u);
  EXPECT_EQ(d.samples[0].ground_truth_json, "1000");
  EXPECT_EQ(d.samples[1].question, "q1");
  EXPECT_EQ(d.samples[1].idx, 1);
  EXPECT_EQ(d.samples[1].ground_truth_json, "2.5");
  EXPECT_EQ(d.samples[1].raw["answer"], "#### 2.5");
}

TEST(Dataset, AquaIsAJsonListDespiteItsName) {
  const std::string dir = test::fresh_dir("aqua");
  const std::string path = test::write_file(
      dir, "gsm_style_test.jsonl",
      "[\n {\"question\": \"Pick one. Options: A)1 B)2\", \"answer\": \"because\\n#### B\"},\n"
      " {\"question\": \"Again\", \"answer\": \"#### E \"}\n]\n");
  EXPECT_EQ(task_data_path(Task::kAqua, dir, ""), path);
  const Dataset d = load_dataset(Task::kAqua, path, 0);
  ASSERT_EQ(d.samples.size(), 2u);
  EXPECT_EQ(d.samples[0].ground_truth_json, "\"B\"");
  EXPECT_EQ(d.samples[1].ground_truth_json, "\"E\"");
}

TEST(Dataset, DuGroundTruthIsTheRawAnswer) {
  const std::string dir = test::fresh_dir("du");
  const std::string path = test::write_file(
      dir, "date_understanding_gsm_style.json",
      "[{\"question\": \"Today is 03/01/2021. What is the date one week ago?\", \"answer\": \"A\"}]");
  const Dataset d = load_dataset(Task::kDu, path, 0);
  ASSERT_EQ(d.samples.size(), 1u);
  EXPECT_EQ(d.samples[0].ground_truth_json, "\"A\"");
}

TEST(Dataset, StrategyQaTestsTheLastTwentyPercent) {
  const std::string dir = test::fresh_dir("strategyqa");
  // 13 rows: int(13 * 0.8) = 10, so rows 10, 11, 12 are the test split.
  std::string text = "[";
  for (int i = 0; i < 13; ++i) {
    text += (i ? ",\n" : "\n");
    text += "{\"qid\": \"" + std::to_string(i) + "\", \"question\": \"Q" + std::to_string(i) +
            "?\", \"answer\": " + (i % 2 ? "true" : "false") + ", \"facts\": [\"f\"]}";
  }
  text += "\n]";
  const std::string path = test::write_file(dir, "strategyqa_train.json", text);
  const Dataset d = load_dataset(Task::kStrategyQa, path, 0);
  ASSERT_EQ(d.samples.size(), 3u);
  EXPECT_EQ(d.split_size, 3);
  EXPECT_EQ(d.samples[0].idx, 0);
  EXPECT_EQ(d.samples[0].question, "Q10?");
  EXPECT_EQ(d.samples[0].ground_truth_json, "false");
  EXPECT_EQ(d.samples[1].ground_truth_json, "true");
  EXPECT_EQ(load_dataset(Task::kStrategyQa, path, 2).samples.size(), 2u);
}

TEST(Dataset, BadJsonLineNamesFileAndLine) {
  const std::string dir = test::fresh_dir("bad_line");
  const std::string path = test::write_file(
      dir, "test_socratic.jsonl",
      "{\"question\": \"q\", \"answer\": \"#### 1\"}\n\n{\"question\": \"q\", \"answer\": \n");
  const std::string error = load_error(Task::kGsm8k, path);
  EXPECT_EQ(error.rfind(path + ":3: ", 0), 0u) << error;
}

TEST(Dataset, MissingFieldsNameFileAndLine) {
  const std::string dir = test::fresh_dir("missing");
  const std::string lines = test::write_file(
      dir, "a.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"answer\": \"#### 2\"}\n");
  std::string error = load_error(Task::kGsm8k, lines);
  EXPECT_EQ(error.rfind(lines + ":2: ", 0), 0u) << error;
  EXPECT_NE(error.find("question"), std::string::npos) << error;

  const std::string no_marker = test::write_file(
      dir, "b.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"question\": \"q\", \"answer\": \"2\"}\n");
  error = load_error(Task::kGsm8k, no_marker);
  EXPECT_EQ(error.rfind(no_marker + ":2: ", 0), 0u) << error;

  const std::string list = test::write_file(
      dir, "c.json", "[\n  {\"question\": \"q\", \"answer\": \"A\"},\n  {\"question\": 5,\n   \"answer\": \"B\"}\n]");
  error = load_error(Task::kDu, list);
  EXPECT_EQ(error.rfind(list + ":3: ", 0), 0u) << error;

  const std::string broken_list = test::write_file(dir, "d.json", "[\n {\"question\": \"q\",\n \"answer\": }\n]");
  error = load_error(Task::kDu, broken_list);
  EXPECT_EQ(error.rfind(broken_list + ":3: ", 0), 0u) << error;

  EXPECT_EQ(load_error(Task::kGsm8k, dir + "/absent.jsonl").rfind(dir + "/absent.jsonl: ", 0), 0u);
}

// Found by fuzz_dataset: a number beyond double's range is not a parse_error to nlohmann
// but an out_of_range, which escaped the loader and terminated the process.
TEST(Dataset, ANumberBeyondDoubleIsABadLineNotACrash) {
  const std::string dir = test::fresh_dir("huge_number");
  const std::string lines = test::write_file(
      dir, "a.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"question\": \"q\", \"answer\": 1e309}\n");
  std::string error = load_error(Task::kGsm8k, lines);
  EXPECT_EQ(error.rfind(lines + ":2: ", 0), 0u) << error;
  const std::string list = test::write_file(dir, "b.json", "[\n {\"question\": \"q\", \"answer\": \"A\"},\n {\"x\": -1e400}\n]");
  error = load_error(Task::kDu, list);
  EXPECT_EQ(error.rfind(list + ":3: ", 0), 0u) << error;
}

TEST(Dataset, DataDirDefaultsToTheBundledGsm8k) {
  unsetenv("SOFTCOT_DATA_DIR");
  const std::string dir = default_data_dir(Task::kGsm8k);
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(load_dataset(Task::kGsm8k, task_data_path(Task::kGsm8k, dir, ""), 1).samples.size(), 1u);
  EXPECT_EQ(default_data_dir(Task::kAqua), "");  // not bundled
  EXPECT_THROW(task_data_path(Task::kAqua, "", ""), Error);

  const std::string root = test::fresh_dir("data_root");
  std::filesystem::create_directories(root + "/aqua");
  test::write_file(root + "/aqua", "gsm_style_test.jsonl", "[]");
  setenv("SOFTCOT_DATA_DIR", root.c_str(), 1);
  EXPECT_EQ(default_data_dir(Task::kAqua), root + "/aqua");
  unsetenv("SOFTCOT_DATA_DIR");
}

}  // namespace
}  // namespace softcot

namespace softcot {
namespace {

// A JSON list with no rows is as empty as an empty file (issue 12): bad input, not 0/0.
TEST(Dataset, AnEmptyJsonListIsRefusedLikeAnEmptyFile) {
  const std::string dir = test::fresh_dir("empty_list");
  test::write_file(dir, "empty.json", "[]");
  test::write_file(dir, "spaced.json", " [ \n ] \n");
  EXPECT_NE(load_error(Task::kGsm8k, dir + "/empty.json").find("empty.json"), std::string::npos);
  EXPECT_NE(load_error(Task::kGsm8k, dir + "/spaced.json").find("no samples"), std::string::npos);
}

}  // namespace
}  // namespace softcot
