#pragma once
// Records as text for people and scripts: JSON lines in the reference's format (one
// object per sample with idx, status, ground_truth, model_answer, is_correct, timestamp,
// then the responses and everything else the store keeps) or CSV.
#include <ostream>
#include <string>
#include <vector>

#include "store/schema.h"

namespace softcot::store {

using schema::StoredRecord;

// comparable: leave out what differs between two runs of the same samples (times,
// durations, host, pid, Slurm ids, attempts, crash signal), so that an interrupted and an
// uninterrupted run export identical bytes.
struct ExportOptions {
  bool comparable = false;
};

// One exported field: its JSON text, or plain text when is_string (JSON-quoted in JSON
// lines, bare in CSV). Answers are their stored JSON text, never re-parsed.
struct ExportField {
  std::string name;
  std::string text;
  bool is_string = false;
};

// The fields of one record, in the order above.
std::vector<ExportField> record_fields(const StoredRecord& record, const ExportOptions& options = {});
// The JSON object of one record on one line.
std::string record_to_json_line(const StoredRecord& record, const ExportOptions& options = {});
void write_jsonl(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options = {});
void write_csv(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options = {});

// "2024-05-01T12:00:03.250000": local time, as Python's datetime.now().isoformat().
std::string iso_timestamp(int64_t unix_ms);

}  // namespace softcot::store
