// aqua (options A-E) and du (date understanding, options A-F): the reference's
// pre_process_aqua and pre_process_du. Their assistant prompt is the math one, except that
// a Llama assistant is told about a "date understanding task" for du.
#include "softcot/prompts.h"

namespace softcot {

namespace {

const char* const kAquaInstruction =
    "You are required to solve the following math multiple choices questions.\n"
    "In the multiple choices question, there are five options: A, B, C, D, and E, respectively.\n"
    "The correct answer that solves the problem is one of these options.\n"
    "Your job is to solve the problem and find the correct option.\n"
    "Here are the instructions for solving the problem efficiently and clearly:\n"
    "- For simple problems (2 steps or fewer):\nProvide a concise solution with minimal equation.\n"
    "- For complex problems (3 steps or more):\n"
    "Use this step-by-step format:\n\n"
    "## Step 1: [Brief calculations]\n"
    "## Step 2: [Brief calculations]\n"
    "...\n"
    "Regardless of the approach, always conclude with the following sentence:\n"
    "Therefore, the final answer is: $\\boxed{answer}$. I hope it is correct.\n"
    "Where [answer] is the option from A, B, C, D, and E.\n"
    "Only one letter from A to E is accepted in the answer span.\n\n"
    "Problem: ";

// Still says "five options" although it lists six: the reference's wording.
const char* const kDuInstruction =
    "You are required to solve the following math multiple choices questions.\n"
    "In the multiple choices question, there are five options: A, B, C, D, E, and F, respectively.\n"
    "The correct answer that solves the problem is one of these options.\n"
    "Your job is to solve the problem and find the correct option.\n"
    "Here are the instructions for solving the problem efficiently and clearly:\n"
    "- For simple problems (2 steps or fewer):\nProvide a concise solution with minimal description.\n"
    "- For complex problems (3 steps or more):\n"
    "Use this step-by-step format:\n\n"
    "## Step 1: [Brief reasoning step]\n"
    "## Step 2: [Brief reasoning step]\n"
    "...\n"
    "Regardless of the approach, always conclude with the following sentence:\n"
    "Therefore, the final answer is: $\\boxed{answer}$. I hope it is correct.\n"
    "Where [answer] is the option from A, B, C, D, E, and F.\n"
    "Only one letter from A to F is accepted in the answer span.\n\n"
    "Problem: ";

const char* const kDuLlamaAssistantHead =
    " tokens to help another language model "
    "to solve the following date understanding task efficiently and clearly. "
    "Here are the requirements of your generated tokens:\n"
    "- The tokens should include some useful information for the reasoning problem, "
    "for example, the numbers and the operations needed for calculation.\n"
    "- Generate the tokens starts from the most important or the highest related tokens.\n"
    "- **Informative tokens are required**: (1) Do not need to generate a sentence or paragraph, "
    "(2) Do not need to generate the uninformative tokens such as serial number.\n"
    "- The tokens should be useful for large language model to answer the question with the numbers.\n"
    "...\n\nHere is the problem: ";

}  // namespace

PromptMessages choice_prompt_messages(Task task, const std::string& question, int num_thought_tokens,
                                      const std::string& soft_thoughts,
                                      const std::string& assistant_placeholders,
                                      ModelFamily assistant_family) {
  const bool du = task == Task::kDu;
  std::string base = (du ? kDuInstruction : kAquaInstruction) + question + "\n\n";
  if (num_thought_tokens > 0) base += soft_thought_paragraph(soft_thoughts);
  std::string instruction =
      du && assistant_family == ModelFamily::kLlama
          ? "You are required to generate " + std::to_string(num_thought_tokens) +
                kDuLlamaAssistantHead + question + "."
          : math_assistant_instruction(num_thought_tokens, question, assistant_family);
  PromptMessages messages;
  messages.base = {{"user", base}};
  messages.assistant = {{"user", instruction},
                        math_assistant_prefill(num_thought_tokens, assistant_placeholders)};
  return messages;
}

}  // namespace softcot
