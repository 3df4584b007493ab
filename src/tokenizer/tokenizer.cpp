#include "tokenizer/tokenizer.h"

#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unicode.h"

namespace softcot::tokenizer {

Tokenizer Tokenizer::from_file(const std::string& tokenizer_json_path) {
  return Tokenizer(load_tokenizer_json(tokenizer_json_path));
}

namespace {

// NFC -> added tokens on the normalized text -> regex pieces -> BPE.
void encode_ordinary(const Tokenizer::Impl& t, std::string_view text, std::vector<int32_t>& ids) {
  std::string normalized_storage;
  const std::string_view normalized = t.nfc ? nfc(text, normalized_storage) : text;
  std::vector<Segment> segments;
  if (t.normalized_added.empty()) {
    segments.push_back({normalized, -1});
  } else {
    t.normalized_added.split(normalized, segments);
  }
  thread_local std::vector<std::string_view> pieces;
  for (const Segment& segment : segments) {
    if (segment.id >= 0) {
      ids.push_back(segment.id);
      continue;
    }
    pieces.clear();
    t.pre_tokenizer->split(segment.text, pieces);
    for (const std::string_view piece : pieces) t.bpe->encode_piece(piece, ids);
  }
}

}  // namespace

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  const Impl& t = *impl_;
  std::string repaired;
  if (!is_valid_utf8(text)) {
    repaired = utf8_lossy(text);
    text = repaired;
  }
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  if (t.raw_added.empty()) {
    encode_ordinary(t, text, ids);
    return ids;
  }
  std::vector<Segment> segments;
  t.raw_added.split(text, segments);
  for (const Segment& segment : segments) {
    if (segment.id >= 0) {
      ids.push_back(segment.id);
    } else {
      encode_ordinary(t, segment.text, ids);
    }
  }
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  const Impl& t = *impl_;
  std::string bytes;
  for (const int32_t id : ids) {
    if (id < 0 || id >= static_cast<int32_t>(t.known.size()) || !t.known[id]) continue;
    if (skip_special_tokens && t.special[id]) continue;
    bytes += t.id_bytes[id];
  }
  return is_valid_utf8(bytes) ? bytes : utf8_lossy(bytes);
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  const auto it = impl_->token_ids.find(std::string(token));
  if (it == impl_->token_ids.end()) return std::nullopt;
  return it->second;
}

std::string Tokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= static_cast<int32_t>(impl_->id_tokens.size())) return {};
  return impl_->id_tokens[id];
}

int32_t Tokenizer::vocab_size() const { return static_cast<int32_t>(impl_->known.size()); }

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && id < static_cast<int32_t>(impl_->special.size()) && impl_->special[id];
}

}  // namespace softcot::tokenizer
