#pragma once
// The chat messages of one sample's two prompts, word for word as the reference's
// pre_process_* functions write them (texts in prompts_math.cpp, prompts_choice.cpp,
// prompts_strategyqa.cpp). N = 0 is the zero-shot baseline: no soft-thought paragraph and no
// begin/end tokens in the base prompt; the assistant prompt is still written (with N = 0).
#include <string>
#include <vector>

#include "softcot/model_family.h"
#include "softcot/task.h"
#include "tokenizer/chat_template.h"

namespace softcot {

using ChatMessage = tokenizer::ChatMessage;  // role "user" / "assistant", content

struct PromptMessages {
  std::vector<ChatMessage> base;       // one user message
  std::vector<ChatMessage> assistant;  // a user message and the prefilled assistant message
};

PromptMessages prompt_messages(Task task, const std::string& question, int num_thought_tokens,
                               ModelFamily base_family, ModelFamily assistant_family);

// Per task family; `soft_thoughts` is begin + N x placeholder + end of the base family ("" at N=0),
// `assistant_placeholders` is N x the assistant family's placeholder.
PromptMessages math_prompt_messages(const std::string& question, int num_thought_tokens,
                                    const std::string& soft_thoughts,
                                    const std::string& assistant_placeholders,
                                    ModelFamily assistant_family);
PromptMessages choice_prompt_messages(Task task, const std::string& question, int num_thought_tokens,
                                      const std::string& soft_thoughts,
                                      const std::string& assistant_placeholders,
                                      ModelFamily assistant_family);
PromptMessages strategyqa_prompt_messages(const std::string& question, int num_thought_tokens,
                                          const std::string& soft_thoughts,
                                          const std::string& assistant_placeholders);

// Shared by the math and multiple-choice tasks.
std::string math_assistant_instruction(int num_thought_tokens, const std::string& question,
                                       ModelFamily assistant_family);
std::string soft_thought_paragraph(const std::string& soft_thoughts);
ChatMessage math_assistant_prefill(int num_thought_tokens, const std::string& assistant_placeholders);

}  // namespace softcot
