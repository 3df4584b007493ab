#include "tokenizer/clean_up.h"

#include <filesystem>
#include <utility>

#include "core/json_file.h"

namespace softcot::tokenizer {
namespace {

std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  size_t start = 0;
  for (size_t at; (at = s.find(from, start)) != std::string::npos; start = at + from.size()) {
    out.append(s, start, at - start);
    out += to;
  }
  out.append(s, start, std::string::npos);
  return out;
}

}  // namespace

std::string clean_up_tokenization(std::string text) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},   {" ?", "?"},     {" !", "!"},   {" ,", ","},   {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) text = replace_all(text, from, to);
  return text;
}

bool read_clean_up_tokenization_spaces(const std::string& path) {
  if (path.empty() || !std::filesystem::exists(path)) return true;
  return json_optional<bool>(read_json_file(path), "clean_up_tokenization_spaces", true, path);
}

}  // namespace softcot::tokenizer
