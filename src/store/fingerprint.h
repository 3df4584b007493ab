#pragma once
// What decides a run's results: model and projection identities, the data file digest,
// prompt template version, decoding parameters, num_thought_tokens, seed, software
// version, total sample count. Stored in every checkpoint; resuming with a different
// fingerprint is refused with the list of what changed. The shard layout is not part of
// it (shards of one run share one fingerprint).
#include <map>
#include <string>

namespace softcot::store {

struct RunFingerprint {
  std::map<std::string, std::string> values;  // ordered, so the JSON text is canonical

  void set(const std::string& name, const std::string& value) { values[name] = value; }
  std::string to_json() const;                           // {"name": "value", ...}
  static RunFingerprint from_json(const std::string& text,
                                  const std::string& file);  // throws bad_input naming file
  bool operator==(const RunFingerprint&) const = default;
};

// "seed 41 -> 42, num_thought_tokens 4 -> 2, model_digest (absent) -> ab12"; empty when equal.
std::string describe_changes(const RunFingerprint& stored, const RunFingerprint& wanted);

}  // namespace softcot::store
