// softcot run: `softcot eval` under the retry supervisor. The eval flags pass through
// unchanged; --max_retries, --retry_delay, --backoff, --hang_timeout and --kill_grace
// are the supervisor's (docs/supervisor.md).
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/log.h"
#include "supervise/child_process.h"
#include "supervise/exit_classification.h"
#include "supervise/flag_split.h"
#include "supervise/supervisor.h"
#include "supervise/supervisor_flags.h"

namespace softcot::cli {
namespace {

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const supervise::SplitCommandLine split = supervise::split_supervisor_flags(args);

  supervise::SupervisorOptions options;
  options.hang_timeout_seconds = 600;
  po::options_description supervisor_options("Supervisor options (the rest goes to softcot eval)");
  supervise::add_supervisor_flags(supervisor_options, options, '_');
  supervisor_options.add_options()("help,h", "print this help and the eval options");

  std::vector<std::string> own = split.supervisor;
  bool help = false;
  for (const auto& a : split.worker) help = help || a == "--help" || a == "-h";
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(own).options(supervisor_options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw usage_error(std::string(e.what()) + " (see 'softcot run --help')");
  }
  if (help) {
    std::cout << "Usage: softcot run [supervisor options] [eval options]\n\n"
              << "Runs `softcot eval` and restarts it when it crashes or hangs; it resumes from the\n"
                 "checkpoint. A sample that keeps crashing is committed as quarantined.\n\n"
              << supervisor_options << "\n"
              << supervise::retry_policy_help() << "\n\nThe eval options follow (softcot eval --help):\n\n";
    std::cout.flush();
  }
  supervise::validate_supervisor_options(options);

  std::vector<std::string> worker{supervise::current_executable(), "eval"};
  worker.insert(worker.end(), split.worker.begin(), split.worker.end());
  if (help) {
    // Let eval print its own options, unsupervised.
    return supervise::run_supervised({}, worker).exit_code;
  }
  log::init("info");
  return supervise::supervise_worker(options, worker);
}

const RegisterCommand kRegister{
    {"run", "softcot eval under the retry supervisor (restart, resume, quarantine)", &run}};

}  // namespace
}  // namespace softcot::cli
