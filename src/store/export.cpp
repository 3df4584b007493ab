#include "store/export.h"

#include <ctime>

#include <fmt/format.h>

namespace softcot::store {

namespace {

// Answers are stored as canonical JSON text; export them as JSON values, not strings.
nlohmann::ordered_json json_value(const std::string& text) {
  auto parsed = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? nlohmann::ordered_json(text) : parsed;
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

nlohmann::ordered_json record_to_json(const StoredRecord& record, const ExportOptions& options) {
  const SampleResult& r = record.result;
  nlohmann::ordered_json j;
  j["idx"] = r.idx;
  j["status"] = r.status;
  j["ground_truth"] = json_value(r.ground_truth_json);
  j["model_answer"] = json_value(r.model_answer_json);
  j["is_correct"] = r.is_correct;
  if (!options.comparable) j["timestamp"] = iso_timestamp(r.finished_unix_ms);
  auto responses = nlohmann::ordered_json::array();
  for (const auto& response : r.responses) {
    responses.push_back({{"text", response.text},
                         {"answer", json_value(response.answer_json)},
                         {"generated_tokens", response.generated_tokens}});
  }
  j["responses"] = std::move(responses);
  j["error_message"] = r.error_message;
  j["base_prompt_tokens"] = r.base_prompt_tokens;
  j["assistant_prompt_tokens"] = r.assistant_prompt_tokens;
  j["generated_tokens"] = r.generated_tokens;
  if (options.comparable) return j;
  j["assistant_seconds"] = r.assistant_seconds;
  j["generation_seconds"] = r.generation_seconds;
  j["started_unix_ms"] = r.started_unix_ms;
  j["finished_unix_ms"] = r.finished_unix_ms;
  j["committed_unix_ms"] = record.committed_unix_ms;
  j["attempts"] = r.attempts;
  j["crash_signal"] = r.crash_signal;
  j["host"] = record.writer.host;
  j["pid"] = record.writer.pid;
  j["slurm_job_id"] = record.writer.slurm_job_id;
  j["slurm_array_job_id"] = record.writer.slurm_array_job_id;
  j["slurm_array_task_id"] = record.writer.slurm_array_task_id;
  j["backend"] = r.backend;
  return j;
}

void write_jsonl(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options) {
  for (const auto& record : records) out << record_to_json(record, options).dump() << "\n";
}

void write_csv(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options) {
  static const char* kColumns[] = {"idx", "status", "ground_truth", "model_answer", "is_correct", "timestamp",
                                   "responses", "error_message", "base_prompt_tokens", "assistant_prompt_tokens",
                                   "generated_tokens", "assistant_seconds", "generation_seconds",
                                   "started_unix_ms", "finished_unix_ms", "committed_unix_ms", "attempts",
                                   "crash_signal", "host", "pid", "slurm_job_id", "slurm_array_job_id",
                                   "slurm_array_task_id", "backend"};
  const auto columns_in_use = record_to_json(StoredRecord{}, options);  // keys only
  bool first = true;
  for (const char* column : kColumns) {
    if (!columns_in_use.contains(column)) continue;
    out << (first ? "" : ",") << column;
    first = false;
  }
  out << "\n";
  for (const auto& record : records) {
    const auto j = record_to_json(record, options);
    first = true;
    for (const char* column : kColumns) {
      if (!j.contains(column)) continue;
      const auto& value = j.at(column);
      // Strings bare; answers and responses as JSON text (so "18" and 18 stay apart).
      const bool bare = value.is_string() && std::string(column) != "ground_truth" &&
                        std::string(column) != "model_answer";
      out << (first ? "" : ",") << csv_field(bare ? value.get<std::string>() : value.dump());
      first = false;
    }
    out << "\n";
  }
}

}  // namespace softcot::store
