#include "tokenizer/chat_template.h"

#include "core/error.h"

namespace softcot::tokenizer {

namespace {

void render_message(std::string& out, const std::string& role, const std::string& content) {
  out += "<|im_start|>";
  out += role;
  out += '\n';
  out += content;
}

}  // namespace

std::string render_chatml(const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  return render_chatml(messages, ChatOptions{add_generation_prompt, false});
}

std::string render_chatml(const std::vector<ChatMessage>& messages, const ChatOptions& options) {
  if (options.add_generation_prompt && options.continue_final_message) {
    throw usage_error("chat template: add_generation_prompt and continue_final_message exclude each other");
  }
  if (options.continue_final_message && messages.empty()) {
    throw usage_error("chat template: continue_final_message needs a message to continue");
  }
  std::string out;
  if (messages.empty() || messages.front().role != "system") {
    render_message(out, "system", kQwenDefaultSystemPrompt);
    out += "<|im_end|>\n";
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    render_message(out, messages[i].role, messages[i].content);
    const bool open = options.continue_final_message && i + 1 == messages.size();
    if (!open) out += "<|im_end|>\n";
  }
  if (options.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

}  // namespace softcot::tokenizer
