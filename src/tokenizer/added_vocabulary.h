#pragma once
// Added tokens (special or not) are found in the text before anything else, with HF's
// AddedVocabulary semantics: leftmost-longest matches, the single_word, lstrip and rstrip
// flags, and two passes: tokens with normalized=false on the raw text, the others on the
// normalized text.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace softcot::tokenizer {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

// A run of text that is either one added token (id >= 0) or ordinary text (id == -1).
struct Segment {
  std::string_view text;
  int32_t id = -1;
};

class AddedTokenMatcher {
 public:
  AddedTokenMatcher() = default;
  // `patterns[i]` is what to look for (the content, or its normalized form) for tokens[i].
  AddedTokenMatcher(std::vector<AddedToken> tokens, std::vector<std::string> patterns);

  bool empty() const { return tokens_.empty(); }
  // Appends segments that cover `text` in order; ordinary segments are never empty.
  void split(std::string_view text, std::vector<Segment>& out) const;

 private:
  std::vector<AddedToken> tokens_;
  std::vector<std::string> patterns_;
  // Token indices by the first byte of their pattern, longest pattern first.
  std::array<std::vector<uint32_t>, 256> by_first_byte_;
};

}  // namespace softcot::tokenizer
