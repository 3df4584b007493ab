#pragma once
// One evaluated sample: what the pipeline hands to the store, and what the store,
// export and report read back. Answers are kept as canonical JSON text (`18`, `18.5`,
// `"A"`, `true`, `null`) so every consumer prints them exactly as the reference does.
#include <cstdint>
#include <string>
#include <vector>

namespace softcot {

namespace sample_status {
inline constexpr const char* kSuccess = "success";
inline constexpr const char* kErrorGeneration = "error_generation";  // also: quarantined
inline constexpr const char* kErrorInput = "error_input";            // a bad data row
}  // namespace sample_status

struct ResponseResult {
  std::string text;         // decode(tokens, skip_special_tokens=true)
  std::string answer_json;  // the extracted answer, canonical JSON; "null" when none
  int32_t generated_tokens = 0;
};

struct SampleResult {
  int64_t idx = 0;                 // index in the task's test split
  std::string status = sample_status::kSuccess;
  std::string ground_truth_json = "null";
  std::string model_answer_json = "null";  // after the vote
  bool is_correct = false;
  std::vector<ResponseResult> responses;
  int32_t base_prompt_tokens = 0;
  int32_t assistant_prompt_tokens = 0;
  int32_t generated_tokens = 0;    // summed over responses
  double assistant_seconds = 0;    // assistant pass + projection
  double generation_seconds = 0;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  int32_t attempts = 1;            // worker starts on this sample (crash attribution)
  int32_t crash_signal = 0;        // last crash signal when quarantined, else 0
  std::string error_message;       // for error statuses, one line
  std::string backend;             // "cpu" or "cuda": what computed it; empty when quarantined
};

}  // namespace softcot
