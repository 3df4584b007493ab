#include "tokenizer/chat_template.h"

#include <cstring>
#include <filesystem>

#include "core/digest.h"
#include "core/error.h"
#include "core/json_file.h"

namespace softcot::tokenizer {

namespace {

// sha256 of the published template texts (../shared/data/tokenizers/*/tokenizer_config.json).
constexpr const char* kLlama31Sha256 = "e10ca381b1ccc5cf9db52e371f3b6651576caee0a630b452e2816b2d404d4b65";
constexpr const char* kLlama32Sha256 = "5816fce10444e03c2e9ee1ef8a4a1ea61ae7e69e438613f3b17b69d0426223a4";
constexpr const char* kQwen3Sha256 = "87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5";

void render_chatml_message(std::string& out, const std::string& role, const std::string& content) {
  out += "<|im_start|>";
  out += role;
  out += '\n';
  out += content;
}

// Python's str.isspace() code points (what Jinja's `trim`, str.strip(), removes), in UTF-8.
const char* const kPythonSpaces[] = {
    "\t", "\n", "\v", "\f", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\u0085", "\u00a0", "\u1680",
    "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009",
    "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"};

size_t space_at(const std::string& s, size_t at) {  // bytes of the space starting at `at`, or 0
  for (const char* sp : kPythonSpaces) {
    if (s.compare(at, std::strlen(sp), sp) == 0) return std::strlen(sp);
  }
  return 0;
}

size_t space_ending_at(const std::string& s, size_t end) {  // bytes of the space ending at `end`
  for (const char* sp : kPythonSpaces) {
    const size_t n = std::strlen(sp);
    if (end >= n && s.compare(end - n, n, sp) == 0) return n;
  }
  return 0;
}

// Jinja's `trim` filter: Python's str.strip().
std::string strip(const std::string& s) {
  size_t b = 0, e = s.size();
  for (size_t n; b < e && (n = space_at(s, b)) > 0;) b += n;
  for (size_t n; e > b && (n = space_ending_at(s, e)) > 0;) e -= n;
  return s.substr(b, e - b);
}

std::string render_llama3(const std::vector<ChatMessage>& messages, const ChatOptions& o,
                          const std::string& date) {
  if (o.continue_final_message) throw usage_error("chat template llama3: continue_final_message is not supported");
  size_t first = 0;
  std::string system;
  if (!messages.empty() && messages.front().role == "system") {
    system = strip(messages.front().content);
    first = 1;
  }
  std::string out = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n";
  out += "Cutting Knowledge Date: December 2023\nToday Date: " + date + "\n\n" + system + "<|eot_id|>";
  for (size_t i = first; i < messages.size(); ++i) {
    out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + strip(messages[i].content) +
           "<|eot_id|>";
  }
  if (o.add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

std::string lstrip_newlines(const std::string& s) {
  const size_t b = s.find_first_not_of('\n');
  return b == std::string::npos ? "" : s.substr(b);
}

std::string render_qwen3(const std::vector<ChatMessage>& messages, const ChatOptions& o) {
  if (o.continue_final_message) throw usage_error("chat template qwen3: continue_final_message is not supported");
  std::string out;
  if (!messages.empty() && messages.front().role == "system") {
    out += "<|im_start|>system\n" + messages.front().content + "<|im_end|>\n";
  }
  // The last user message that is not a tool response.
  int64_t last_query = static_cast<int64_t>(messages.size()) - 1;
  for (int64_t i = last_query; i >= 0; --i) {
    const ChatMessage& m = messages[static_cast<size_t>(i)];
    const bool tool_response = starts_with(m.content, "<tool_response>") &&
                               m.content.size() >= 16 && m.content.rfind("</tool_response>") == m.content.size() - 16;
    if (m.role == "user" && !tool_response) {
      last_query = i;
      break;
    }
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "user" || (m.role == "system" && i != 0)) {
      out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
    } else if (m.role == "assistant") {
      if (m.content.find("</think>") != std::string::npos) {
        throw usage_error("chat template qwen3: assistant messages with think blocks are not supported");
      }
      const bool last = i + 1 == messages.size();
      if (static_cast<int64_t>(i) > last_query && last) {
        out += "<|im_start|>assistant\n<think>\n\n</think>\n\n" + lstrip_newlines(m.content);
      } else {
        out += "<|im_start|>assistant\n" + m.content;
      }
      out += "<|im_end|>\n";
    } else if (m.role != "system") {
      throw usage_error("chat template qwen3: role '" + m.role + "' is not supported");
    }
  }
  if (o.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::string read_template_text(const std::string& dir, std::string* source) {
  namespace fs = std::filesystem;
  const std::string config = (fs::path(dir) / "tokenizer_config.json").string();
  if (fs::exists(config)) {
    const Json j = read_json_file(config);
    const auto it = j.find("chat_template");
    if (it != j.end() && it->is_string()) {
      *source = config;
      return it->get<std::string>();
    }
    if (it != j.end() && !it->is_null()) {
      throw bad_input(config, "key 'chat_template' is not a single template text (named templates are not supported)");
    }
  }
  // transformers 5 saves the template in a file of its own.
  const std::string jinja = (fs::path(dir) / "chat_template.jinja").string();
  if (fs::exists(jinja)) {
    *source = jinja;
    return read_text_file(jinja);
  }
  throw bad_input(fs::exists(config) ? config : dir,
                  "no chat template (neither tokenizer_config.json's chat_template nor chat_template.jinja)");
}

}  // namespace

bool recognise_chat_template_text(const std::string& text, ChatTemplate* out) {
  const std::string digest = sha256_hex(text);
  if (digest == kLlama31Sha256) {
    *out = {ChatTemplateKind::kLlama3, "llama3.1"};
  } else if (digest == kLlama32Sha256) {
    *out = {ChatTemplateKind::kLlama3, "llama3.2"};
  } else if (digest == kQwen3Sha256) {
    *out = {ChatTemplateKind::kQwen3, "qwen3"};
  } else if (text.find(kQwenDefaultSystemPrompt) != std::string::npos &&
             text.find("<|im_start|>") != std::string::npos && text.find("<think>") == std::string::npos) {
    *out = {ChatTemplateKind::kQwen25, "qwen2.5"};  // Qwen2.5-Instruct's ChatML, by its default system line
  } else {
    return false;
  }
  return true;
}

ChatTemplate recognise_chat_template(const std::string& dir) {
  std::string source;
  const std::string text = read_template_text(dir, &source);
  ChatTemplate t;
  if (!recognise_chat_template_text(text, &t)) {
    throw bad_input(source, "chat template not recognised (sha256 " + sha256_hex(text).substr(0, 16) +
                                "...): only Qwen2.5-Instruct's, Qwen3's and Meta's Llama-3.1/3.2-Instruct "
                                "templates are rendered");
  }
  return t;
}

std::string render_chat(const ChatTemplate& chat_template, const std::vector<ChatMessage>& messages,
                        const ChatOptions& options, const std::string& date) {
  if (options.add_generation_prompt && options.continue_final_message) {
    throw usage_error("chat template: add_generation_prompt and continue_final_message exclude each other");
  }
  switch (chat_template.kind) {
    case ChatTemplateKind::kQwen25: return render_chatml(messages, options);
    case ChatTemplateKind::kQwen3: return render_qwen3(messages, options);
    case ChatTemplateKind::kLlama3: return render_llama3(messages, options, date);
  }
  throw failure("chat template", "unknown kind");
}

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
    render_chatml_message(out, "system", kQwenDefaultSystemPrompt);
    out += "<|im_end|>\n";
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    render_chatml_message(out, messages[i].role, messages[i].content);
    const bool open = options.continue_final_message && i + 1 == messages.size();
    if (!open) out += "<|im_end|>\n";
  }
  if (options.add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

const std::string& qwen25_chat_template_text() {
  // The non-tool part of Qwen2.5-Instruct's template, written out here.
  static const std::string text =
      "{%- if messages[0]['role'] == 'system' %}\n"
      "    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
      "{%- else %}\n"
      "    {{- '<|im_start|>system\\n" + std::string(kQwenDefaultSystemPrompt) + "<|im_end|>\\n' }}\n"
      "{%- endif %}\n"
      "{%- for message in messages %}\n"
      "    {%- if not (message.role == 'system' and loop.first) %}\n"
      "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
      "    {%- endif %}\n"
      "{%- endfor %}\n"
      "{%- if add_generation_prompt %}\n"
      "    {{- '<|im_start|>assistant\\n' }}\n"
      "{%- endif %}\n";
  return text;
}

}  // namespace softcot::tokenizer
