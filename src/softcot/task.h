#pragma once
// The five SoftCoT evaluation tasks as data: their names on the command line, the file the
// reference reads from --data_dir, and how its test split is cut (docs/tasks.md).
#include <string>
#include <string_view>
#include <vector>

namespace softcot {

enum class Task { kGsm8k, kAsdivAug, kAqua, kStrategyQa, kDu };

// How a task's final answer is read from the model's text and from the data row.
enum class AnswerKind { kNumber, kLetter, kYesNo };

struct TaskInfo {
  Task task;
  const char* name;             // --task_name value
  const char* test_file;        // the file the reference reads in --data_dir
  AnswerKind answer_kind;
  double train_fraction;        // strategyqa: test = rows from int(fraction * len); else 0
};

const TaskInfo& task_info(Task task);
Task parse_task_name(std::string_view name);  // throws usage_error listing the choices
std::string task_names_joined();              // "gsm8k, strategyqa, asdiv-aug, aqua, du"
const std::vector<Task>& all_tasks();

}  // namespace softcot
