// A Llama base model's responses as the reference reads them: its terminators
// (tokenizer eos + <|eot_id|>, not generation_config's list) and decoded text with
// transformers 4.44.2's clean-up (Meta's tokenizer_config says clean_up_tokenization_spaces).
#include <gtest/gtest.h>

#include "io/model_config.h"
#include "softcot/extract.h"
#include "softcot/pipeline.h"
#include "test_paths.h"
#include "tokenizer/clean_up.h"
#include "tokenizer/tokenizer.h"

namespace softcot {
namespace {

TEST(LlamaDecoding, TerminatorsAreTheTokenizersEosAndEotNotTheGenerationConfigList) {
  const std::string tokenizers = test::shared_path("data/tokenizers/llama3_1_instruct/");
  const auto tok = tokenizer::Tokenizer::from_file(tokenizers + "tokenizer.json");
  const io::GenerationConfig generation =
      io::read_generation_config(test::shared_path("data/model_configs/llama3_1_8b_instruct/generation_config.json"));
  ASSERT_EQ(generation.eos_token_ids, (std::vector<int32_t>{128001, 128008, 128009}));
  EXPECT_EQ(reference_eos_token_ids(tokenizers + "tokenizer_config.json", tok, generation, ModelFamily::kLlama),
            (std::vector<int32_t>{128009}));  // <|end_of_text|> does not stop a response
}

TEST(LlamaDecoding, AnswersAreReadFromTheCleanedUpText) {
  const std::string tokenizers = test::shared_path("data/tokenizers/llama3_1_instruct/");
  const auto tok = tokenizer::Tokenizer::from_file(tokenizers + "tokenizer.json");
  std::vector<int32_t> ids = tok.encode("So she makes 5 ,000 dollars .");
  ids.push_back(128009);  // <|eot_id|>, skipped as a special token
  const bool clean_up = tokenizer::read_clean_up_tokenization_spaces(tokenizers + "tokenizer_config.json");
  ASSERT_TRUE(clean_up);
  const std::string text = decode_response(tok, ids, clean_up);
  EXPECT_EQ(text, "So she makes 5,000 dollars.");
  EXPECT_EQ(extract_answer(Task::kGsm8k, text).to_json(), "5000");
  // Without the clean-up (Qwen's setting) the same tokens read as 0: the comma is deleted
  // and "000" is the last number.
  EXPECT_EQ(extract_answer(Task::kGsm8k, decode_response(tok, ids, false)).to_json(), "0");
}

}  // namespace
}  // namespace softcot
