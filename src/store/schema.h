#pragma once
// The on-disk layout of a checkpoint (docs/hdf5-schema.md is the prose version; change
// both together and bump kSchemaVersion). Fixed-size rows only: SWMR writers cannot
// write variable-length data, so every text lives in the ragged /text bytes.
//
//   /samples    compound SampleRow[n], extensible, one row per committed sample (commit order)
//   /responses  compound ResponseRow[m], extensible, rows of sample s are
//               [response_first, response_first + response_count)
//   /text       uint8[bytes], extensible; a sample's bytes start at text_offset:
//               ground truth, model answer, error message, then each response's text, answer
//   /committed  int64[1]: rows of /samples that are committed, written after the row
//   /in_flight  compound InFlightRow[1]: the sample a worker started, for crash attribution
#include <hdf5.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "softcot/sample_result.h"

namespace softcot::store::schema {

inline constexpr int32_t kSchemaVersion = 2;  // 2: samples.backend
inline constexpr const char* kSamples = "samples";
inline constexpr const char* kResponses = "responses";
inline constexpr const char* kText = "text";
inline constexpr const char* kCommitted = "committed";
inline constexpr const char* kInFlight = "in_flight";
inline constexpr size_t kStatusBytes = 24;
inline constexpr size_t kInlineAnswerBytes = 64;  // exact copy when it fits, else empty
inline constexpr size_t kHostBytes = 64;
inline constexpr size_t kJobIdBytes = 24;
inline constexpr size_t kBackendBytes = 16;

struct SampleRow {
  int64_t idx;
  char status[kStatusBytes];
  uint8_t is_correct;
  char ground_truth[kInlineAnswerBytes];  // for h5dump readers; /text holds the exact value
  char model_answer[kInlineAnswerBytes];
  int64_t started_unix_ms;
  int64_t finished_unix_ms;
  int64_t committed_unix_ms;
  int32_t base_prompt_tokens;
  int32_t assistant_prompt_tokens;
  int32_t generated_tokens;
  double assistant_seconds;
  double generation_seconds;
  int32_t attempts;
  int32_t crash_signal;
  int32_t pid;
  char host[kHostBytes];
  char slurm_job_id[kJobIdBytes];
  char slurm_array_job_id[kJobIdBytes];
  int32_t slurm_array_task_id;  // -1 outside job arrays
  uint64_t response_first;
  uint32_t response_count;
  uint64_t text_offset;
  uint32_t ground_truth_length;
  uint32_t model_answer_length;
  uint32_t error_length;
  char backend[kBackendBytes];  // "cpu", "cuda": CPU and CUDA numerics differ (bf16 activations)
  uint32_t crc32;  // over every field above, the response rows and the text bytes
};

struct ResponseRow {
  uint64_t text_offset;  // absolute offset in /text; the answer follows the text
  uint32_t text_length;
  uint32_t answer_length;
  int32_t generated_tokens;
};

struct InFlightRow {
  int64_t idx;  // -1: none
  int32_t attempt;
  int32_t pid;
  int64_t started_unix_ms;
  char host[kHostBytes];
};

// Who writes: stamped into every row (host, pid, Slurm ids from the environment).
struct WriterIdentity {
  std::string host;
  int32_t pid = 0;
  std::string slurm_job_id;
  std::string slurm_array_job_id;
  int32_t slurm_array_task_id = -1;
  static WriterIdentity of_this_process();
};

// A row as the store returns it: the pipeline's result plus who committed it and when.
struct StoredRecord {
  SampleResult result;
  int64_t committed_unix_ms = 0;
  WriterIdentity writer;
};

// One sample ready to append: its row (crc set), response rows and text bytes.
struct EncodedSample {
  SampleRow row{};
  std::vector<ResponseRow> responses;
  std::string text;
};

EncodedSample encode(const SampleResult& result, const WriterIdentity& writer,
                     int64_t committed_unix_ms, uint64_t response_first, uint64_t text_offset);
// What a committed row claims of the /responses and /text read into memory.
struct RowSpan {
  const ResponseRow* responses = nullptr;  // row.response_count rows
  std::string_view text;                   // from row.text_offset to the last byte it owns
};
// Throws bad_input(file, ...) when the row points outside them. Damaged rows can claim any
// offset, up to 2^64 - 1: no sum may wrap around.
RowSpan locate(const SampleRow& row, std::span<const ResponseRow> responses, std::string_view text,
               const std::string& file, uint64_t row_number);
// Throws bad_input(file, ...) when the bytes do not add up or the checksum fails.
StoredRecord decode(const SampleRow& row, const ResponseRow* responses, std::string_view text,
                    const std::string& file, uint64_t row_number);
uint32_t checksum(const SampleRow& row, const ResponseRow* responses, std::string_view text);

// HDF5 type ids (memory layout = file layout, native little-endian); caller closes them.
hid_t sample_row_type();
hid_t response_row_type();
hid_t in_flight_row_type();

std::string fixed_text(const char* field, size_t size);  // up to the first NUL
int64_t now_unix_ms();

}  // namespace softcot::store::schema
