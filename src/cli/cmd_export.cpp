// softcot export: the committed samples of a run as JSON lines or CSV, in idx order.
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "store/checkpoint_path.h"
#include "store/checkpoint_reader.h"
#include "store/export.h"

namespace softcot::cli {

namespace {

int run_export(int argc, char** argv) {
  std::string path, format = "jsonl", output;
  store::ExportOptions export_options;
  po::options_description flags("Export options");
  flags.add_options()("path", po::value(&path), "a checkpoint file, or a directory of the shard files of one run")(
      "format", po::value(&format)->default_value(format), "jsonl | csv")(
      "output,o", po::value(&output), "write to FILE instead of standard output")(
      "comparable", po::bool_switch(&export_options.comparable),
      "leave out times, durations, hosts, pids, Slurm ids and attempts, so that two runs of the\n"
      "same samples (e.g. one interrupted, one not) export identical bytes");
  po::positional_options_description positional;
  positional.add("path", 1);
  const std::string usage =
      "softcot export PATH [--format jsonl|csv] [-o FILE]\n\n"
      "One line per committed sample, in idx order: idx, status, ground_truth, model_answer,\n"
      "is_correct, timestamp (as the reference writes them), then the responses and the rest.\n"
      "Safe while the run is writing (exports what is committed so far).";
  if (!parse_command_line(argc, argv, usage, flags, &positional)) return exit_code::kOk;
  if (path.empty()) throw usage_error("no PATH given (usage: softcot export PATH [--format jsonl|csv])");
  if (format != "jsonl" && format != "csv") throw usage_error("--format must be jsonl or csv (got '" + format + "')");

  const auto files = store::find_checkpoint_files({path});
  if (files.empty()) throw bad_input(path, "no .h5 checkpoint files found");
  const auto records = store::read_merged(files);

  std::ofstream file_out;
  if (!output.empty()) {
    file_out.open(output, std::ios::binary | std::ios::trunc);
    if (!file_out) throw io_error(output, errno_text("cannot create"));
  }
  std::ostream& out = output.empty() ? std::cout : file_out;
  if (format == "csv") store::write_csv(records, out, export_options);
  else store::write_jsonl(records, out, export_options);
  out.flush();
  if (!out) throw io_error(output.empty() ? "standard output" : output, "write failed");
  return exit_code::kOk;
}

const RegisterCommand kRegister{{"export", "committed samples as JSON lines or CSV (idx order)", &run_export}};

}  // namespace

}  // namespace softcot::cli
