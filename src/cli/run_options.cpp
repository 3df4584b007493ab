#include "cli/run_options.h"

#include <charconv>

#include "core/error.h"
#include "core/log.h"

namespace softcot::cli {

namespace {

// boost would read "-1" as 2^64-1: a typo would silently become another seed.
uint64_t parse_seed(const std::string& text) {
  uint64_t seed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw usage_error("--seed must be a whole number from 0 to 18446744073709551615, not '" + text + "'");
  }
  return seed;
}

}  // namespace

void add_run_options(po::options_description& options) {
  const RunOptions d;
  po::options_description reference("Options of the reference's evaluate_softcot.py");
  reference.add_options()
      ("base_model_id", po::value<std::string>(), "base model: a directory or an HF id in the local cache (required)")
      ("assistant_model_id", po::value<std::string>(), "assistant model: a directory or an HF id (required)")
      ("params_file_name", po::value<std::string>()->default_value(""),
       "projection file (torch projection.bin or safetensors); not needed when num_thought_tokens is 0")
      ("num_thought_tokens", po::value<int>()->default_value(d.num_thought_tokens),
       ("soft thought tokens N, at most " + std::to_string(kMaxNumThoughtTokens) +
        "; 0 runs the zero-shot baseline").c_str())
      ("num_return_sequences", po::value<int>()->default_value(d.num_return_sequences),
       "sampled responses per question, voted")
      ("task_name", po::value<std::string>(), ("task (required): " + task_names_joined()).c_str())
      ("print_input", po::bool_switch(), "log the base prompt of each sample")
      ("print_response", po::bool_switch(), "log every response")
      ("test_k", po::value<int64_t>()->default_value(d.test_k), "keep the first K samples (0: all)")
      ("seed", po::value<std::string>()->default_value(std::to_string(d.seed)), "sampling seed, 0 .. 2^64-1")
      ("base_model_ckpt", po::value<std::string>()->default_value(""),
       "accepted, WITHOUT EFFECT: the reference's evaluate_softcot.py never loads it either")
      ("assistant_model_ckpt", po::value<std::string>()->default_value(""),
       "fine-tuned assistant weights (torch.save(state_dict) or safetensors, HF parameter names), loaded "
       "into the assistant as the reference does; names and shapes checked, its sha256 in the fingerprint")
      ("tune_base_model", po::bool_switch(), "accepted, no effect (training only)")
      ("tune_assistant_model", po::bool_switch(), "accepted, no effect (training only)");
  po::options_description own("Data, generation and process options");
  own.add_options()
      ("data_dir", po::value<std::string>()->default_value(""),
       "folder holding the task's reference file (default: $SOFTCOT_DATA_DIR/<task>, else the bundled data/<task>; gsm8k ships with the project)")
      ("data_file", po::value<std::string>()->default_value(""), "read this file instead (JSON lines or a JSON list)")
      ("max_new_tokens", po::value<int>()->default_value(d.max_new_tokens), "generation limit per response")
      ("threads", po::value<int>()->default_value(d.threads),
       "CPU threads (0: all the CPUs this process may use; more is capped at them, with a warning)")
      ("log_level", po::value<std::string>()->default_value(d.log_level), "trace, debug, info, warn, error, off")
      ("base_model_family", po::value<std::string>()->default_value(""),
       "qwen or llama (default: from the model id, as the reference: 'Llama' or 'Qwen' in it)")
      ("assistant_model_family", po::value<std::string>()->default_value(""), "qwen or llama (default: from the id)")
      ("chat_date", po::value<std::string>()->default_value(d.chat_date),
       "the date the Llama-3 chat templates write (\"DD Mon YYYY\"), or today: the date of the run's first "
       "start, kept by every resume (default: 26 Jul 2024, what the pinned transformers 4.44.2 renders)");
  options.add(reference).add(own);
}

RunOptions read_run_options(const po::variables_map& vm) {
  RunOptions o;
  auto text = [&](const char* name) {
    return vm.count(name) ? vm[name].as<std::string>() : std::string();
  };
  o.base_model_id = text("base_model_id");
  o.assistant_model_id = text("assistant_model_id");
  o.params_file_name = text("params_file_name");
  o.num_thought_tokens = vm["num_thought_tokens"].as<int>();
  o.num_return_sequences = vm["num_return_sequences"].as<int>();
  if (!vm.count("task_name")) throw usage_error("--task_name is required (" + task_names_joined() + ")");
  o.task = parse_task_name(vm["task_name"].as<std::string>());
  o.print_input = vm["print_input"].as<bool>();
  o.print_response = vm["print_response"].as<bool>();
  o.test_k = vm["test_k"].as<int64_t>();
  o.seed = parse_seed(vm["seed"].as<std::string>());
  o.base_model_ckpt = text("base_model_ckpt");
  o.assistant_model_ckpt = text("assistant_model_ckpt");
  o.tune_base_model = vm["tune_base_model"].as<bool>();
  o.tune_assistant_model = vm["tune_assistant_model"].as<bool>();
  o.data_dir = text("data_dir");
  o.data_file = text("data_file");
  o.max_new_tokens = vm["max_new_tokens"].as<int>();
  o.threads = vm["threads"].as<int>();
  o.log_level = text("log_level");
  o.base_model_family = text("base_model_family");
  o.assistant_model_family = text("assistant_model_family");
  o.chat_date = text("chat_date");
  o.validate();
  // The reference passes the string 'None' for "no checkpoint".
  if (o.assistant_model_ckpt == "None") o.assistant_model_ckpt.clear();
  if (o.base_model_ckpt == "None") o.base_model_ckpt.clear();
  if (!o.base_model_ckpt.empty()) {
    spdlog::warn("--base_model_ckpt has no effect: the reference's evaluate_softcot.py does not load it either");
  }
  return o;
}

}  // namespace softcot::cli
