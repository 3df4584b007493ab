#include "store/schema.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "core/digest.h"
#include "core/error.h"

namespace softcot::store::schema {

namespace {

template <size_t N>
void set_fixed(char (&field)[N], std::string_view value) {
  std::memset(field, 0, N);
  std::memcpy(field, value.data(), std::min(N, value.size()));  // host/job ids: clipped
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

hid_t fixed_string_type(size_t size) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, size);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  H5Tset_cset(type, H5T_CSET_UTF8);  // texts are UTF-8
  return type;
}

void insert_string(hid_t compound, const char* name, size_t offset, size_t size) {
  hid_t type = fixed_string_type(size);
  H5Tinsert(compound, name, offset, type);
  H5Tclose(type);
}

// Feeds fields one by one, so struct padding never enters the checksum.
struct Crc {
  uint32_t value = 0;
  template <typename T>
  void add(const T& field) { value = crc32_of(&field, sizeof(field), value); }
  void add_bytes(std::string_view bytes) { value = crc32_of(bytes.data(), bytes.size(), value); }
};

}  // namespace

std::string fixed_text(const char* field, size_t size) {
  return std::string(field, strnlen(field, size));
}

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

WriterIdentity WriterIdentity::of_this_process() {
  WriterIdentity id;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  id.host = host;
  id.pid = static_cast<int32_t>(getpid());
  id.slurm_job_id = env_or_empty("SLURM_JOB_ID");
  id.slurm_array_job_id = env_or_empty("SLURM_ARRAY_JOB_ID");
  const std::string task = env_or_empty("SLURM_ARRAY_TASK_ID");
  id.slurm_array_task_id = task.empty() ? -1 : std::atoi(task.c_str());
  return id;
}

uint32_t checksum(const SampleRow& r, const ResponseRow* responses, std::string_view text) {
  Crc crc;
  crc.add(r.idx);
  crc.add(r.status);
  crc.add(r.is_correct);
  crc.add(r.ground_truth);
  crc.add(r.model_answer);
  crc.add(r.started_unix_ms);
  crc.add(r.finished_unix_ms);
  crc.add(r.committed_unix_ms);
  crc.add(r.base_prompt_tokens);
  crc.add(r.assistant_prompt_tokens);
  crc.add(r.generated_tokens);
  crc.add(r.assistant_seconds);
  crc.add(r.generation_seconds);
  crc.add(r.attempts);
  crc.add(r.crash_signal);
  crc.add(r.pid);
  crc.add(r.host);
  crc.add(r.slurm_job_id);
  crc.add(r.slurm_array_job_id);
  crc.add(r.slurm_array_task_id);
  crc.add(r.response_first);
  crc.add(r.response_count);
  crc.add(r.text_offset);
  crc.add(r.ground_truth_length);
  crc.add(r.model_answer_length);
  crc.add(r.error_length);
  crc.add(r.backend);
  for (uint32_t i = 0; i < r.response_count; ++i) {
    crc.add(responses[i].text_offset);
    crc.add(responses[i].text_length);
    crc.add(responses[i].answer_length);
    crc.add(responses[i].generated_tokens);
  }
  crc.add_bytes(text);
  return crc.value;
}

EncodedSample encode(const SampleResult& result, const WriterIdentity& writer,
                     int64_t committed_unix_ms, uint64_t response_first, uint64_t text_offset) {
  if (result.backend.size() > kBackendBytes) {
    throw bad_input("sample " + std::to_string(result.idx),
                    "backend '" + result.backend + "' is longer than " + std::to_string(kBackendBytes) + " bytes");
  }
  if (result.status.size() > kStatusBytes) {
    throw bad_input("sample " + std::to_string(result.idx),
                    "status '" + result.status + "' is longer than " + std::to_string(kStatusBytes) +
                        " bytes");
  }
  EncodedSample out;
  SampleRow& row = out.row;
  std::memset(&row, 0, sizeof(row));
  row.idx = result.idx;
  set_fixed(row.status, result.status);
  row.is_correct = result.is_correct ? 1 : 0;
  // The inline answer columns never hold a clipped value: too long means empty.
  if (result.ground_truth_json.size() <= kInlineAnswerBytes) set_fixed(row.ground_truth, result.ground_truth_json);
  if (result.model_answer_json.size() <= kInlineAnswerBytes) set_fixed(row.model_answer, result.model_answer_json);
  row.started_unix_ms = result.started_unix_ms;
  row.finished_unix_ms = result.finished_unix_ms;
  row.committed_unix_ms = committed_unix_ms;
  row.base_prompt_tokens = result.base_prompt_tokens;
  row.assistant_prompt_tokens = result.assistant_prompt_tokens;
  row.generated_tokens = result.generated_tokens;
  row.assistant_seconds = result.assistant_seconds;
  row.generation_seconds = result.generation_seconds;
  row.attempts = result.attempts;
  row.crash_signal = result.crash_signal;
  row.pid = writer.pid;
  set_fixed(row.host, writer.host);
  set_fixed(row.slurm_job_id, writer.slurm_job_id);
  set_fixed(row.slurm_array_job_id, writer.slurm_array_job_id);
  row.slurm_array_task_id = writer.slurm_array_task_id;
  row.response_first = response_first;
  row.response_count = static_cast<uint32_t>(result.responses.size());
  row.text_offset = text_offset;
  row.ground_truth_length = static_cast<uint32_t>(result.ground_truth_json.size());
  row.model_answer_length = static_cast<uint32_t>(result.model_answer_json.size());
  row.error_length = static_cast<uint32_t>(result.error_message.size());
  set_fixed(row.backend, result.backend);

  out.text = result.ground_truth_json + result.model_answer_json + result.error_message;
  for (const auto& response : result.responses) {
    ResponseRow r{};
    r.text_offset = text_offset + out.text.size();
    r.text_length = static_cast<uint32_t>(response.text.size());
    r.answer_length = static_cast<uint32_t>(response.answer_json.size());
    r.generated_tokens = response.generated_tokens;
    out.responses.push_back(r);
    out.text += response.text;
    out.text += response.answer_json;
  }
  row.crc32 = checksum(row, out.responses.data(), out.text);
  return out;
}

RowSpan locate(const SampleRow& row, std::span<const ResponseRow> responses, std::string_view text,
               const std::string& file, uint64_t row_number) {
  const std::string where = "row " + std::to_string(row_number);
  // Each test below is written so that nothing wraps: every field is at most 2^64 - 1.
  if (row.response_count > 0 && (row.response_first > responses.size() ||
                                 row.response_count > responses.size() - row.response_first)) {
    throw bad_input(file, where + " points past the response rows");
  }
  const uint64_t own_bytes = uint64_t{row.ground_truth_length} + row.model_answer_length + row.error_length;
  if (row.text_offset > text.size() || own_bytes > text.size() - row.text_offset) {
    throw bad_input(file, where + " points past the text bytes");
  }
  uint64_t end = row.text_offset + own_bytes;
  const ResponseRow* first = row.response_count > 0 ? &responses[row.response_first] : nullptr;
  if (first != nullptr) {
    const ResponseRow& last = first[row.response_count - 1];
    const uint64_t last_bytes = uint64_t{last.text_length} + last.answer_length;
    if (last.text_offset > text.size() || last_bytes > text.size() - last.text_offset) {
      throw bad_input(file, where + " points past the text bytes");
    }
    end = std::max<uint64_t>(end, last.text_offset + last_bytes);
  }
  return RowSpan{first, text.substr(row.text_offset, end - row.text_offset)};
}

StoredRecord decode(const SampleRow& row, const ResponseRow* responses, std::string_view text,
                    const std::string& file, uint64_t row_number) {
  const std::string where = "row " + std::to_string(row_number) + " (sample " + std::to_string(row.idx) + ")";
  if (checksum(row, responses, text) != row.crc32) {
    throw bad_input(file, where + " fails its checksum");
  }
  StoredRecord record;
  SampleResult& r = record.result;
  size_t at = 0;
  auto take = [&](uint64_t n) {
    if (at + n > text.size()) throw bad_input(file, where + " points past its text bytes");
    std::string value(text.substr(at, n));
    at += n;
    return value;
  };
  r.idx = row.idx;
  r.status = fixed_text(row.status, kStatusBytes);
  r.is_correct = row.is_correct != 0;
  r.ground_truth_json = take(row.ground_truth_length);
  r.model_answer_json = take(row.model_answer_length);
  r.error_message = take(row.error_length);
  for (uint32_t i = 0; i < row.response_count; ++i) {
    ResponseResult response;
    response.text = take(responses[i].text_length);
    response.answer_json = take(responses[i].answer_length);
    response.generated_tokens = responses[i].generated_tokens;
    r.responses.push_back(std::move(response));
  }
  r.base_prompt_tokens = row.base_prompt_tokens;
  r.assistant_prompt_tokens = row.assistant_prompt_tokens;
  r.generated_tokens = row.generated_tokens;
  r.assistant_seconds = row.assistant_seconds;
  r.generation_seconds = row.generation_seconds;
  r.started_unix_ms = row.started_unix_ms;
  r.finished_unix_ms = row.finished_unix_ms;
  r.attempts = row.attempts;
  r.crash_signal = row.crash_signal;
  r.backend = fixed_text(row.backend, kBackendBytes);
  record.committed_unix_ms = row.committed_unix_ms;
  record.writer.host = fixed_text(row.host, kHostBytes);
  record.writer.pid = row.pid;
  record.writer.slurm_job_id = fixed_text(row.slurm_job_id, kJobIdBytes);
  record.writer.slurm_array_job_id = fixed_text(row.slurm_array_job_id, kJobIdBytes);
  record.writer.slurm_array_task_id = row.slurm_array_task_id;
  return record;
}

#define SOFTCOT_FIELD(type, s, f, h5type) H5Tinsert(type, #f, HOFFSET(s, f), h5type)
#define SOFTCOT_TEXT(type, s, f) insert_string(type, #f, HOFFSET(s, f), sizeof(s::f))

hid_t sample_row_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(SampleRow));
  SOFTCOT_FIELD(t, SampleRow, idx, H5T_NATIVE_INT64);
  SOFTCOT_TEXT(t, SampleRow, status);
  SOFTCOT_FIELD(t, SampleRow, is_correct, H5T_NATIVE_UINT8);
  SOFTCOT_TEXT(t, SampleRow, ground_truth);
  SOFTCOT_TEXT(t, SampleRow, model_answer);
  SOFTCOT_FIELD(t, SampleRow, started_unix_ms, H5T_NATIVE_INT64);
  SOFTCOT_FIELD(t, SampleRow, finished_unix_ms, H5T_NATIVE_INT64);
  SOFTCOT_FIELD(t, SampleRow, committed_unix_ms, H5T_NATIVE_INT64);
  SOFTCOT_FIELD(t, SampleRow, base_prompt_tokens, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, SampleRow, assistant_prompt_tokens, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, SampleRow, generated_tokens, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, SampleRow, assistant_seconds, H5T_NATIVE_DOUBLE);
  SOFTCOT_FIELD(t, SampleRow, generation_seconds, H5T_NATIVE_DOUBLE);
  SOFTCOT_FIELD(t, SampleRow, attempts, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, SampleRow, crash_signal, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, SampleRow, pid, H5T_NATIVE_INT32);
  SOFTCOT_TEXT(t, SampleRow, host);
  SOFTCOT_TEXT(t, SampleRow, slurm_job_id);
  SOFTCOT_TEXT(t, SampleRow, slurm_array_job_id);
  SOFTCOT_FIELD(t, SampleRow, slurm_array_task_id, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, SampleRow, response_first, H5T_NATIVE_UINT64);
  SOFTCOT_FIELD(t, SampleRow, response_count, H5T_NATIVE_UINT32);
  SOFTCOT_FIELD(t, SampleRow, text_offset, H5T_NATIVE_UINT64);
  SOFTCOT_FIELD(t, SampleRow, ground_truth_length, H5T_NATIVE_UINT32);
  SOFTCOT_FIELD(t, SampleRow, model_answer_length, H5T_NATIVE_UINT32);
  SOFTCOT_FIELD(t, SampleRow, error_length, H5T_NATIVE_UINT32);
  SOFTCOT_TEXT(t, SampleRow, backend);
  SOFTCOT_FIELD(t, SampleRow, crc32, H5T_NATIVE_UINT32);
  return t;
}

hid_t response_row_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(ResponseRow));
  SOFTCOT_FIELD(t, ResponseRow, text_offset, H5T_NATIVE_UINT64);
  SOFTCOT_FIELD(t, ResponseRow, text_length, H5T_NATIVE_UINT32);
  SOFTCOT_FIELD(t, ResponseRow, answer_length, H5T_NATIVE_UINT32);
  SOFTCOT_FIELD(t, ResponseRow, generated_tokens, H5T_NATIVE_INT32);
  return t;
}

hid_t in_flight_row_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(InFlightRow));
  SOFTCOT_FIELD(t, InFlightRow, idx, H5T_NATIVE_INT64);
  SOFTCOT_FIELD(t, InFlightRow, attempt, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, InFlightRow, pid, H5T_NATIVE_INT32);
  SOFTCOT_FIELD(t, InFlightRow, started_unix_ms, H5T_NATIVE_INT64);
  SOFTCOT_TEXT(t, InFlightRow, host);
  return t;
}

#undef SOFTCOT_FIELD
#undef SOFTCOT_TEXT

}  // namespace softcot::store::schema
