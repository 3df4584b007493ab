// libFuzzer target for the checkpoint record decoder: a committed row, the response rows and
// the text bytes as read from a (possibly damaged) file. locate() must refuse a row pointing
// outside them and decode() must refuse a bad checksum or lengths that do not add up, each with
// softcot::Error. The first byte's low bit makes the row's checksum right, so that the fuzzer
// also reaches the decoding past the check.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/schema.h"

namespace schema = softcot::store::schema;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 + sizeof(schema::SampleRow)) return 0;
  const bool fix_checksum = (data[0] & 1) != 0;
  const size_t response_rows = data[1] % 8;
  data += 2;
  size -= 2;
  schema::SampleRow row;
  std::memcpy(&row, data, sizeof(row));
  data += sizeof(row);
  size -= sizeof(row);
  std::vector<schema::ResponseRow> responses(std::min(response_rows, size / sizeof(schema::ResponseRow)));
  if (!responses.empty()) std::memcpy(responses.data(), data, responses.size() * sizeof(schema::ResponseRow));
  data += responses.size() * sizeof(schema::ResponseRow);
  size -= responses.size() * sizeof(schema::ResponseRow);
  const std::string text(reinterpret_cast<const char*>(data), size);  // exactly sized for ASan
  try {
    const auto span = schema::locate(row, responses, text, "fuzz", 0);
    if (fix_checksum) row.crc32 = schema::checksum(row, span.responses, span.text);
    const auto record = schema::decode(row, span.responses, span.text, "fuzz", 0);
    size_t bytes = record.result.ground_truth_json.size() + record.result.error_message.size();
    for (const auto& r : record.result.responses) bytes += r.text.size() + r.answer_json.size();
    volatile size_t sink = bytes;
    (void)sink;
  } catch (const softcot::Error&) {
  }
  return 0;
}
