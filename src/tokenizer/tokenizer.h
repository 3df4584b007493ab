#pragma once
// An exact C++ twin of HF `tokenizers` for byte-level BPE tokenizer.json files (Qwen2,
// Qwen2.5, Qwen3; Llama-3's regex too). Pipeline of encode, as HF runs it:
//   added tokens (raw text) -> NFC -> added tokens (normalized) -> Split regex
//   -> byte-level alphabet -> BPE merges by rank.
// encode() has add_special_tokens=false semantics: nothing is prepended or appended.
// A Tokenizer is cheap to copy (shared, immutable state) and safe to use from many threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace softcot::tokenizer {

class Tokenizer {
 public:
  // Throws softcot::Error (bad_input naming the file) for a missing, malformed or
  // unsupported tokenizer.json.
  static Tokenizer from_file(const std::string& tokenizer_json_path);

  // Invalid UTF-8 in `text` is read as U+FFFD, as if it had been decoded lossily first.
  std::vector<int32_t> encode(std::string_view text) const;
  // Ids outside the vocabulary are skipped, as HF does; byte sequences that are not valid
  // UTF-8 (a character cut between tokens) come out as U+FFFD.
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::string id_to_token(int32_t id) const;  // "" for an id outside the vocabulary
  int32_t vocab_size() const;                 // model vocabulary plus added tokens
  bool is_special(int32_t id) const;

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace softcot::tokenizer
