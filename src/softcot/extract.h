#pragma once
// Answer extraction exactly as the reference's evaluate_softcot.py does it, quirks included
// (docs/tasks.md): numbers lose their minus sign, `1,234.5` -> 1234.5, the article "a" counts
// as option A, "yes"/"no" are whole words and the later one wins.
#include <string>
#include <string_view>

#include "core/json_file.h"
#include "softcot/answer.h"
#include "softcot/task.h"

namespace softcot {

// The model's answer in `text` = decode(tokens, skip_special_tokens=True); None when absent.
Answer extract_answer(Task task, std::string_view text);

// The ground truth of a data row. Throws bad_input(subject, reason) where the reference would
// fail (no `####` line, a non-number after it, a missing or mistyped `answer`).
Answer parse_ground_truth(Task task, const Json& row, const std::string& subject);

}  // namespace softcot
