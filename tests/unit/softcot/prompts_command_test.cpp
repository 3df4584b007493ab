// `softcot prompts` end to end: for every group of ../shared/data/softcot_prompt_cases.jsonl
// (gsm8k N = 4, 2, 0; aqua; du; strategyqa) it writes the reference's ids and thought_index.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/json_file.h"
#include "test_paths.h"
#include "tokenizer/chat_template.h"

namespace softcot {
namespace {

struct CommandRun {
  int status = -1;
  std::string output;
};

CommandRun run_command(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  run.status = pclose(pipe);
  return run;
}

// A model directory holding only the tokenizer files, named so the family is told from the
// id: the Qwen tokenizer with Qwen2.5-Instruct's chat template.
std::string tokenizer_only_model_dir(const std::string& root) {
  const std::string dir = root + "/Qwen2.5-tokenizer-only";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(test::qwen_tokenizer_path(), dir + "/tokenizer.json",
                             std::filesystem::copy_options::overwrite_existing);
  test::write_file(dir, "tokenizer_config.json",
                   Json({{"chat_template", tokenizer::qwen25_chat_template_text()}}).dump());
  return dir;
}

// Tokenizer files as shipped in ../shared/data/tokenizers/<name>, under a directory name
// that gives the reference's family.
std::string shipped_tokenizer_dir(const std::string& root, const std::string& name, const std::string& as) {
  const std::string dir = root + "/" + as;
  std::filesystem::create_directories(dir);
  for (const char* file : {"tokenizer.json", "tokenizer_config.json"}) {
    std::filesystem::copy_file(test::shared_path("data/tokenizers/" + name + "/" + file), dir + "/" + file,
                               std::filesystem::copy_options::overwrite_existing);
  }
  return dir;
}

// A data row whose ground truth parses for `task`.
Json data_row(const std::string& task, const std::string& question) {
  if (task == "strategyqa") return {{"question", question}, {"answer", true}, {"facts", Json::array()}};
  if (task == "du") return {{"question", question}, {"answer", "A"}};
  if (task == "aqua") return {{"question", question}, {"answer", "#### A"}};
  return {{"question", question}, {"answer", "#### 0"}};
}

TEST(PromptsCommand, ReproducesEveryReferenceCase) {
  std::map<std::pair<std::string, int>, std::vector<Json>> groups;
  std::ifstream in(test::shared_path("data/softcot_prompt_cases.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Json c = Json::parse(line);
    groups[{c["task"].get<std::string>(), c["num_thought_tokens"].get<int>()}].push_back(std::move(c));
  }
  ASSERT_EQ(groups.size(), 6u);

  const std::string root = test::fresh_dir("prompts_command");
  const std::string model = tokenizer_only_model_dir(root);
  int compared = 0;
  for (const auto& [key, cases] : groups) {
    const auto& [task, n] = key;
    // strategyqa tests the rows from int(0.8 * len): put the cases last in a 5x longer file.
    std::vector<Json> rows;
    if (task == "strategyqa") {
      for (size_t i = 0; i < 4 * cases.size(); ++i) rows.push_back(data_row(task, "training row"));
    }
    for (const Json& c : cases) rows.push_back(data_row(task, c["question"].get<std::string>()));
    std::string text;
    for (const Json& row : rows) text += row.dump() + "\n";
    if (task != "gsm8k") text = Json(rows).dump();  // the JSON-list formats
    const std::string data = test::write_file(root, task + std::to_string(n) + ".json", text);

    const CommandRun run = run_command(std::string(SOFTCOT_BINARY) + " prompts --base_model_id " + model +
                                " --assistant_model_id " + model + " --task_name " + task +
                                " --num_thought_tokens " + std::to_string(n) + " --data_file " + data +
                                " --log_level warn --seed 7 --num_return_sequences 3");
    ASSERT_EQ(run.status, 0) << task << " " << n << ": " << run.output;
    std::vector<Json> lines;
    size_t start = 0;
    while (start < run.output.size()) {
      const size_t end = run.output.find('\n', start);
      lines.push_back(Json::parse(run.output.substr(start, end - start)));
      start = end + 1;
    }
    ASSERT_EQ(lines.size(), cases.size()) << task << " N=" << n;
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(lines[i]["idx"], static_cast<int64_t>(i));
      EXPECT_EQ(lines[i]["base_ids"], cases[i]["base_ids"]) << task << " N=" << n << " #" << i;
      EXPECT_EQ(lines[i]["assistant_ids"], cases[i]["assistant_ids"]) << task << " N=" << n << " #" << i;
      EXPECT_EQ(lines[i]["thought_index"], cases[i]["thought_index"]) << task << " N=" << n << " #" << i;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 55);
}

// ../shared/data/softcot_prompt_cases_llama.jsonl: the reference's prompt builders with Meta's
// Llama-3.1-Instruct template for the base and Llama-3.2-Instruct's for the assistant, and
// mixed pairs with the Qwen tokenizer directory's own template (Qwen3's), rendered by
// transformers with `chat_date` as date_string (null: not given).
TEST(PromptsCommand, ReproducesEveryLlamaReferenceCase) {
  std::vector<Json> cases;
  std::ifstream in(test::shared_path("data/softcot_prompt_cases_llama.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) cases.push_back(Json::parse(line));
  }
  ASSERT_EQ(cases.size(), 18u);
  const std::string root = test::fresh_dir("prompts_command_llama");
  const std::map<std::string, std::string> base_dirs = {
      {"llama", shipped_tokenizer_dir(root, "llama3_1_instruct", "Llama-3.1-8B-Instruct")},
      {"qwen", shipped_tokenizer_dir(root, "qwen3", "Qwen3-tokenizer")}};
  const std::map<std::string, std::string> assistant_dirs = {
      {"llama", shipped_tokenizer_dir(root, "llama3_2_instruct", "Llama-3.2-1B-Instruct")},
      {"qwen", base_dirs.at("qwen")}};
  int index = 0;
  for (const Json& c : cases) {
    const std::string task = c["task"].get<std::string>();
    const std::string pair = c["pair"].get<std::string>();
    const std::string base = pair.substr(0, pair.find('/')), assistant = pair.substr(pair.find('/') + 1);
    const int n = c["num_thought_tokens"].get<int>();
    std::vector<Json> rows;
    if (task == "strategyqa") {
      for (int i = 0; i < 4; ++i) rows.push_back(data_row(task, "training row"));
    }
    rows.push_back(data_row(task, c["question"].get<std::string>()));
    const std::string data = test::write_file(root, "case" + std::to_string(index) + ".json", Json(rows).dump());
    std::string command = std::string(SOFTCOT_BINARY) + " prompts --base_model_id " + base_dirs.at(base) +
                          " --assistant_model_id " + assistant_dirs.at(assistant) + " --task_name " + task +
                          " --num_thought_tokens " + std::to_string(n) + " --data_file " + data +
                          " --log_level warn";
    if (!c["chat_date"].is_null()) command += " --chat_date '" + c["chat_date"].get<std::string>() + "'";
    const CommandRun run = run_command(command);
    ASSERT_EQ(run.status, 0) << "case " << index << ": " << run.output;
    const Json line = Json::parse(run.output.substr(0, run.output.find('\n')));
    EXPECT_EQ(line["base_prompt"], c["base_prompt"]) << "case " << index << " " << pair;
    EXPECT_EQ(line["assistant_prompt"], c["assistant_prompt"]) << "case " << index << " " << pair;
    EXPECT_EQ(line["base_ids"], c["base_ids"]) << "case " << index << " " << pair;
    EXPECT_EQ(line["assistant_ids"], c["assistant_ids"]) << "case " << index << " " << pair;
    EXPECT_EQ(line["thought_index"], c["thought_index"]) << "case " << index << " " << pair;
    ++index;
  }
}

TEST(PromptsCommand, AnUnknownChatTemplateIsRefusedNamingTheFile) {
  const std::string root = test::fresh_dir("prompts_command_unknown_template");
  const std::string model = tokenizer_only_model_dir(root);
  const std::string other = root + "/Qwen-other-template";
  std::filesystem::create_directories(other);
  std::filesystem::copy_file(test::qwen_tokenizer_path(), other + "/tokenizer.json");
  test::write_file(other, "tokenizer_config.json",
                   Json({{"chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}"}}).dump());
  const CommandRun run = run_command(std::string(SOFTCOT_BINARY) + " prompts --base_model_id " + other +
                                     " --assistant_model_id " + model + " --task_name gsm8k --test_k 1 2>&1");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find(other + "/tokenizer_config.json: chat template not recognised"), std::string::npos)
      << run.output;
}

TEST(PromptsCommand, BadDataLineIsAOneLineError) {
  const std::string root = test::fresh_dir("prompts_command_bad");
  const std::string model = tokenizer_only_model_dir(root);
  const std::string data = test::write_file(root, "bad.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{oops\n");
  const CommandRun run = run_command(std::string(SOFTCOT_BINARY) + " prompts --base_model_id " + model +
                              " --assistant_model_id " + model + " --task_name gsm8k --data_file " + data +
                              " 2>&1");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find(data + ":2: "), std::string::npos) << run.output;
}

TEST(PromptsCommand, DefaultDataIsTheBundledGsm8k) {
  const std::string root = test::fresh_dir("prompts_command_default");
  const std::string model = tokenizer_only_model_dir(root);
  const CommandRun run = run_command(std::string(SOFTCOT_BINARY) + " prompts --base_model_id " + model +
                              " --assistant_model_id " + model + " --task_name gsm8k --test_k 3 --log_level warn");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 3);
  // N defaults to 2, as in the reference; the first question is Janet's ducks (a reference case).
  const Json first = Json::parse(run.output.substr(0, run.output.find('\n')));
  EXPECT_EQ(first["thought_index"], Json::parse("[261, 263, 276, 278]"));
}

}  // namespace
}  // namespace softcot
