#include "softcot/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/digest.h"
#include "core/error.h"
#include "softcot/extract.h"

namespace softcot {

namespace {

struct Row {
  Json value;
  int64_t line = 0;  // 1-based line where the row starts
};

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int64_t line_of_offset(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

std::vector<Row> read_json_lines(const std::string& path, const std::string& text) {
  std::vector<Row> rows;
  int64_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (std::all_of(line.begin(), line.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
      continue;  // the reference skips blank lines
    }
    const std::string subject = path + ":" + std::to_string(line_number);
    try {
      rows.push_back({Json::parse(line), line_number});
    } catch (const Json::parse_error& e) {
      throw bad_input(subject, "not valid JSON (column " + std::to_string(e.byte) + ")");
    } catch (const Json::exception& e) {  // out_of_range: a number beyond double (1e309)
      throw bad_input(subject, "not valid JSON (a number out of range)");
    }
  }
  return rows;
}

// Start offsets of the elements of the top-level array, so errors can name their lines.
std::vector<size_t> top_level_element_offsets(const std::string& text) {
  std::vector<size_t> offsets;
  int depth = 0;
  bool in_string = false;
  bool expect_element = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (is_json_space(c)) continue;
    if (expect_element && depth == 1 && c != ']') {
      offsets.push_back(i);
      expect_element = false;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      ++depth;
      if (depth == 1) expect_element = true;
    } else if (c == ']' || c == '}') --depth;
    else if (c == ',' && depth == 1) expect_element = true;
  }
  return offsets;
}

// Where the number that nlohmann's out_of_range names ("... parsing '1e309'") first occurs
// outside a string (its exception carries no offset); the end of the text if not found.
size_t offset_of_number(const std::string& text, const std::string& message) {
  const size_t open = message.rfind(" '");
  const size_t close = message.rfind('\'');
  if (open == std::string::npos || close <= open + 2) return text.size();
  const std::string number = message.substr(open + 2, close - open - 2);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (in_string) {
      if (text[i] == '\\') ++i;
      else if (text[i] == '"') in_string = false;
    } else if (text[i] == '"') {
      in_string = true;
    } else if (text.compare(i, number.size(), number) == 0) {
      return i;
    }
  }
  return text.size();
}

std::vector<Row> read_json_list(const std::string& path, const std::string& text) {
  Json list;
  try {
    list = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw bad_input(path + ":" + std::to_string(line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0)),
                    "not valid JSON");
  } catch (const Json::exception& e) {  // out_of_range: a number beyond double (1e309)
    throw bad_input(path + ":" + std::to_string(line_of_offset(text, offset_of_number(text, e.what()))),
                    "not valid JSON (a number out of range)");
  }
  if (!list.is_array()) throw bad_input(path, "expected a JSON list of samples");
  const std::vector<size_t> offsets = top_level_element_offsets(text);
  std::vector<Row> rows;
  rows.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const int64_t line = i < offsets.size() ? line_of_offset(text, offsets[i]) : 0;
    rows.push_back({std::move(list[i]), line});
  }
  return rows;
}

Sample make_sample(Task task, const Row& row, const std::string& path, int64_t idx) {
  const std::string subject = path + ":" + std::to_string(row.line);
  if (!row.value.is_object()) throw bad_input(subject, "a sample must be a JSON object");
  Sample sample;
  sample.idx = idx;
  sample.question = json_require<std::string>(row.value, "question", subject);
  sample.ground_truth = parse_ground_truth(task, row.value, subject);
  sample.ground_truth_json = sample.ground_truth.to_json();
  sample.raw = row.value;
  return sample;
}

}  // namespace

std::string task_data_path(Task task, const std::string& data_dir, const std::string& data_file) {
  if (!data_file.empty()) return data_file;
  if (data_dir.empty()) {
    throw usage_error(std::string("task ") + task_info(task).name +
                      " needs --data_dir (holding " + task_info(task).test_file + ") or --data_file");
  }
  return (std::filesystem::path(data_dir) / task_info(task).test_file).string();
}

Dataset load_dataset(Task task, const std::string& path, int64_t test_k) {
  const std::string text = read_text_file(path);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw bad_input(path, "the data file is empty");
  std::vector<Row> rows = text[first] == '[' ? read_json_list(path, text) : read_json_lines(path, text);
  if (rows.empty()) throw bad_input(path, "the data file holds no samples (an empty JSON list)");

  // strategyqa's test split is the tail after the reference's 80 % training part.
  size_t begin = 0;
  const double train_fraction = task_info(task).train_fraction;
  if (train_fraction > 0) begin = static_cast<size_t>(static_cast<double>(rows.size()) * train_fraction);

  Dataset dataset;
  dataset.task = task;
  dataset.path = path;
  dataset.sha256 = sha256_hex(text);
  dataset.split_size = static_cast<int64_t>(rows.size() - begin);
  size_t end = rows.size();
  if (test_k > 0) end = std::min(end, begin + static_cast<size_t>(test_k));
  for (size_t i = begin; i < end; ++i) {
    dataset.samples.push_back(make_sample(task, rows[i], path, static_cast<int64_t>(i - begin)));
  }
  return dataset;
}

}  // namespace softcot
