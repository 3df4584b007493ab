#pragma once
// Qwen2.5's chat template (ChatML), rendered in C++ for the SoftCoT prompts. What it
// reproduces of the Jinja template in tokenizer_config.json: a default system message
// when the conversation has none; every message as "<|im_start|>{role}\n{content}<|im_end|>\n";
// optionally the generation prompt "<|im_start|>assistant\n". Tool calls are not supported.
#include <string>
#include <vector>

namespace softcot::tokenizer {

struct ChatMessage {
  std::string role;
  std::string content;
};

inline constexpr const char* kQwenDefaultSystemPrompt =
    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

struct ChatOptions {
  bool add_generation_prompt = false;
  // Leave the last message open (no "<|im_end|>\n") so the model continues it, like
  // transformers' continue_final_message. Excludes add_generation_prompt.
  bool continue_final_message = false;
};

std::string render_chatml(const std::vector<ChatMessage>& messages, bool add_generation_prompt);
std::string render_chatml(const std::vector<ChatMessage>& messages, const ChatOptions& options);

}  // namespace softcot::tokenizer
