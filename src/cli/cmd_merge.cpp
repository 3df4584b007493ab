// softcot merge: the shard files of a sharded run (srun --mpi=pmix -n N) as one checkpoint.
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "cluster/merge.h"
#include "core/error.h"

namespace softcot::cli {

namespace {

int run_merge(int argc, char** argv) {
  std::string dir;
  std::string out;
  bool overwrite = false;
  po::options_description flags("Merge options");
  flags.add_options()("dir", po::value(&dir), "a run's checkpoint directory (searched for *.h5)")(
      "output,o", po::value(&out), "the merged checkpoint file (a directory when DIR holds several seeds)")(
      "overwrite", po::bool_switch(&overwrite), "replace an existing output file");
  po::positional_options_description positional;
  positional.add("dir", 1);
  const std::string usage =
      "softcot merge DIR -o FILE [--overwrite]\n\n"
      "Merges the shard files of each evaluation (task, seed) under DIR, whatever shard\n"
      "layouts wrote them, into one checkpoint: what a single-process run would have\n"
      "written. Refuses files of different runs and samples committed twice.";
  if (!parse_command_line(argc, argv, usage, flags, &positional)) return exit_code::kOk;
  if (dir.empty() || out.empty()) throw usage_error("need DIR and -o FILE (see 'softcot merge --help')");

  for (const auto& merged : cluster::merge_run(dir, out, overwrite)) {
    std::cout << merged.output << ": " << merged.samples << "/" << merged.planned << " samples from "
              << merged.inputs.size() << " file(s)"
              << (merged.samples < merged.planned ? " (incomplete)" : "") << "\n";
  }
  return exit_code::kOk;
}

const RegisterCommand kRegister{{"merge", "merge a sharded run's shard files into one checkpoint", &run_merge}};

}  // namespace

}  // namespace softcot::cli
