// softcot prompts: the prompts `softcot eval` would feed the two models, without running
// them. One JSON line per sample: {"idx", "base_prompt", "assistant_prompt", "base_ids",
// "assistant_ids", "thought_index"}; each prompt in its model directory's chat template.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/run_options.h"
#include "core/error.h"
#include "core/json_file.h"
#include "core/log.h"
#include "io/model_dir.h"
#include "softcot/dataset.h"
#include "softcot/prompt_pair.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace softcot::cli {
namespace {

struct Side {
  tokenizer::Tokenizer tokenizer;
  tokenizer::ChatTemplate chat_template;
};

Side load_side(const std::string& model_id) {
  const std::string dir = io::resolve_model_dir(model_id);
  return {tokenizer::Tokenizer::from_file((std::filesystem::path(dir) / "tokenizer.json").string()),
          tokenizer::recognise_chat_template(dir)};
}

int run(int argc, char** argv) {
  po::options_description options("prompts options (the same as eval's)");
  add_run_options(options);
  std::string output;
  options.add_options()("output", po::value(&output)->default_value(""),
                        "write the JSON lines to FILE instead of stdout");
  const auto parsed = parse_command_line(
      argc, argv,
      "softcot prompts --base_model_id DIR --assistant_model_id DIR --task_name TASK [eval's options]",
      options);
  if (!parsed) return 0;
  RunOptions run = read_run_options(parsed->vm);
  log::init(run.log_level);
  if (run.chat_date == "today") run.chat_date = today_chat_date();

  const Side base = load_side(run.base_model_id);
  const Side assistant = load_side(run.assistant_model_id);
  const Dataset dataset = load_dataset(run.task, run.data_path(), run.test_k);
  spdlog::info("{}: {} of {} samples ({}), sha256 {}", dataset.path, dataset.samples.size(),
               dataset.split_size, task_info(run.task).name, dataset.sha256);

  std::ofstream file;
  if (!output.empty()) {
    file.open(output);
    if (!file) throw io_error(output, errno_text("cannot open for writing"));
  }
  std::ostream& out = output.empty() ? std::cout : file;
  for (const Sample& sample : dataset.samples) {
    const PromptPair pair = build_prompts(
        run.task, sample, run.num_thought_tokens, {&base.tokenizer, run.base_family(), base.chat_template},
        {&assistant.tokenizer, run.assistant_family(), assistant.chat_template}, run.chat_date);
    Json line = {{"idx", sample.idx},
                 {"base_prompt", pair.base_text},
                 {"assistant_prompt", pair.assistant_text},
                 {"base_ids", pair.base_ids},
                 {"assistant_ids", pair.assistant_ids},
                 {"thought_index", pair.thought_index}};
    out << line.dump() << "\n";
  }
  out.flush();
  if (!out) throw io_error(output.empty() ? "stdout" : output, "write failed");
  return 0;
}

const RegisterCommand kRegister{
    {"prompts", "write the token ids and placeholder spans eval would use, one JSON line per sample", &run}};

}  // namespace
}  // namespace softcot::cli
