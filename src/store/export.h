#pragma once
// Records as text for people and scripts: JSON lines in the reference's format (one
// object per sample with idx, status, ground_truth, model_answer, is_correct, timestamp,
// then the responses and everything else the store keeps) or CSV.
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/schema.h"

namespace softcot::store {

using schema::StoredRecord;

// comparable: leave out what differs between two runs of the same samples (times,
// durations, host, pid, Slurm ids, attempts, crash signal), so that an interrupted and an
// uninterrupted run export identical bytes.
struct ExportOptions {
  bool comparable = false;
};

// The JSON object of one record (keys in the order above).
nlohmann::ordered_json record_to_json(const StoredRecord& record, const ExportOptions& options = {});
void write_jsonl(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options = {});
void write_csv(const std::vector<StoredRecord>& records, std::ostream& out, const ExportOptions& options = {});

// "2024-05-01T12:00:03.250000": local time, as Python's datetime.now().isoformat().
std::string iso_timestamp(int64_t unix_ms);

}  // namespace softcot::store
