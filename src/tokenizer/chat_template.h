#pragma once
// The chat templates SoftCoT prompts are rendered with, in C++. A model directory's
// template (tokenizer_config.json "chat_template", or chat_template.jinja beside it) is
// recognised, never guessed: Meta's Llama-3.1-Instruct and Llama-3.2-Instruct templates and
// Qwen3's by the sha256 of their published text, Qwen2.5-Instruct's ChatML by its default
// system prompt; anything else is refused naming the file. What each reproduces, for
// messages without tools:
//   qwen2.5  a default system message ("You are Qwen, ...") when none is given; every
//            message "<|im_start|>{role}\n{content}<|im_end|>\n"
//   qwen3    no default system message; the last assistant message after the last user
//            message gets an empty think block: "<|im_start|>assistant\n<think>\n\n</think>\n\n"
//   llama3   "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge
//            Date: December 2023\nToday Date: {date}\n\n{system}<|eot_id|>", then every message
//            "<|start_header_id|>{role}<|end_header_id|>\n\n{content stripped}<|eot_id|>"
//            (3.1 and 3.2 differ only in the date they fall back to; the date is always given)
// and optionally the generation prompt.
#include <string>
#include <vector>

namespace softcot::tokenizer {

struct ChatMessage {
  std::string role;
  std::string content;
};

inline constexpr const char* kQwenDefaultSystemPrompt =
    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
// What the Llama-3 templates render without a date_string under transformers 4.44.2 (the
// reference's pin): 3.1 hard-codes it; 3.2's strftime_now does not exist there.
inline constexpr const char* kDefaultChatDate = "26 Jul 2024";

enum class ChatTemplateKind { kQwen25, kQwen3, kLlama3 };

struct ChatTemplate {
  ChatTemplateKind kind = ChatTemplateKind::kQwen25;
  std::string name;  // "qwen2.5", "qwen3", "llama3.1", "llama3.2" (fingerprints, logs)
};

struct ChatOptions {
  bool add_generation_prompt = false;
  // Leave the last message open (no end-of-turn) so the model continues it, like
  // transformers' continue_final_message. Excludes add_generation_prompt. Qwen2.5 only.
  bool continue_final_message = false;
};

// The template of the model directory `dir`; throws bad_input naming the file when it has
// none or one we do not render.
ChatTemplate recognise_chat_template(const std::string& dir);

// The template kind of a template text; false when unknown.
bool recognise_chat_template_text(const std::string& text, ChatTemplate* out);

// `date` ("DD Mon YYYY") is used by the Llama-3 templates only.
std::string render_chat(const ChatTemplate& chat_template, const std::vector<ChatMessage>& messages,
                        const ChatOptions& options, const std::string& date = kDefaultChatDate);

// Qwen2.5's ChatML (kept for callers that know they want it).
std::string render_chatml(const std::vector<ChatMessage>& messages, bool add_generation_prompt);
std::string render_chatml(const std::vector<ChatMessage>& messages, const ChatOptions& options);

// A Qwen2.5-Instruct style template text (ChatML with the default system prompt) that
// recognise_chat_template_text reads as qwen2.5; make-tiny-model writes it.
const std::string& qwen25_chat_template_text();

}  // namespace softcot::tokenizer
