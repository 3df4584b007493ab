#pragma once
// Shared helpers for the tokenizer tests: the reference files and one loaded tokenizer
// per file (loading parses a 7 MB JSON, so each test binary does it once).
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"

namespace softcot::tokenizer::testing {

inline std::string shared_path(const std::string& relative) {
  return std::string(SOFTCOT_SHARED_DIR) + "/" + relative;
}

inline std::string tokenizer_json(const std::string& name) {
  return shared_path("data/tokenizers/" + name + "/tokenizer.json");
}

inline const Tokenizer& loaded(const std::string& name) {
  static std::map<std::string, Tokenizer> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, Tokenizer::from_file(tokenizer_json(name))).first;
  return it->second;
}

inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

}  // namespace softcot::tokenizer::testing
