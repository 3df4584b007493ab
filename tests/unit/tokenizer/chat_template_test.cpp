#include <gtest/gtest.h>

#include "test_data.h"
#include "core/error.h"
#include "tokenizer/chat_template.h"

namespace softcot::tokenizer {
namespace {

using testing::loaded;
using testing::read_jsonl;
using testing::shared_path;

// The content of the message that follows `header` ("<|im_start|>user\n") in a prompt.
std::string message_content(const std::string& prompt, const std::string& header) {
  const auto begin = prompt.find(header);
  EXPECT_NE(begin, std::string::npos) << header;
  const auto content = begin + header.size();
  return prompt.substr(content, prompt.find("<|im_end|>", content) - content);
}

// The SoftCoT reference's prompts (rendered by transformers' apply_chat_template) and their
// token ids: our rendering must give the same text, and our tokenizer the same ids.
TEST(ChatTemplate, ReproducesTheSoftCotPromptCases) {
  const auto cases = read_jsonl(shared_path("data/softcot_prompt_cases.jsonl"));
  ASSERT_GE(cases.size(), 50u);
  const Tokenizer& tok = loaded("qwen3");
  for (const auto& c : cases) {
    const std::string base = c["base_prompt"], assistant = c["assistant_prompt"];
    const std::string user = message_content(base, "<|im_start|>user\n");
    EXPECT_EQ(render_chatml({{"user", user}}, false), base);
    // The prefilled assistant message is rendered as a closed message: the reference's
    // assistant prompt ends with "<|im_end|>\n", not with the open assistant turn.
    const std::string question = message_content(assistant, "<|im_start|>user\n");
    const std::string prefill = message_content(assistant, "<|im_start|>assistant\n");
    EXPECT_EQ(render_chatml({{"user", question}, {"assistant", prefill}}, false), assistant);

    EXPECT_EQ(tok.encode(base), c["base_ids"].get<std::vector<int32_t>>()) << c["task"];
    EXPECT_EQ(tok.encode(assistant), c["assistant_ids"].get<std::vector<int32_t>>()) << c["task"];
  }
}

TEST(ChatTemplate, DefaultSystemPromptAndGenerationPrompt) {
  EXPECT_EQ(render_chatml({{"user", "Hi"}}, true),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  // A given system message replaces the default one.
  EXPECT_EQ(render_chatml({{"system", "Be brief."}, {"user", "Hi"}}, false),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
  EXPECT_EQ(render_chatml({{"user", "Hi"}, {"assistant", "Here"}},
                          ChatOptions{.add_generation_prompt = false, .continue_final_message = true}),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHere");
}

// Meta's template trims each message with Jinja's `trim` (Python str.strip(): every
// str.isspace() code point, NBSP and the ideographic space included) and puts a given system
// message after the date header.
TEST(ChatTemplate, Llama3TrimsAsPythonAndTakesTheSystemMessage) {
  const ChatTemplate llama{ChatTemplateKind::kLlama3, "llama3.1"};
  EXPECT_EQ(render_chat(llama, {{"system", " Be brief.\n"}, {"user", "\u00a0 Hi\u3000\n"}}, {true, false}, "02 Dec 2026"),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
            "Today Date: 02 Dec 2026\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, TemplatesAreRecognisedByTheirTextOnly) {
  const std::string shared = std::string(SOFTCOT_SHARED_DIR) + "/data/tokenizers/";
  EXPECT_EQ(recognise_chat_template(shared + "llama3_1_instruct").name, "llama3.1");
  EXPECT_EQ(recognise_chat_template(shared + "llama3_2_instruct").name, "llama3.2");
  EXPECT_EQ(recognise_chat_template(shared + "qwen3").name, "qwen3");
  ChatTemplate t;
  EXPECT_TRUE(recognise_chat_template_text(qwen25_chat_template_text(), &t));
  EXPECT_EQ(t.name, "qwen2.5");
  // Llama-3's short template (the llama3_1 npm package's) is not Meta's 3.1 one: refused.
  EXPECT_THROW(recognise_chat_template(shared + "llama3_1"), Error);
  std::string edited = qwen25_chat_template_text();
  edited += "{{- '<think>' }}";
  EXPECT_FALSE(recognise_chat_template_text(edited, &t));
}

}  // namespace
}  // namespace softcot::tokenizer
