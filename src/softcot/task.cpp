#include "softcot/task.h"

#include "core/error.h"

namespace softcot {

namespace {

// In the reference's --task_name choices order.
const TaskInfo kTasks[] = {
    {Task::kGsm8k, "gsm8k", "test_socratic.jsonl", AnswerKind::kNumber, 0.0},
    {Task::kStrategyQa, "strategyqa", "strategyqa_train.json", AnswerKind::kYesNo, 0.8},
    {Task::kAsdivAug, "asdiv-aug", "aug-dev.jsonl", AnswerKind::kNumber, 0.0},
    {Task::kAqua, "aqua", "gsm_style_test.jsonl", AnswerKind::kLetter, 0.0},
    {Task::kDu, "du", "date_understanding_gsm_style.json", AnswerKind::kLetter, 0.0},
};

}  // namespace

const TaskInfo& task_info(Task task) {
  for (const auto& info : kTasks) {
    if (info.task == task) return info;
  }
  throw failure("task_info", "unknown task enum value");
}

const std::vector<Task>& all_tasks() {
  static const std::vector<Task> tasks = [] {
    std::vector<Task> out;
    for (const auto& info : kTasks) out.push_back(info.task);
    return out;
  }();
  return tasks;
}

std::string task_names_joined() {
  std::string out;
  for (const auto& info : kTasks) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

Task parse_task_name(std::string_view name) {
  for (const auto& info : kTasks) {
    if (name == info.name) return info.task;
  }
  throw usage_error("--task_name: unknown task '" + std::string(name) +
                    "' (choose one of " + task_names_joined() + ")");
}

}  // namespace softcot
