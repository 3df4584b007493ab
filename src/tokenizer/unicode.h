#pragma once
// Unicode helpers for the tokenizer: UTF-8 decoding, the character classes the
// pre-tokenizer regexes use (as Oniguruma, HF tokenizers' regex engine, defines them),
// NFC through ICU, and lossy UTF-8 repair as Rust's String::from_utf8_lossy does it.
#include <cstdint>
#include <string>
#include <string_view>

namespace softcot::tokenizer {

// Bit flags. \p{L} = general categories Lu Ll Lt Lm Lo; \p{N} = Nd Nl No, both as of
// Unicode 16.0 like HF's Oniguruma; \s = the White_Space property (Oniguruma's Unicode \s).
enum CharClass : uint8_t { kLetter = 1, kNumber = 2, kSpace = 4 };

uint8_t char_class(char32_t cp);

// \w as Rust's regex crate defines it (Alphabetic, M, Nd, Pc, Join_Control): used only for
// the single_word flag of added tokens.
bool is_word_char(char32_t cp);

// Decodes one code point of *valid* UTF-8 at p; returns its length in bytes.
inline int decode_utf8(const unsigned char* p, char32_t& cp) {
  const unsigned char b = p[0];
  if (b < 0x80) { cp = b; return 1; }
  if (b < 0xE0) { cp = ((b & 0x1Fu) << 6) | (p[1] & 0x3Fu); return 2; }
  if (b < 0xF0) {
    cp = ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    return 3;
  }
  cp = ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
  return 4;
}

// Decodes the code point that ends just before byte `end` of valid UTF-8 text.
char32_t last_code_point(std::string_view text, size_t end, size_t* start = nullptr);

void append_utf8(std::string& out, char32_t cp);

bool is_valid_utf8(std::string_view bytes);

// Every maximal ill-formed subsequence becomes one U+FFFD (the Unicode "maximal subpart"
// practice that Rust's from_utf8_lossy and HF's decoder follow).
std::string utf8_lossy(std::string_view bytes);

// The NFC form of valid UTF-8 `text`: `text` itself when it is already NFC (the common
// case, no copy), else a view of `out`, which receives the normalized text.
std::string_view nfc(std::string_view text, std::string& out);

}  // namespace softcot::tokenizer
