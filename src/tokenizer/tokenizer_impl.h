#pragma once
// The state behind a Tokenizer, shared by the loader (tokenizer_json.cpp) and the
// encoder/decoder (tokenizer.cpp). Not part of the public API.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace softcot::tokenizer {

struct Tokenizer::Impl {
  std::string path;
  bool nfc = false;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<BpeModel> bpe;
  AddedTokenMatcher raw_added;         // added tokens with normalized=false
  AddedTokenMatcher normalized_added;  // the others, matched after NFC
  std::unordered_map<std::string, int32_t> token_ids;  // vocabulary and added tokens
  std::vector<std::string> id_tokens;  // by id: the vocabulary string ("" for holes)
  std::vector<std::string> id_bytes;   // by id: the bytes it decodes to
  std::vector<uint8_t> special;        // by id
  std::vector<uint8_t> known;          // by id: 1 where the id exists
};

std::shared_ptr<Tokenizer::Impl> load_tokenizer_json(const std::string& path);

}  // namespace softcot::tokenizer
