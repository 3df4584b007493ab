#include "store/fingerprint.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace softcot::store {

std::string RunFingerprint::to_json() const { return nlohmann::json(values).dump(); }

RunFingerprint RunFingerprint::from_json(const std::string& text, const std::string& file) {
  RunFingerprint fingerprint;
  try {
    const auto parsed = nlohmann::json::parse(text);
    if (!parsed.is_object()) throw bad_input(file, "the fingerprint attribute is not a JSON object");
    for (const auto& [name, value] : parsed.items()) {
      if (!value.is_string()) {
        throw bad_input(file, "fingerprint value '" + name + "' is not a string");
      }
      fingerprint.values[name] = value.get<std::string>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw bad_input(file, std::string("the fingerprint attribute is not valid JSON: ") + e.what());
  }
  return fingerprint;
}

std::string describe_changes(const RunFingerprint& stored, const RunFingerprint& wanted) {
  std::string text;
  auto add = [&](const std::string& name, const std::string& from, const std::string& to) {
    if (!text.empty()) text += ", ";
    text += name + " " + from + " -> " + to;
  };
  for (const auto& [name, value] : stored.values) {
    auto it = wanted.values.find(name);
    if (it == wanted.values.end()) add(name, value, "(absent)");
    else if (it->second != value) add(name, value, it->second);
  }
  for (const auto& [name, value] : wanted.values) {
    if (!stored.values.count(name)) add(name, "(absent)", value);
  }
  return text;
}

}  // namespace softcot::store
