#pragma once
// JSON through nlohmann::json (docs/dependencies.md). Helpers that turn parse errors
// and missing keys into one-line errors naming the file.
#include <nlohmann/json.hpp>

#include <string>

#include "core/error.h"

namespace softcot {

using Json = nlohmann::json;

Error bad_input_for_key(const std::string& path, const char* key, const char* what);

Json read_json_file(const std::string& path);  // throws bad_input(path, reason)
std::string read_text_file(const std::string& path);
void write_text_file_atomic(const std::string& path, const std::string& text);  // tmp + rename

// Typed access: throws bad_input(path, "missing key 'k'" / "key 'k' is not a <type>").
template <typename T>
T json_require(const Json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end()) throw bad_input_for_key(path, key, "is missing");
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    throw bad_input_for_key(path, key, "has the wrong type");
  }
}

template <typename T>
T json_optional(const Json& j, const char* key, const T& fallback, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    throw bad_input_for_key(path, key, "has the wrong type");
  }
}

}  // namespace softcot
