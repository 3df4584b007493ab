#pragma once
// Pre-tokenizers cut normalized text into the pieces BPE encodes one at a time. The
// interface is a plain split so other models' regexes can be added beside the ones here;
// `make_split_pre_tokenizer` picks the implementation for a Split regex of tokenizer.json.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace softcot::tokenizer {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Appends to `pieces` consecutive, non-empty views of `text` (valid UTF-8) that cover it.
  virtual void split(std::string_view text, std::vector<std::string_view>& pieces) const = 0;
};

// Qwen2's Split regex (also Qwen2.5's and Qwen3's).
inline constexpr std::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Llama-3's: the same but digits go in runs of up to three.
inline constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// A hand-written matcher for the two patterns above (they differ only in the digit run
// length), with the regex's exact leftmost-first, backtracking semantics.
class ContractionWordSplitter final : public PreTokenizer {
 public:
  explicit ContractionWordSplitter(int max_digit_run) : max_digit_run_(max_digit_run) {}
  void split(std::string_view text, std::vector<std::string_view>& pieces) const override;

 private:
  int max_digit_run_;
};

// nullptr when the pattern is not one we implement.
std::unique_ptr<PreTokenizer> make_split_pre_tokenizer(std::string_view regex);

}  // namespace softcot::tokenizer
