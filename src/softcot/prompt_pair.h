#pragma once
// One sample's two prompts as text and token ids, with the placeholder span of each:
// thought_index = [base_start, base_end, assistant_start, assistant_end), end exclusive, as the
// reference computes it from the prompt lengths (docs/tasks.md, "Placeholder positions").
// The spans are also found in the ids; a disagreement is an error naming the sample.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "softcot/dataset.h"
#include "softcot/model_family.h"
#include "softcot/prompts.h"
#include "softcot/task.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace softcot {

struct PromptPair {
  std::string base_text;
  std::string assistant_text;
  std::vector<int32_t> base_ids;
  std::vector<int32_t> assistant_ids;
  std::array<int64_t, 4> thought_index{};  // base_start, base_end, assistant_start, assistant_end
};

// One side of the pair: its tokenizer, the family that picks its special tokens (by model id,
// as the reference), and the chat template its directory ships.
struct PromptModel {
  const tokenizer::Tokenizer* tokenizer = nullptr;
  ModelFamily family = ModelFamily::kQwen;
  tokenizer::ChatTemplate chat_template;
};

// The reference's offset rule, from the lengths of the token id lists alone.
std::array<int64_t, 4> reference_thought_index(Task task, int num_thought_tokens,
                                               int64_t base_length, int64_t assistant_length,
                                               ModelFamily base_family, ModelFamily assistant_family);

// Finds the N placeholders in each prompt's ids (the last N occurrences of the family's
// placeholder id) and checks them against pair.thought_index, and the base span's
// begin/end-of-thought frame. Throws bad_input(subject, reason) on a mismatch. Nothing to
// check at N = 0.
void check_placeholder_spans(const PromptPair& pair, int num_thought_tokens,
                             ModelFamily base_family, ModelFamily assistant_family,
                             const std::string& subject);

// Each prompt rendered with its model's chat template without the generation prompt (the
// prefilled assistant message is closed, as apply_chat_template closes it in the reference);
// `chat_date` is the Llama-3 templates' date_string.
PromptPair build_prompts(Task task, const Sample& sample, int num_thought_tokens, const PromptModel& base,
                         const PromptModel& assistant,
                         const std::string& chat_date = tokenizer::kDefaultChatDate);

// Both sides Qwen2.5's template (the Qwen test vectors).
inline PromptPair build_prompts(Task task, const Sample& sample, int num_thought_tokens,
                                const tokenizer::Tokenizer& base_tokenizer,
                                const tokenizer::Tokenizer& assistant_tokenizer, ModelFamily family) {
  const tokenizer::ChatTemplate chatml{tokenizer::ChatTemplateKind::kQwen25, "qwen2.5"};
  return build_prompts(task, sample, num_thought_tokens, {&base_tokenizer, family, chatml},
                       {&assistant_tokenizer, family, chatml});
}

}  // namespace softcot
