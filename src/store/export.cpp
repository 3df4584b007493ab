#include "store/export.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace softcot::store {

namespace {

// Answers are stored as canonical JSON text (Python's json.dumps of the reference's
// values); they are written as that text, byte for byte. Parsing them would turn an
// integer beyond 64 bits into a float, where the reference's JSON keeps every digit.
std::string answer_text(const std::string& stored) {
  return nlohmann::json::accept(stored) ? stored : nlohmann::json(stored).dump();
}

template <typename T>
std::string json_text(const T& value) {
  return nlohmann::json(value).dump();
}

std::string responses_text(const SampleResult& r) {
  std::string out = "[";
  for (size_t k = 0; k < r.responses.size(); ++k) {
    const auto& response = r.responses[k];
    out += (k ? ",{" : "{");
    out += "\"text\":" + json_text(response.text) + ",\"answer\":" + answer_text(response.answer_json) +
           ",\"generated_tokens\":" + json_text(response.generated_tokens) + "}";
  }
  return out + "]";
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string iso_timestamp(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &local);
  return fmt::format("{}.{:06d}", text, (unix_ms % 1000) * 1000);
}

std::vector<ExportField> record_fields(const StoredRecord& record, const ExportOptions& options) {
  const SampleResult& r = record.result;
  std::vector<ExportField> f;
  f.push_back({"idx", json_text(r.idx), false});
  f.push_back({"status", r.status, true});
  f.push_back({"ground_truth", answer_text(r.ground_truth_json), false});
  f.push_back({"model_answer", answer_text(r.model_answer_json), false});
  f.push_back({"is_correct", json_text(r.is_correct), false});
  if (!options.comparable) f.push_back({"timestamp", iso_timestamp(r.finished_unix_ms), true});
  f.push_back({"responses", responses_text(r), false});
  f.push_back({"error_message", r.error_message, true});
  f.push_back({"base_prompt_tokens", json_text(r.base_prompt_tokens), false});
  f.push_back({"assistant_prompt_tokens", json_text(r.assistant_prompt_tokens), false});
  f.push_back({"generated_tokens", json_text(r.generated_tokens), false});
  if (options.comparable) return f;
  f.push_back({"assistant_seconds", json_text(r.assistant_seconds), false});
  f.push_back({"generation_seconds", json_text(r.generation_seconds), false});
  f.push_back({"started_unix_ms", json_text(r.started_unix_ms), false});
  f.push_back({"finished_unix_ms", json_text(r.finished_unix_ms), false});
  f.push_back({"committed_unix_ms", json_text(record.committed_unix_ms), false});
  f.push_back({"attempts", json_text(r.attempts), false});
  f.push_back({"crash_signal", json_text(r.crash_signal), false});
  f.push_back({"host", record.writer.host, true});
  f.push_back({"pid", json_text(record.writer.pid), false});
  f.push_back({"slurm_job_id", record.writer.slurm_job_id, true});
  f.push_back({"slurm_array_job_id", record.writer.slurm_array_job_id, true});
  f.push_back({"slurm_array_task_id", json_text(record.writer.slurm_array_task_id), false});
  f.push_back({"backend", r.backend, true});
  return f;
}

std::string record_to_json_line(const StoredRecord& record, const ExportOptions& options) {
  std::string line = "{";
  bool first = true;
  for (const auto& field : record_fields(record, options)) {
    line += (first ? "" : ",") + json_text(field.name) + ":" + (field.is_string ? json_text(field.text) : field.text);
    first = false;
  }
  return line + "}";
}

void write_jsonl(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options) {
  for (const auto& record : records) out << record_to_json_line(record, options) << "\n";
}

void write_csv(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options) {
  bool first = true;
  for (const auto& field : record_fields(StoredRecord{}, options)) {
    out << (first ? "" : ",") << field.name;
    first = false;
  }
  out << "\n";
  for (const auto& record : records) {
    first = true;
    // Strings bare; answers and responses as JSON text (so "18" and 18 stay apart).
    for (const auto& field : record_fields(record, options)) {
      out << (first ? "" : ",") << csv_field(field.text);
      first = false;
    }
    out << "\n";
  }
}

}  // namespace softcot::store
