#include "softcot/extract.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "core/error.h"

namespace softcot {

namespace {

using CodePoints = std::vector<UChar32>;

// UTF-8 -> code points; invalid bytes become U+FFFD as in a lossy decode.
CodePoints to_code_points(std::string_view text) {
  CodePoints out;
  out.reserve(text.size());
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  while (i < length) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    out.push_back(c < 0 ? 0xFFFD : c);
  }
  return out;
}

// Python's str.lower(): full Unicode lower-casing (İ -> i̇, final sigma), no locale.
CodePoints python_lower(const CodePoints& text) {
  std::vector<UChar> utf16;
  utf16.reserve(text.size() + 8);
  for (UChar32 c : text) {
    if (U_IS_BMP(c)) {
      utf16.push_back(static_cast<UChar>(c));
    } else {
      utf16.push_back(U16_LEAD(c));
      utf16.push_back(U16_TRAIL(c));
    }
  }
  std::vector<UChar> lowered(utf16.size() * 3 + 16);
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = u_strToLower(lowered.data(), static_cast<int32_t>(lowered.size()), utf16.data(),
                           static_cast<int32_t>(utf16.size()), "", &status);
  if (U_FAILURE(status)) throw failure("extract_answer", "lower-casing failed");
  CodePoints out;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(lowered.data(), i, n, c);
    out.push_back(c);
  }
  return out;
}

// Python re's \w on str: letters, anything with a numeric value, and '_'.
bool is_word_char(UChar32 c) {
  if (c == '_') return true;
  if (u_isalpha(c)) return true;
  return u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
}

// Python re's \d on str: any decimal digit (Nd); its value is what int()/float() read.
int decimal_value(UChar32 c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c < 128 || u_charType(c) != U_DECIMAL_DIGIT_NUMBER) return -1;
  return u_charDigitValue(c);
}

bool boundary_at(const CodePoints& s, size_t i) {  // \b between s[i-1] and s[i]
  const bool before = i > 0 && is_word_char(s[i - 1]);
  const bool after = i < s.size() && is_word_char(s[i]);
  return before != after;
}

// re.search(r'\b<word>\b', s).start(), or -1.
long find_word(const CodePoints& s, std::u32string_view word) {
  if (s.size() < word.size()) return -1;
  for (size_t i = 0; i + word.size() <= s.size(); ++i) {
    bool same = true;
    for (size_t k = 0; k < word.size() && same; ++k) same = s[i + k] == static_cast<UChar32>(word[k]);
    if (same && boundary_at(s, i) && boundary_at(s, i + word.size())) return static_cast<long>(i);
  }
  return -1;
}

// Last match of re.findall(r'\s*([\d,]+(?:\.\d+)?)\s*', text), as ASCII text; empty if none.
// The scan is left to right like findall's, so "1.2.3" ends with "3", not "2.3".
std::string last_number_match(const CodePoints& s, bool* found) {
  std::string last;
  *found = false;
  size_t i = 0;
  while (i < s.size()) {
    if (decimal_value(s[i]) < 0 && s[i] != ',') {
      ++i;
      continue;
    }
    std::string match;
    while (i < s.size() && (decimal_value(s[i]) >= 0 || s[i] == ',')) {
      match += s[i] == ',' ? ',' : static_cast<char>('0' + decimal_value(s[i]));
      ++i;
    }
    if (i + 1 < s.size() && s[i] == '.' && decimal_value(s[i + 1]) >= 0) {
      match += '.';
      ++i;
      while (i < s.size() && decimal_value(s[i]) >= 0) {
        match += static_cast<char>('0' + decimal_value(s[i]));
        ++i;
      }
    }
    last = std::move(match);
    *found = true;
  }
  return last;
}

// CPython refuses int() of more than 4300 digits (sys.int_info.default_max_str_digits);
// the reference catches that ValueError and records None.
constexpr size_t kPythonMaxIntDigits = 4300;

Answer extract_number(std::string_view text) {
  CodePoints cleaned;
  for (UChar32 c : to_code_points(text)) {
    if (c != ',' && c != '%' && c != '$') cleaned.push_back(c);
  }
  bool found = false;
  std::string match = last_number_match(cleaned, &found);
  if (!found) return Answer::none();
  std::string digits;
  for (char c : match) {
    if (c != ',') digits += c;
  }
  // A match of commas only ("," survives in the regex class) is int('') -> ValueError -> None.
  if (digits.empty()) return Answer::none();
  if (digits.find('.') != std::string::npos) {
    return Answer::from_float(python_round2(std::strtod(digits.c_str(), nullptr)));
  }
  if (digits.size() > kPythonMaxIntDigits) return Answer::none();
  return Answer::from_integer_text(digits);
}

Answer extract_letter(std::string_view text) {
  CodePoints reversed = python_lower(to_code_points(text));
  std::reverse(reversed.begin(), reversed.end());
  for (size_t i = 0; i < reversed.size(); ++i) {
    const UChar32 c = reversed[i];
    if (c >= 'a' && c <= 'f' && boundary_at(reversed, i) && boundary_at(reversed, i + 1)) {
      return Answer::from_text(std::string(1, static_cast<char>(c - 'a' + 'A')));
    }
  }
  return Answer::none();
}

Answer extract_yes_no(std::string_view text) {
  const CodePoints raw = to_code_points(text);
  CodePoints reversed = python_lower(raw);
  std::reverse(reversed.begin(), reversed.end());
  // Positions in the reversed lower-cased text; "absent" is len(raw) as in the reference
  // (lower() may lengthen the text, which the reference does not account for either).
  const long absent = static_cast<long>(raw.size());
  long last_yes = find_word(reversed, U"sey");
  long last_no = find_word(reversed, U"on");
  if (last_yes < 0) last_yes = absent;
  if (last_no < 0) last_no = absent;
  if (last_yes == absent && last_no == absent) return Answer::none();
  return Answer::from_bool(last_yes < last_no);
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// The last line of `answer` without commas, which must start with "####".
std::string final_answer_line(const Json& row, const std::string& subject) {
  const std::string answer = json_require<std::string>(row, "answer", subject);
  const size_t newline = answer.rfind('\n');
  std::string line = newline == std::string::npos ? answer : answer.substr(newline + 1);
  if (line.rfind("####", 0) != 0) {
    throw bad_input(subject, "the last line of 'answer' does not start with '####'");
  }
  line.erase(std::remove(line.begin(), line.end(), ','), line.end());
  return line;
}

// Python's int()/float() of the text after "####" (whitespace allowed around it).
Answer parse_number(std::string_view text, const std::string& subject) {
  const std::string_view body = strip(text);
  auto reject = [&]() {
    return bad_input(subject, "the final answer '" + std::string(body) + "' is not a number");
  };
  if (body.find('.') == std::string_view::npos) {
    try {
      return Answer::from_integer_text(body);
    } catch (const Error&) {
      throw reject();
    }
  }
  for (char c : body) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      throw reject();
    }
  }
  const std::string copy(body);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) throw reject();
  return Answer::from_float(value);
}

}  // namespace

Answer extract_answer(Task task, std::string_view text) {
  switch (task_info(task).answer_kind) {
    case AnswerKind::kNumber: return extract_number(text);
    case AnswerKind::kLetter: return extract_letter(text);
    case AnswerKind::kYesNo: return extract_yes_no(text);
  }
  return Answer::none();
}

Answer parse_ground_truth(Task task, const Json& row, const std::string& subject) {
  switch (task) {
    case Task::kGsm8k:
    case Task::kAsdivAug:
      return parse_number(std::string_view(final_answer_line(row, subject)).substr(4), subject);
    case Task::kAqua:
      return Answer::from_text(std::string(strip(std::string_view(final_answer_line(row, subject)).substr(4))));
    case Task::kDu:
      // The reference compares against the raw field (its prompt builder splits it as a string).
      return Answer::from_text(json_require<std::string>(row, "answer", subject));
    case Task::kStrategyQa: {
      auto it = row.find("answer");
      if (it == row.end()) throw bad_input_for_key(subject, "answer", "is missing");
      return Answer::from_json(*it, subject);
    }
  }
  return Answer::none();
}

}  // namespace softcot
