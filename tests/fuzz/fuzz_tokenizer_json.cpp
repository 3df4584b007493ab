// libFuzzer target for tokenizer.json: any input must load or throw softcot::Error (one line
// naming the file); a tokenizer that loads must encode and decode any text, here the input
// itself, and hand back only ids inside its vocabulary.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "fuzz_input_file.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto tokenizer = softcot::tokenizer::Tokenizer::from_file(softcot::fuzz::as_file(data, size));
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto ids = tokenizer.encode(text.substr(0, 4096));
    for (const int32_t id : ids) {
      if (id < 0 || id >= tokenizer.vocab_size()) std::abort();  // an id outside the vocabulary
    }
    volatile size_t sink = tokenizer.decode(ids, false).size() + tokenizer.decode(ids, true).size();
    (void)sink;
  } catch (const softcot::Error&) {
  }
  return 0;
}
