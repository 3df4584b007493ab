#include "softcot/prompts.h"

namespace softcot {

PromptMessages prompt_messages(Task task, const std::string& question, int num_thought_tokens,
                               ModelFamily base_family, ModelFamily assistant_family) {
  const SpecialTokens& base = special_tokens(base_family);
  std::string placeholders;
  for (int i = 0; i < num_thought_tokens; ++i) placeholders += base.placeholder;
  // The reference drops begin/end (add_bot_eot=False) and the whole paragraph when N = 0.
  const std::string soft_thoughts =
      num_thought_tokens > 0 ? std::string(base.begin) + placeholders + base.end : "";
  std::string assistant_placeholders;
  for (int i = 0; i < num_thought_tokens; ++i) {
    assistant_placeholders += special_tokens(assistant_family).placeholder;
  }
  switch (task) {
    case Task::kGsm8k:
    case Task::kAsdivAug:
      return math_prompt_messages(question, num_thought_tokens, soft_thoughts,
                                  assistant_placeholders, assistant_family);
    case Task::kAqua:
    case Task::kDu:
      return choice_prompt_messages(task, question, num_thought_tokens, soft_thoughts,
                                    assistant_placeholders, assistant_family);
    case Task::kStrategyQa:
      return strategyqa_prompt_messages(question, num_thought_tokens, soft_thoughts,
                                        assistant_placeholders);
  }
  return {};
}

}  // namespace softcot
