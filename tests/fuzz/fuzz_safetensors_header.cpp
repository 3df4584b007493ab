// libFuzzer target for the safetensors header parser. Any input must either throw
// softcot::Error or return views that lie wholly inside the input; reading every byte
// of every view lets AddressSanitizer catch a view that does not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A private copy sized exactly to the input, so reads past its end are caught.
  std::vector<uint8_t> bytes(data, data + size);
  try {
    const auto views = softcot::io::parse_safetensors("fuzz", bytes.data(), bytes.size());
    unsigned sum = 0;
    for (const auto& view : views) {
      const auto* p = static_cast<const uint8_t*>(view.data);
      if (view.nbytes != static_cast<size_t>(view.numel()) * softcot::io::dtype_size(view.dtype)) {
        std::abort();  // a view whose byte count disagrees with its shape
      }
      for (size_t i = 0; i < view.nbytes; ++i) sum += p[i];
    }
    volatile unsigned sink = sum;
    (void)sink;
  } catch (const softcot::Error&) {
    // Rejected with a message: the expected outcome for malformed input.
  }
  return 0;
}
