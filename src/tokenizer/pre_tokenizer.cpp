#include "tokenizer/pre_tokenizer.h"

#include <cstdint>

#include "tokenizer/unicode.h"

namespace softcot::tokenizer {

namespace {

struct CodePoint {
  char32_t cp;
  uint8_t cls;
  uint32_t offset;  // byte offset in the text
};

bool is_newline(char32_t c) { return c == '\r' || c == '\n'; }

// Case folding as Oniguruma's (?i) applies it to the contraction letters: ASCII case, and
// U+017F LATIN SMALL LETTER LONG S, which folds to 's'.
char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + ('a' - 'A');
  if (c == 0x17F) return 's';
  return c;
}

// The end (exclusive) of the regex match that starts at code point i. Every code point
// starts some match (the alternatives cover letters, numbers, spaces and everything
// else), so the matches tile the text. Alternatives are tried in the regex's order.
size_t match_end(const std::vector<CodePoint>& s, size_t i, int max_digit_run) {
  const size_t n = s.size();
  const auto cls = [&](size_t k) { return s[k].cls; };
  const auto is_letter = [&](size_t k) { return (cls(k) & kLetter) != 0; };
  const auto is_other = [&](size_t k) { return (cls(k) & (kLetter | kNumber | kSpace)) == 0; };
  const char32_t c = s[i].cp;

  // (?i:'s|'t|'re|'ve|'m|'ll|'d)
  if (c == '\'' && i + 1 < n) {
    const char32_t c1 = fold(s[i + 1].cp);
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return i + 2;
    if (i + 2 < n) {
      const char32_t c2 = fold(s[i + 2].cp);
      if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
        return i + 3;
      }
    }
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+
  size_t j = i;
  if (!is_letter(i) && !(cls(i) & kNumber) && !is_newline(c) && i + 1 < n && is_letter(i + 1)) {
    j = i + 1;
  }
  if (is_letter(j)) {
    while (j < n && is_letter(j)) ++j;
    return j;
  }
  // \p{N} or \p{N}{1,3}
  if (cls(i) & kNumber) {
    j = i + 1;
    while (j < n && static_cast<int>(j - i) < max_digit_run && (cls(j) & kNumber)) ++j;
    return j;
  }
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  j = (c == ' ' && i + 1 < n && is_other(i + 1)) ? i + 1 : i;
  if (is_other(j)) {
    while (j < n && is_other(j)) ++j;
    while (j < n && is_newline(s[j].cp)) ++j;
    return j;
  }
  // Only white space is left. \s*[\r\n]+ : backtracking \s* stops at the last newline.
  size_t run_end = i;
  size_t last_newline = n;
  for (; run_end < n && (cls(run_end) & kSpace); ++run_end) {
    if (is_newline(s[run_end].cp)) last_newline = run_end;
  }
  if (last_newline != n) return last_newline + 1;
  // \s+(?!\S) : the whole run at the end of text, else all but its last space.
  if (run_end == n) return n;
  if (run_end - i >= 2) return run_end - 1;
  // \s+
  return run_end;
}

}  // namespace

void ContractionWordSplitter::split(std::string_view text,
                                    std::vector<std::string_view>& pieces) const {
  thread_local std::vector<CodePoint> code_points;
  code_points.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    const int len = decode_utf8(p + i, cp);
    code_points.push_back({cp, char_class(cp), static_cast<uint32_t>(i)});
    i += static_cast<size_t>(len);
  }
  const size_t n = code_points.size();
  for (size_t i = 0; i < n;) {
    const size_t end = match_end(code_points, i, max_digit_run_);
    const size_t begin_byte = code_points[i].offset;
    const size_t end_byte = end < n ? code_points[end].offset : text.size();
    pieces.push_back(text.substr(begin_byte, end_byte - begin_byte));
    i = end;
  }
}

std::unique_ptr<PreTokenizer> make_split_pre_tokenizer(std::string_view regex) {
  if (regex == kQwen2Pattern) return std::make_unique<ContractionWordSplitter>(1);
  if (regex == kLlama3Pattern) return std::make_unique<ContractionWordSplitter>(3);
  return nullptr;
}

}  // namespace softcot::tokenizer
