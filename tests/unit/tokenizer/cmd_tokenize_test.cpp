// `softcot tokenize` end to end: the binary run through a shell, as scripts use it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_data.h"

namespace softcot::tokenizer {
namespace {

struct CommandRun {
  int status = -1;
  std::string out, err;
};

CommandRun run_tokenize(const std::string& args, const std::string& input) {
  // One folder per test: CTest runs the tests of this file in parallel.
  const auto dir = std::filesystem::path(SOFTCOT_TEST_TMP) /
                   ("tokenize-cli-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "in.jsonl", err = dir / "err.txt";
  std::ofstream(in) << input;
  const std::string command = std::string(SOFTCOT_BINARY) + " tokenize " + args + " < " + in.string() +
                              " 2> " + err.string();
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err);
  run.err.assign(std::istreambuf_iterator<char>(e), {});
  return run;
}

const std::string kQwenDir = testing::shared_path("data/tokenizers/qwen3");

TEST(TokenizeCommand, EncodesAndDecodesOneJsonValuePerLine) {
  // Ids from the shared encode cases ("Hello world") and Qwen's special tokens.
  const CommandRun enc = run_tokenize("--tokenizer " + kQwenDir, "\"Hello world\"\n\"<|im_end|>\\n\"\n");
  EXPECT_EQ(enc.status, 0) << enc.err;
  EXPECT_EQ(enc.out, "[9707,1879]\n[151645,198]\n");

  const CommandRun dec = run_tokenize("--tokenizer " + kQwenDir + "/tokenizer.json --decode",
                               "[9707,1879]\n[151645,198]\n");
  EXPECT_EQ(dec.status, 0) << dec.err;
  EXPECT_EQ(dec.out, "\"Hello world\"\n\"<|im_end|>\\n\"\n");

  const CommandRun skip = run_tokenize("--tokenizer " + kQwenDir + " --decode --skip_special_tokens",
                                "[151644,9707,151645]\n");
  EXPECT_EQ(skip.out, "\"Hello\"\n");
}

TEST(TokenizeCommand, BadLineIsAOneLineErrorWithItsNumber) {
  const CommandRun enc = run_tokenize("--tokenizer " + kQwenDir, "\"fine\"\n[1,2]\n");
  EXPECT_NE(enc.status, 0);
  EXPECT_NE(enc.err.find("stdin line 2: expected a JSON string"), std::string::npos) << enc.err;
  EXPECT_EQ(enc.err.find('\n'), enc.err.size() - 1) << enc.err;

  const CommandRun dec = run_tokenize("--tokenizer " + kQwenDir + " --decode", "[1]\n[1,\"x\"]\n");
  EXPECT_NE(dec.status, 0);
  EXPECT_NE(dec.err.find("stdin line 2: expected a JSON array of integer ids"), std::string::npos) << dec.err;

  const CommandRun junk = run_tokenize("--tokenizer " + kQwenDir, "not json\n");
  EXPECT_NE(junk.err.find("stdin line 1: not valid JSON"), std::string::npos) << junk.err;
}

TEST(TokenizeCommand, MissingTokenizerNamesThePath) {
  const CommandRun run = run_tokenize("--tokenizer /nonexistent/tokenizer.json", "");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.err.find("/nonexistent/tokenizer.json"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace softcot::tokenizer
