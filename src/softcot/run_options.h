#pragma once
// The settings of one evaluation run (`softcot eval`, `softcot prompts`): the reference's
// evaluate_softcot.py flags with their names and defaults, plus this project's own. The
// command-line glue is in cli/run_options.h; this struct is plain data for the pipeline.
#include <cstdint>
#include <string>

#include "softcot/model_family.h"
#include "softcot/task.h"

namespace softcot {

// Soft thoughts beyond this are no SoftCoT setting (the paper uses a few dozen); the bound
// keeps a typo such as 100000 from running for hours with N placeholders in both prompts.
inline constexpr int kMaxNumThoughtTokens = 1024;

struct RunOptions {
  // The reference's flags.
  std::string base_model_id;       // a model directory or an HF id in the local cache
  std::string assistant_model_id;
  std::string params_file_name;    // projection.bin / .safetensors; not needed for N = 0
  int num_thought_tokens = 2;
  int num_return_sequences = 1;
  Task task = Task::kGsm8k;
  bool print_input = false;
  bool print_response = false;
  int64_t test_k = 0;              // 0: every sample of the split
  uint64_t seed = 42;
  std::string base_model_ckpt;       // accepted, without effect (as in the reference's evaluation)
  std::string assistant_model_ckpt;  // fine-tuned assistant weights; empty: the directory's
  // Accepted for the reference's users, without effect here (evaluation never tunes).
  bool tune_base_model = false;
  bool tune_assistant_model = false;

  // This project's.
  std::string data_dir;            // the flag; empty: default_data_dir(task)
  std::string data_file;           // one file instead of <data_dir>/<task file>
  int max_new_tokens = 1024;
  int threads = 0;                 // 0: all cores
  std::string log_level = "info";
  std::string base_model_family;       // "", "qwen" or "llama"; "" picks by model id
  std::string assistant_model_family;
  // The Llama-3 chat templates' date ("DD Mon YYYY"); "today" is resolved to a date before
  // any prompt is built (eval: the run's first start, kept by every resume).
  std::string chat_date = "26 Jul 2024";

  ModelFamily base_family() const { return family_from_model_id(base_model_id, base_model_family); }
  ModelFamily assistant_family() const {
    return family_from_model_id(assistant_model_id, assistant_model_family);
  }
  // The data file this run reads (throws usage_error when there is none).
  std::string data_path() const;
  void validate() const;  // throws usage_error naming the flag
};

// "DD Mon YYYY" with an English month abbreviation, as strftime("%d %b %Y") writes it.
bool is_chat_date(const std::string& text);
// Today's local date in that form (what newer transformers' strftime_now gives the template).
std::string today_chat_date();

// The directory --data_dir defaults to for `task`: <root>/<task name>, where root is
// $SOFTCOT_DATA_DIR, else <executable dir>/../share/softcot/data, else the data/ folder of the
// source tree this was built from (which bundles gsm8k). Empty when the task's file is in none.
std::string default_data_dir(Task task);

}  // namespace softcot
