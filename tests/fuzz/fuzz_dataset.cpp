// libFuzzer target for the task data loader (--data_file: JSON lines or one JSON list): any
// input must load or throw softcot::Error naming the file. The first byte picks the task
// (each reads its ground truth differently) and --test_k.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "fuzz_input_file.h"
#include "softcot/dataset.h"
#include "softcot/task.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& tasks = softcot::all_tasks();
  const softcot::Task task = tasks[data[0] % tasks.size()];
  const int64_t test_k = (data[0] / tasks.size()) % 4;  // 0 keeps the whole split
  try {
    const auto dataset = softcot::load_dataset(task, softcot::fuzz::as_file(data + 1, size - 1), test_k);
    size_t bytes = 0;
    for (const auto& sample : dataset.samples) bytes += sample.question.size() + sample.ground_truth_json.size();
    volatile size_t sink = bytes;
    (void)sink;
  } catch (const softcot::Error&) {
  }
  return 0;
}
