// libFuzzer target for the state-dict unpickler (projection.bin's data.pkl): any input
// must throw softcot::Error or produce a value tree that can be walked and freed.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "io/torch_pickle.h"

namespace {
// Visits the tree without recursion: a hostile pickle can make it deep or cyclic.
size_t walk(const softcot::io::pickle::Value& root) {
  std::vector<const softcot::io::pickle::Value*> todo{&root};
  size_t visited = 0;
  while (!todo.empty() && visited < 100000) {
    const auto* v = todo.back();
    todo.pop_back();
    ++visited;
    for (const auto* item : v->items) todo.push_back(item);
    for (const auto& [key, value] : v->dict) {
      todo.push_back(key);
      todo.push_back(value);
    }
  }
  return visited;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  try {
    const auto unpickled = softcot::io::pickle::load("fuzz", bytes.data(), bytes.size());
    volatile size_t sink = walk(unpickled.root());
    (void)sink;
  } catch (const softcot::Error&) {
  }
  return 0;
}
