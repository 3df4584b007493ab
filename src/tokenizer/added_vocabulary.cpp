#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace softcot::tokenizer {

namespace {

bool ends_with_word_char(std::string_view text, size_t end) {
  return end > 0 && is_word_char(last_code_point(text, end));
}

bool starts_with_word_char(std::string_view text, size_t begin) {
  if (begin >= text.size()) return false;
  char32_t cp;
  decode_utf8(reinterpret_cast<const unsigned char*>(text.data()) + begin, cp);
  return is_word_char(cp);
}

// Start of the white space run that ends at `end` (Rust's \s: White_Space).
size_t space_run_start(std::string_view text, size_t end) {
  while (end > 0) {
    size_t start;
    const char32_t cp = last_code_point(text, end, &start);
    if (!(char_class(cp) & kSpace)) break;
    end = start;
  }
  return end;
}

size_t space_run_end(std::string_view text, size_t begin) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  while (begin < text.size()) {
    char32_t cp;
    const int len = decode_utf8(p + begin, cp);
    if (!(char_class(cp) & kSpace)) break;
    begin += static_cast<size_t>(len);
  }
  return begin;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens,
                                     std::vector<std::string> patterns)
    : tokens_(std::move(tokens)), patterns_(std::move(patterns)) {
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    if (patterns_[i].empty()) continue;  // HF ignores empty tokens
    by_first_byte_[static_cast<uint8_t>(patterns_[i][0])].push_back(i);
  }
  for (auto& candidates : by_first_byte_) {
    std::stable_sort(candidates.begin(), candidates.end(), [&](uint32_t a, uint32_t b) {
      return patterns_[a].size() > patterns_[b].size();
    });
  }
}

void AddedTokenMatcher::split(std::string_view text, std::vector<Segment>& out) const {
  size_t emitted = 0;  // text before this offset is already in `out`
  size_t pos = 0;      // where the search for the next match resumes
  while (pos < text.size()) {
    // Leftmost-longest: the first position where any pattern matches, the longest there.
    const auto& candidates = by_first_byte_[static_cast<uint8_t>(text[pos])];
    int found = -1;
    for (const uint32_t i : candidates) {
      if (text.compare(pos, patterns_[i].size(), patterns_[i]) == 0) {
        found = static_cast<int>(i);
        break;
      }
    }
    if (found < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[found];
    size_t start = pos, stop = pos + patterns_[found].size();
    pos = stop;
    if (token.single_word &&
        (ends_with_word_char(text, start) || starts_with_word_char(text, stop))) {
      continue;  // inside a word: not this token, and the search goes on after it
    }
    if (start < emitted) continue;  // overlaps white space an rstrip token already took
    if (token.lstrip) start = std::max(space_run_start(text, start), emitted);
    if (token.rstrip) stop = space_run_end(text, stop);
    if (emitted < start) out.push_back({text.substr(emitted, start - emitted), -1});
    out.push_back({text.substr(start, stop - start), token.id});
    emitted = stop;
    pos = std::max(pos, stop);
  }
  if (emitted < text.size()) out.push_back({text.substr(emitted), -1});
}

}  // namespace softcot::tokenizer
