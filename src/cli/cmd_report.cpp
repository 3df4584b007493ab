// softcot report: accuracy per task and seed, and mean/std across seeds.
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "cluster/report.h"
#include "core/error.h"

namespace softcot::cli {

namespace {

int run_report(int argc, char** argv) {
  std::vector<std::string> paths;
  std::string format = "markdown";
  po::options_description flags("Report options");
  flags.add_options()("path", po::value(&paths)->composing(), "checkpoint files or directories (searched for *.h5)")(
      "format", po::value(&format)->default_value(format), "markdown, csv or json");
  po::positional_options_description positional;
  positional.add("path", -1);
  const std::string usage =
      "softcot report DIR... [--format markdown|csv|json]\n\n"
      "Per run (directory), task and seed: n/N complete and accuracy. Per run and task:\n"
      "the mean accuracy over the complete seeds and its sample standard deviation\n"
      "(divisor n-1, numpy ddof=1). Incomplete seeds are marked and left out of the mean.\n"
      "Shard files of one seed count together, each sample once.";
  if (!parse_command_line(argc, argv, usage, flags, &positional)) return exit_code::kOk;
  if (paths.empty()) throw usage_error("no DIR given (usage: softcot report DIR... [--format F])");
  const auto chosen = cluster::parse_report_format(format);
  std::cout << cluster::format_report(cluster::build_report(paths), chosen);
  return exit_code::kOk;
}

const RegisterCommand kRegister{{"report", "accuracy per task and seed, mean and std across seeds", &run_report}};

}  // namespace

}  // namespace softcot::cli
