// Reading tokenizer.json: which parts we support, and one-line errors for the rest.
#include <algorithm>

#include "core/error.h"
#include "core/json_file.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unicode.h"

namespace softcot::tokenizer {

namespace {

std::string type_of(const Json& j) {
  if (!j.is_object()) return "";
  const auto it = j.find("type");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// NFC alone, possibly inside a Sequence; nothing else is supported.
bool read_normalizer(const Json& j, const std::string& path) {
  if (j.is_null()) return false;
  const std::string type = type_of(j);
  if (type == "NFC") return true;
  if (type == "Sequence" && j.contains("normalizers") && j["normalizers"].is_array()) {
    bool nfc = false;
    for (const auto& n : j["normalizers"]) nfc = read_normalizer(n, path) || nfc;
    return nfc;
  }
  throw bad_input(path, "unsupported normalizer '" + j.dump().substr(0, 80) +
                            "' (only NFC is implemented)");
}

void check_byte_level(const Json& j, const std::string& path, const char* where) {
  if (j.value("add_prefix_space", false)) {
    throw bad_input(path, std::string(where) + ": ByteLevel add_prefix_space=true is not supported");
  }
}

// Split(regex, Isolated) followed by ByteLevel(use_regex=false): the Qwen2/Llama-3 shape.
std::unique_ptr<PreTokenizer> read_pre_tokenizer(const Json& j, const std::string& path) {
  const std::string type = type_of(j);
  const Json* split = nullptr;
  bool byte_level = false;
  if (type == "Sequence" && j.contains("pretokenizers") && j["pretokenizers"].is_array()) {
    for (const auto& p : j["pretokenizers"]) {
      const std::string t = type_of(p);
      if (t == "Split" && !split && !byte_level) {
        split = &p;
      } else if (t == "ByteLevel" && !byte_level && !p.value("use_regex", true)) {
        check_byte_level(p, path, "pre_tokenizer");
        byte_level = true;
      } else {
        throw bad_input(path, "unsupported pre_tokenizer step '" + p.dump().substr(0, 80) + "'");
      }
    }
  }
  if (!split || !byte_level) {
    throw bad_input(path, "unsupported pre_tokenizer (expected Split then ByteLevel with "
                          "use_regex=false)");
  }
  const auto pattern = split->find("pattern");
  if (pattern == split->end() || !pattern->is_object() || !pattern->contains("Regex") ||
      !(*pattern)["Regex"].is_string()) {
    throw bad_input(path, "pre_tokenizer Split has no Regex pattern");
  }
  if (split->value("behavior", "") != "Isolated" || split->value("invert", false)) {
    throw bad_input(path, "unsupported Split behavior (only Isolated, invert=false)");
  }
  const std::string regex = (*pattern)["Regex"].get<std::string>();
  auto pre_tokenizer = make_split_pre_tokenizer(regex);
  if (!pre_tokenizer) {
    throw bad_input(path, "unsupported pre_tokenizer regex '" + regex.substr(0, 60) +
                              "...' (Qwen2 and Llama-3 patterns are implemented)");
  }
  return pre_tokenizer;
}

std::pair<std::string, std::string> merge_pair(const Json& m, size_t rank, const std::string& path) {
  if (m.is_string()) {
    const std::string s = m.get<std::string>();
    const auto space = s.find(' ');
    if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
      throw bad_input(path, "merge " + std::to_string(rank) + " '" + s +
                                "' is not two tokens separated by one space");
    }
    return {s.substr(0, space), s.substr(space + 1)};
  }
  if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
    return {m[0].get<std::string>(), m[1].get<std::string>()};
  }
  throw bad_input(path, "merge " + std::to_string(rank) + " is neither \"a b\" nor [\"a\", \"b\"]");
}

void read_bpe(const Json& model, Tokenizer::Impl& t, const std::string& path) {
  if (type_of(model) != "BPE") {
    throw bad_input(path, "unsupported model type '" + type_of(model) + "' (only BPE)");
  }
  const auto vocab = model.find("vocab");
  if (vocab == model.end() || !vocab->is_object() || vocab->empty()) {
    throw bad_input(path, "model.vocab is missing or not an object of token -> id");
  }
  for (const auto& [token, id] : vocab->items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
      throw bad_input(path, "model.vocab: id of '" + token + "' is not a non-negative integer");
    }
    t.token_ids.emplace(token, static_cast<int32_t>(id.get<int64_t>()));
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const auto it = model.find(key);
    if (it != model.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty())) {
      throw bad_input(path, std::string("model.") + key + " is not supported");
    }
  }
  if (model.contains("dropout") && !model["dropout"].is_null()) {
    throw bad_input(path, "model.dropout is not supported");
  }

  const auto merges = model.find("merges");
  if (merges == model.end() || !merges->is_array()) {
    throw bad_input(path, "model.merges is missing or not an array");
  }
  MergeTable table;
  table.reserve(merges->size());
  for (size_t rank = 0; rank < merges->size(); ++rank) {
    const auto [left, right] = merge_pair((*merges)[rank], rank, path);
    const auto find = [&](const std::string& token) {
      const auto it = t.token_ids.find(token);
      if (it == t.token_ids.end()) {
        throw bad_input(path, "merge " + std::to_string(rank) + ": '" + token +
                                  "' is not in the vocabulary");
      }
      return it->second;
    };
    const int32_t l = find(left), r = find(right), merged = find(left + right);
    table.insert(l, r, {static_cast<int32_t>(rank), merged});
  }

  std::array<int32_t, 256> byte_ids{};
  for (int b = 0; b < 256; ++b) {
    std::string s;
    append_utf8(s, byte_to_code_point(static_cast<uint8_t>(b)));
    const auto it = t.token_ids.find(s);
    byte_ids[b] = it == t.token_ids.end() ? -1 : it->second;
  }
  const bool ignore_merges = model.value("ignore_merges", false);
  std::unordered_map<std::string, int32_t> whole_words;
  if (ignore_merges) {
    for (const auto& [token, id] : t.token_ids) {
      if (auto bytes = vocab_string_to_bytes(token)) whole_words.emplace(std::move(*bytes), id);
    }
  }
  t.bpe = std::make_unique<BpeModel>(byte_ids, std::move(table), ignore_merges,
                                     std::move(whole_words));
}

std::vector<AddedToken> read_added_tokens(const Json& root, const std::string& path) {
  std::vector<AddedToken> tokens;
  const auto list = root.find("added_tokens");
  if (list == root.end() || list->is_null()) return tokens;
  if (!list->is_array()) throw bad_input(path, "added_tokens is not an array");
  for (const auto& a : *list) {
    if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() ||
        !a.contains("content") || !a["content"].is_string() || a["id"].get<int64_t>() < 0) {
      throw bad_input(path, "added_tokens: an entry lacks an integer id or a string content");
    }
    AddedToken t;
    t.id = static_cast<int32_t>(a["id"].get<int64_t>());
    t.content = a["content"].get<std::string>();
    t.special = a.value("special", false);
    t.single_word = a.value("single_word", false);
    t.lstrip = a.value("lstrip", false);
    t.rstrip = a.value("rstrip", false);
    t.normalized = a.value("normalized", !t.special);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

void build_id_tables(Tokenizer::Impl& t, const std::vector<AddedToken>& added) {
  int32_t size = 0;
  for (const auto& [token, id] : t.token_ids) size = std::max(size, id + 1);
  for (const auto& a : added) size = std::max(size, a.id + 1);
  t.id_tokens.assign(size, {});
  t.id_bytes.assign(size, {});
  t.special.assign(size, 0);
  t.known.assign(size, 0);
  const auto set = [&](const std::string& token, int32_t id) {
    t.id_tokens[id] = token;
    // HF's ByteLevel decoder: a token outside the byte alphabet stands for its own UTF-8.
    auto bytes = vocab_string_to_bytes(token);
    t.id_bytes[id] = bytes ? std::move(*bytes) : token;
    t.known[id] = 1;
  };
  for (const auto& [token, id] : t.token_ids) set(token, id);
  for (const auto& a : added) {
    set(a.content, a.id);
    t.special[a.id] = a.special ? 1 : 0;
    t.token_ids[a.content] = a.id;  // added tokens take precedence, as in HF
  }
}

}  // namespace

std::shared_ptr<Tokenizer::Impl> load_tokenizer_json(const std::string& path) {
  const Json root = read_json_file(path);
  if (!root.is_object()) throw bad_input(path, "not a tokenizer.json (the top level is not an object)");
  const auto model = root.find("model");
  if (model == root.end() || !model->is_object()) throw bad_input(path, "key 'model' is missing");

  auto t = std::make_shared<Tokenizer::Impl>();
  t->path = path;
  t->nfc = read_normalizer(root.value("normalizer", Json()), path);
  t->pre_tokenizer = read_pre_tokenizer(root.value("pre_tokenizer", Json()), path);
  const Json decoder = root.value("decoder", Json());
  if (type_of(decoder) != "ByteLevel") throw bad_input(path, "unsupported decoder (only ByteLevel)");
  read_bpe(*model, *t, path);

  const auto added = read_added_tokens(root, path);
  build_id_tables(*t, added);
  std::vector<AddedToken> raw, normalized;
  std::vector<std::string> raw_patterns, normalized_patterns;
  for (const auto& a : added) {
    if (a.normalized) {
      std::string scratch;
      normalized_patterns.emplace_back(t->nfc ? nfc(a.content, scratch) : a.content);
      normalized.push_back(a);
    } else {
      raw_patterns.push_back(a.content);
      raw.push_back(a);
    }
  }
  t->raw_added = AddedTokenMatcher(std::move(raw), std::move(raw_patterns));
  t->normalized_added = AddedTokenMatcher(std::move(normalized), std::move(normalized_patterns));
  return t;
}

}  // namespace softcot::tokenizer
