// transformers 4.44.2's decode clean-up (PreTrainedTokenizerBase.clean_up_tokenization) and
// where its switch comes from.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "tokenizer/clean_up.h"

namespace softcot::tokenizer {
namespace {

TEST(CleanUpTokenization, TheTenRulesInTransformersOrder) {
  EXPECT_EQ(clean_up_tokenization("The answer is 5 ,000 ."), "The answer is 5,000.");
  EXPECT_EQ(clean_up_tokenization("Why ? Yes ! I do n't , I 'm sure it 's what we 've said they 're"),
            "Why? Yes! I don't, I'm sure it's what we've said they're");
  EXPECT_EQ(clean_up_tokenization("a ' b"), "a'b");
  // Python's str.replace: non-overlapping, left to right, one rule after the other.
  EXPECT_EQ(clean_up_tokenization("x  ..  ."), "x .. .");  // as Python prints it
  EXPECT_EQ(clean_up_tokenization(" ' s"), "'s");  // " ' " first, then nothing left for " 's"
  EXPECT_EQ(clean_up_tokenization("no change"), "no change");
}

TEST(CleanUpTokenization, TheSwitchIsTheTokenizerConfigsAndDefaultsToTrue) {
  const std::string shared = std::string(SOFTCOT_SHARED_DIR) + "/data/tokenizers/";
  EXPECT_TRUE(read_clean_up_tokenization_spaces(shared + "llama3_1_instruct/tokenizer_config.json"));
  EXPECT_TRUE(read_clean_up_tokenization_spaces(shared + "llama3_2_instruct/tokenizer_config.json"));
  EXPECT_FALSE(read_clean_up_tokenization_spaces(shared + "qwen3/tokenizer_config.json"));
  const auto dir = std::filesystem::path(SOFTCOT_TEST_TMP) / "clean_up";
  std::filesystem::create_directories(dir);
  EXPECT_TRUE(read_clean_up_tokenization_spaces((dir / "absent.json").string()));
  std::ofstream(dir / "empty.json") << "{}";
  EXPECT_TRUE(read_clean_up_tokenization_spaces((dir / "empty.json").string()));
  std::ofstream(dir / "bad.json") << R"({"clean_up_tokenization_spaces": "yes"})";
  EXPECT_THROW(read_clean_up_tokenization_spaces((dir / "bad.json").string()), Error);
}

}  // namespace
}  // namespace softcot::tokenizer
