// strategyqa (the reference's pre_process_strategy_qa): the soft thoughts sit in the middle
// of the base prompt, and the assistant instruction has no full stop after the question.
#include "softcot/prompts.h"

namespace softcot {

namespace {

const char* const kQuestionIntro = "You are required to answer the following question with `Yes` or `No`: ";
const char* const kSoftThoughtIntro = "Here are something useful for your reasoning: ";
const char* const kClosing = "Therefore, the final answer is `Yes` or `No`?";

const char* const kAssistantHead =
    " tokens to help another language model "
    "to solve the following strategy reasoning task efficiently and clearly:\n"
    "- The tokens should include some useful information for the reasoning problem.\n"
    "- Generate the tokens starts from the most important or the highest related tokens.\n"
    "- **Informative tokens are required**: (1) Do not need to generate a sentence or paragraph, "
    "(2) Do not need to generate the uninformative tokens such as serial number.\n"
    "- The tokens should be useful for large language model to answer the question with "
    "`Yes` or `No`.\n"
    "...\n\n"
    "Here is the problem: ";

}  // namespace

PromptMessages strategyqa_prompt_messages(const std::string& question, int num_thought_tokens,
                                          const std::string& soft_thoughts,
                                          const std::string& assistant_placeholders) {
  std::string base = kQuestionIntro + question + "\n\n";
  if (num_thought_tokens > 0) base += kSoftThoughtIntro + soft_thoughts + "\n\n";
  base += kClosing;
  const std::string n = std::to_string(num_thought_tokens);
  PromptMessages messages;
  messages.base = {{"user", base}};
  messages.assistant = {
      {"user", "You are required to generate " + n + kAssistantHead + question},
      {"assistant", "Here are " + n + " tokens to help the language model solve this strategy reasoning task: " +
                        assistant_placeholders}};
  return messages;
}

}  // namespace softcot
