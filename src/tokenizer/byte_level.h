#pragma once
// GPT-2's byte-level alphabet: each of the 256 byte values is written as one printable
// code point, so every vocabulary entry is a string of those code points. Printable
// Latin-1 bytes stand for themselves; the others map to U+0100 upwards in byte order.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace softcot::tokenizer {

char32_t byte_to_code_point(uint8_t byte);
std::optional<uint8_t> code_point_to_byte(char32_t cp);

// The raw bytes a vocabulary string stands for, or nullopt when one of its code points
// is outside the alphabet (added tokens like "<|im_end|>" are inside it; HF falls back to
// the token's own UTF-8 for the others, and so do callers of this).
std::optional<std::string> vocab_string_to_bytes(std::string_view token);

std::string bytes_to_vocab_string(std::string_view bytes);

}  // namespace softcot::tokenizer
