#pragma once
// A task's test split, loaded the way the reference loads it: JSON lines (blank lines skipped)
// or one JSON list, detected from the first character; strategyqa keeps rows from
// int(0.8 * len); --test_k K keeps the first K. Bad rows fail the load with a one-line error
// "<file>:<line>: <reason>", before any model runs.
#include <cstdint>
#include <string>
#include <vector>

#include "core/json_file.h"
#include "softcot/answer.h"
#include "softcot/task.h"

namespace softcot {

struct Sample {
  int64_t idx = 0;                // index in the task's test split
  std::string question;
  Json raw;                       // the whole data row
  std::string ground_truth_json;  // canonical JSON, as in SampleResult
  Answer ground_truth;
};

struct Dataset {
  Task task = Task::kGsm8k;
  std::string path;        // the file read
  std::string sha256;      // of the file's bytes, for the run fingerprint
  int64_t split_size = 0;  // samples in the test split before --test_k
  std::vector<Sample> samples;
};

// The file to read: `data_file` when given, else <data_dir>/<the task's reference file name>.
std::string task_data_path(Task task, const std::string& data_dir, const std::string& data_file);

// test_k <= 0 keeps the whole split.
Dataset load_dataset(Task task, const std::string& path, int64_t test_k);

}  // namespace softcot
