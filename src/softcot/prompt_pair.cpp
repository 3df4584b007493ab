#include "softcot/prompt_pair.h"

#include "core/error.h"

namespace softcot {

namespace {

// Tokens the reference counts after the end-of-thought token up to the end-of-turn token
// included: math/choice prompts end "<end-of-thought><|im_end|>" (1); strategyqa's base prompt
// goes on with "\n\nTherefore, the final answer is `Yes` or `No`?" (15 tokens) first (16).
int64_t base_tail_tokens(Task task) { return task == Task::kStrategyQa ? 16 : 1; }

// Placeholder positions in `ids`: the last `count` occurrences of `placeholder_id`.
std::vector<int64_t> last_occurrences(const std::vector<int32_t>& ids, int32_t placeholder_id,
                                      int count) {
  std::vector<int64_t> found;
  for (int64_t i = static_cast<int64_t>(ids.size()) - 1; i >= 0 && static_cast<int>(found.size()) < count; --i) {
    if (ids[static_cast<size_t>(i)] == placeholder_id) found.insert(found.begin(), i);
  }
  return found;
}

void check_span(const std::vector<int32_t>& ids, int64_t start, int num_thought_tokens,
                int32_t placeholder_id, const std::string& subject, const char* which) {
  const std::vector<int64_t> found = last_occurrences(ids, placeholder_id, num_thought_tokens);
  bool matches = static_cast<int>(found.size()) == num_thought_tokens;
  for (int k = 0; matches && k < num_thought_tokens; ++k) matches = found[static_cast<size_t>(k)] == start + k;
  if (!matches) {
    const std::string where = found.empty() ? "none" : "from " + std::to_string(found.front());
    throw bad_input(subject, std::string("the ") + which + " prompt's " +
                                 std::to_string(num_thought_tokens) +
                                 " placeholder tokens are not where the reference puts them (expected from " +
                                 std::to_string(start) + ", found " + where + ")");
  }
}

void check_token(const tokenizer::Tokenizer& tok, const char* token, int32_t expected,
                 const char* which) {
  const auto id = tok.token_to_id(token);
  if (!id || *id != expected) {
    throw bad_input(std::string(which) + " tokenizer",
                    std::string("token ") + token + " should have id " + std::to_string(expected) +
                        (id ? ", has " + std::to_string(*id) : ", is missing") +
                        " (wrong model family?)");
  }
}

}  // namespace

std::array<int64_t, 4> reference_thought_index(Task task, int num_thought_tokens,
                                               int64_t base_length, int64_t assistant_length,
                                               ModelFamily base_family, ModelFamily assistant_family) {
  const int64_t n = num_thought_tokens;
  // As in the reference: back from the end by the tail, the placeholders, the end-of-thought
  // token (only when N > 0) and, for Qwen, the "\n" after "<|im_end|>".
  int64_t base_start = base_length - base_tail_tokens(task) - n;
  if (n > 0) base_start -= 1;
  if (base_family == ModelFamily::kQwen) base_start -= 1;
  int64_t assistant_start = assistant_length - 1 - n;
  if (assistant_family == ModelFamily::kQwen) assistant_start -= 1;
  return {base_start, base_start + n, assistant_start, assistant_start + n};
}

void check_placeholder_spans(const PromptPair& pair, int num_thought_tokens,
                             ModelFamily base_family, ModelFamily assistant_family,
                             const std::string& subject) {
  if (num_thought_tokens <= 0) return;
  const SpecialTokens& base_tokens = special_tokens(base_family);
  const SpecialTokens& assistant_tokens = special_tokens(assistant_family);
  const int64_t base_start = pair.thought_index[0];
  check_span(pair.base_ids, base_start, num_thought_tokens, base_tokens.placeholder_id, subject, "base");
  check_span(pair.assistant_ids, pair.thought_index[2], num_thought_tokens,
             assistant_tokens.placeholder_id, subject, "assistant");
  // The begin/end-of-thought tokens frame the base span; they keep their own embeddings.
  const int64_t end = pair.thought_index[1];
  if (base_start < 1 || end >= static_cast<int64_t>(pair.base_ids.size()) ||
      pair.base_ids[static_cast<size_t>(base_start - 1)] != base_tokens.begin_id ||
      pair.base_ids[static_cast<size_t>(end)] != base_tokens.end_id) {
    throw bad_input(subject, std::string("the base prompt's placeholders are not framed by ") +
                                 base_tokens.begin + " and " + base_tokens.end);
  }
}

PromptPair build_prompts(Task task, const Sample& sample, int num_thought_tokens, const PromptModel& base,
                         const PromptModel& assistant, const std::string& chat_date) {
  if (num_thought_tokens < 0) throw usage_error("--num_thought_tokens must be >= 0");
  const SpecialTokens& base_tokens = special_tokens(base.family);
  const SpecialTokens& assistant_tokens = special_tokens(assistant.family);
  check_token(*base.tokenizer, base_tokens.placeholder, base_tokens.placeholder_id, "base");
  check_token(*assistant.tokenizer, assistant_tokens.placeholder, assistant_tokens.placeholder_id, "assistant");

  const PromptMessages messages =
      prompt_messages(task, sample.question, num_thought_tokens, base.family, assistant.family);
  PromptPair pair;
  pair.base_text = tokenizer::render_chat(base.chat_template, messages.base, {}, chat_date);
  pair.assistant_text = tokenizer::render_chat(assistant.chat_template, messages.assistant, {}, chat_date);
  pair.base_ids = base.tokenizer->encode(pair.base_text);
  pair.assistant_ids = assistant.tokenizer->encode(pair.assistant_text);
  pair.thought_index = reference_thought_index(
      task, num_thought_tokens, static_cast<int64_t>(pair.base_ids.size()),
      static_cast<int64_t>(pair.assistant_ids.size()), base.family, assistant.family);

  check_placeholder_spans(pair, num_thought_tokens, base.family, assistant.family,
                          "sample " + std::to_string(sample.idx));
  return pair;
}

}  // namespace softcot
