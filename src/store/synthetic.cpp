#include "store/synthetic.h"

#include <string>

namespace softcot::store {

namespace {
// splitmix64: a tiny, well-known mixer; enough for varied but reproducible fields.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::string quoted(std::string text) {  // (append, not operator+: GCC 12 -Wrestrict noise)
  text.insert(text.begin(), '"');
  text.push_back('"');
  return text;
}

std::string answer_for(uint64_t r) {
  switch (r % 5) {
    case 0: return std::to_string(r % 1000);
    case 1: return std::to_string(r % 100) + ".5";
    case 2: return quoted(std::string(1, static_cast<char>('A' + r % 5)));
    case 3: return "null";
    default: return quoted(std::string(70 + r % 50, 'x'));  // longer than the inline column
  }
}
}  // namespace

SampleResult synthetic_result(int64_t idx, int32_t responses_per_sample) {
  SampleResult s;
  s.idx = idx;
  const uint64_t r = mix(static_cast<uint64_t>(idx));
  s.status = r % 17 == 0 ? sample_status::kErrorGeneration : sample_status::kSuccess;
  s.ground_truth_json = answer_for(r >> 8);
  int32_t tokens = 0;
  for (int32_t k = 0; k < responses_per_sample; ++k) {
    const uint64_t rk = mix(r + static_cast<uint64_t>(k) + 1);
    ResponseResult response;
    const size_t length = rk % 4096;
    response.text = "Sample " + std::to_string(idx) + ", response " + std::to_string(k) +
                    ": \"quoted\", newline\n, café ∑ ";
    while (response.text.size() < length) response.text += static_cast<char>('a' + (rk + response.text.size()) % 26);
    response.answer_json = k == 0 ? s.ground_truth_json : answer_for(rk >> 16);
    response.generated_tokens = static_cast<int32_t>(length / 4);
    tokens += response.generated_tokens;
    s.responses.push_back(std::move(response));
  }
  s.model_answer_json = s.responses.empty() ? "null" : s.responses[0].answer_json;
  s.is_correct = s.status == sample_status::kSuccess && (r >> 40) % 3 != 0;
  if (s.status != sample_status::kSuccess) s.error_message = "synthetic failure for sample " + std::to_string(idx);
  s.base_prompt_tokens = static_cast<int32_t>(100 + r % 400);
  s.assistant_prompt_tokens = static_cast<int32_t>(80 + r % 300);
  s.generated_tokens = tokens;
  s.assistant_seconds = static_cast<double>(r % 1000) / 4096.0;  // exact in binary
  s.generation_seconds = static_cast<double>(r % 77777) / 1024.0;
  return s;
}

}  // namespace softcot::store
