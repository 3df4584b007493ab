// Prompt building against ../shared/data/softcot_prompt_cases.jsonl, produced by the reference's
// prompt builders with the Qwen2.5 chat template: texts, token ids and thought_index of every case.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/json_file.h"
#include "softcot/prompt_pair.h"
#include "test_paths.h"
#include "tokenizer/tokenizer.h"

namespace softcot {
namespace {

std::vector<Json> prompt_cases() {
  std::vector<Json> cases;
  std::ifstream in(test::shared_path("data/softcot_prompt_cases.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) cases.push_back(Json::parse(line));
  }
  return cases;
}

const tokenizer::Tokenizer& qwen_tokenizer() {
  static const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_file(test::qwen_tokenizer_path());
  return tok;
}

TEST(Prompts, EveryReferenceCaseExactly) {
  const std::vector<Json> cases = prompt_cases();
  ASSERT_EQ(cases.size(), 55u);
  int index = 0;
  for (const Json& c : cases) {
    Sample sample;
    sample.idx = index++;
    sample.question = c["question"].get<std::string>();
    const Task task = parse_task_name(c["task"].get<std::string>());
    const int n = c["num_thought_tokens"].get<int>();
    const PromptPair pair =
        build_prompts(task, sample, n, qwen_tokenizer(), qwen_tokenizer(), ModelFamily::kQwen);
    const std::string label = c["task"].get<std::string>() + " N=" + std::to_string(n) + " case " +
                              std::to_string(sample.idx);
    EXPECT_EQ(pair.base_text, c["base_prompt"].get<std::string>()) << label;
    EXPECT_EQ(pair.assistant_text, c["assistant_prompt"].get<std::string>()) << label;
    EXPECT_EQ(pair.base_ids, c["base_ids"].get<std::vector<int32_t>>()) << label;
    EXPECT_EQ(pair.assistant_ids, c["assistant_ids"].get<std::vector<int32_t>>()) << label;
    EXPECT_EQ(std::vector<int64_t>(pair.thought_index.begin(), pair.thought_index.end()),
              c["thought_index"].get<std::vector<int64_t>>())
        << label;
  }
}

TEST(Prompts, ZeroShotHasNoThoughtParagraph) {
  Sample sample;
  sample.question = "Is the number 7 prime?";
  for (Task task : all_tasks()) {
    const PromptMessages m = prompt_messages(task, sample.question, 0, ModelFamily::kQwen, ModelFamily::kQwen);
    ASSERT_EQ(m.base.size(), 1u);
    EXPECT_EQ(m.base[0].content.find("<|box_start|>"), std::string::npos);
    EXPECT_EQ(m.base[0].content.find("<|endoftext|>"), std::string::npos);
    EXPECT_EQ(m.base[0].content.find("prompts"), std::string::npos) << task_info(task).name;
    EXPECT_EQ(m.base[0].content.find("something useful"), std::string::npos);
    ASSERT_EQ(m.assistant.size(), 2u);
    EXPECT_EQ(m.assistant[1].role, "assistant");
    const PromptPair pair = build_prompts(task, sample, 0, qwen_tokenizer(), qwen_tokenizer(), ModelFamily::kQwen);
    EXPECT_EQ(pair.thought_index[0], pair.thought_index[1]);
    EXPECT_EQ(pair.thought_index[2], pair.thought_index[3]);
  }
}

TEST(Prompts, LlamaAssistantInstructionIsTheReferencesShorterOne) {
  const PromptMessages qwen = prompt_messages(Task::kGsm8k, "Q?", 2, ModelFamily::kQwen, ModelFamily::kQwen);
  const PromptMessages llama = prompt_messages(Task::kGsm8k, "Q?", 2, ModelFamily::kQwen, ModelFamily::kLlama);
  EXPECT_NE(qwen.assistant[0].content.find("The other language model is good enough"), std::string::npos);
  EXPECT_EQ(llama.assistant[0].content.find("The other language model is good enough"), std::string::npos);
  EXPECT_EQ(llama.assistant[1].content,
            "Here are 2 tokens to help the language model solve this math reasoning task: "
            "<|end_of_text|><|end_of_text|>");
  const PromptMessages du = prompt_messages(Task::kDu, "Q?", 1, ModelFamily::kLlama, ModelFamily::kLlama);
  EXPECT_NE(du.assistant[0].content.find("date understanding task"), std::string::npos);
  EXPECT_NE(du.base[0].content.find("<|reserved_special_token_0|><|end_of_text|><|reserved_special_token_1|>"),
            std::string::npos);
}

TEST(Prompts, ReferenceOffsetRule) {
  // Qwen: math prompts end "<|box_end|><|im_end|>\n", the assistant's "<|im_end|>\n".
  EXPECT_EQ(reference_thought_index(Task::kGsm8k, 4, 268, 282, ModelFamily::kQwen, ModelFamily::kQwen),
            (std::array<int64_t, 4>{261, 265, 276, 280}));
  EXPECT_EQ(reference_thought_index(Task::kGsm8k, 0, 200, 278, ModelFamily::kQwen, ModelFamily::kQwen),
            (std::array<int64_t, 4>{198, 198, 276, 276}));
  EXPECT_EQ(reference_thought_index(Task::kStrategyQa, 4, 91, 190, ModelFamily::kQwen, ModelFamily::kQwen),
            (std::array<int64_t, 4>{69, 73, 184, 188}));
  // Llama's template has no "\n" after the end-of-turn token: one position later.
  EXPECT_EQ(reference_thought_index(Task::kGsm8k, 4, 268, 282, ModelFamily::kLlama, ModelFamily::kLlama),
            (std::array<int64_t, 4>{262, 266, 277, 281}));
}

TEST(Prompts, MisplacedPlaceholdersAreAnErrorNamingTheSample) {
  Sample sample;
  sample.idx = 17;
  sample.question = "How many?";
  PromptPair pair = build_prompts(Task::kGsm8k, sample, 2, qwen_tokenizer(), qwen_tokenizer(), ModelFamily::kQwen);
  EXPECT_NO_THROW(check_placeholder_spans(pair, 2, ModelFamily::kQwen, ModelFamily::kQwen, "sample 17"));

  PromptPair shifted = pair;
  shifted.thought_index[0] -= 1;
  shifted.thought_index[1] -= 1;
  try {
    check_placeholder_spans(shifted, 2, ModelFamily::kQwen, ModelFamily::kQwen, "sample 17");
    FAIL() << "expected a mismatch";
  } catch (const Error& e) {
    EXPECT_EQ(e.subject(), "sample 17");
  }
  PromptPair unframed = pair;
  unframed.base_ids[static_cast<size_t>(pair.thought_index[1])] = 198;  // no <|box_end|>
  EXPECT_THROW(check_placeholder_spans(unframed, 2, ModelFamily::kQwen, ModelFamily::kQwen, "sample 17"), Error);
  PromptPair short_assistant = pair;
  short_assistant.assistant_ids[static_cast<size_t>(pair.thought_index[2])] = 198;
  EXPECT_THROW(check_placeholder_spans(short_assistant, 2, ModelFamily::kQwen, ModelFamily::kQwen, "s"), Error);
}

TEST(Prompts, FamilyFromModelId) {
  EXPECT_EQ(family_from_model_id("Qwen/Qwen2.5-1.5B-Instruct"), ModelFamily::kQwen);
  EXPECT_EQ(family_from_model_id("meta-llama/Llama-3.1-8B-Instruct"), ModelFamily::kLlama);
  EXPECT_EQ(family_from_model_id("/models/tiny", "qwen"), ModelFamily::kQwen);
  EXPECT_THROW(family_from_model_id("/models/tiny"), Error);
  EXPECT_THROW(family_from_model_id("Qwen/x", "gpt"), Error);
  // A Qwen tokenizer under a Llama family is caught by the special token ids.
  Sample sample;
  sample.question = "Q";
  EXPECT_THROW(build_prompts(Task::kGsm8k, sample, 2, qwen_tokenizer(), qwen_tokenizer(), ModelFamily::kLlama),
               Error);
}

}  // namespace
}  // namespace softcot
