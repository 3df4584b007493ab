#include "io/rope_config.h"

#include <set>

namespace softcot::io {
namespace {

// Keys a RoPE object may hold, by type. transformers 5 puts rope_theta inside.
const std::set<std::string> kDefaultKeys = {"rope_type", "type", "rope_theta"};
const std::set<std::string> kLlama3Keys = {"rope_type", "type", "rope_theta", "factor",
                                           "low_freq_factor", "high_freq_factor",
                                           "original_max_position_embeddings"};

double require_number(const Json& rope, const char* object, const char* key, const std::string& path) {
  const std::string full = std::string(object) + "." + key;
  const auto it = rope.find(key);
  if (it == rope.end() || it->is_null()) throw bad_input(path, "key '" + full + "' is missing (llama3 RoPE needs it)");
  if (!it->is_number()) throw bad_input(path, "key '" + full + "' is not a number");
  return it->get<double>();
}

RopeScaling read_scaling(const Json& rope, const char* object, const std::string& path) {
  RopeScaling s;
  // transformers renamed "type" to "rope_type"; both mean the same.
  std::string type = json_optional<std::string>(rope, "rope_type", "", path);
  if (type.empty()) type = json_optional<std::string>(rope, "type", "", path);
  if (type.empty() || type == "default") {
    type.clear();
  } else if (type != "llama3") {
    throw bad_input(path, std::string("key '") + object + ".rope_type': '" + type +
                              "' is not supported (default, llama3)");
  }
  const auto& allowed = type.empty() ? kDefaultKeys : kLlama3Keys;
  for (const auto& [key, value] : rope.items()) {
    if (!allowed.count(key)) {
      throw bad_input(path, std::string("key '") + object + "." + key + "' is not supported for RoPE type " +
                                (type.empty() ? "default" : type));
    }
  }
  s.type = type;
  if (type.empty()) return s;
  s.factor = require_number(rope, object, "factor", path);
  s.low_freq_factor = require_number(rope, object, "low_freq_factor", path);
  s.high_freq_factor = require_number(rope, object, "high_freq_factor", path);
  const double original = require_number(rope, object, "original_max_position_embeddings", path);
  s.original_max_position_embeddings = static_cast<int64_t>(original);
  // transformers' own validation of llama3 parameters.
  if (!(s.factor >= 1.0) || !(s.low_freq_factor > 0) || !(s.high_freq_factor > s.low_freq_factor) ||
      s.original_max_position_embeddings <= 0 ||
      static_cast<double>(s.original_max_position_embeddings) != original) {
    throw bad_input(path, std::string("key '") + object +
                              "': llama3 needs factor >= 1, 0 < low_freq_factor < high_freq_factor and a "
                              "positive integer original_max_position_embeddings");
  }
  return s;
}

}  // namespace

RopeConfig read_rope_config(const Json& j, double default_theta, const std::string& path) {
  RopeConfig rope;
  const auto top_theta = j.find("rope_theta");
  const bool has_top_theta = top_theta != j.end() && !top_theta->is_null();
  if (has_top_theta && !top_theta->is_number()) throw bad_input_for_key(path, "rope_theta", "is not a number");
  rope.theta = has_top_theta ? top_theta->get<double>() : default_theta;

  const auto scaling = j.find("rope_scaling");
  const bool has_scaling = scaling != j.end() && !scaling->is_null();
  const auto parameters = j.find("rope_parameters");
  const bool has_parameters = parameters != j.end() && !parameters->is_null();
  if (has_scaling && has_parameters) {
    throw bad_input(path, "keys 'rope_scaling' and 'rope_parameters' are both given; keep one");
  }
  if (has_scaling) {
    if (!scaling->is_object()) throw bad_input_for_key(path, "rope_scaling", "is not an object");
    rope.scaling = read_scaling(*scaling, "rope_scaling", path);
    if (scaling->contains("rope_theta")) {
      throw bad_input(path, "key 'rope_scaling.rope_theta' is not supported (rope_theta belongs at the top level)");
    }
  }
  if (has_parameters) {
    if (!parameters->is_object()) throw bad_input_for_key(path, "rope_parameters", "is not an object");
    rope.scaling = read_scaling(*parameters, "rope_parameters", path);
    const auto inner = parameters->find("rope_theta");
    if (inner != parameters->end() && !inner->is_null()) {
      if (!inner->is_number()) throw bad_input(path, "key 'rope_parameters.rope_theta' is not a number");
      const double theta = inner->get<double>();
      if (has_top_theta && theta != rope.theta) {
        throw bad_input(path, "keys 'rope_theta' and 'rope_parameters.rope_theta' disagree");
      }
      rope.theta = theta;
    }
  }
  if (!(rope.theta > 0)) throw bad_input_for_key(path, "rope_theta", "must be positive");
  return rope;
}

}  // namespace softcot::io
