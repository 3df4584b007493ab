// softcot retry: the reference's run_with_retry for any command, and softcot
// supervise-selftest, the stand-in worker its tests (and users checking a setup) run.
#include <cstring>
#include <iostream>

#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/log.h"
#include "supervise/exit_classification.h"
#include "supervise/standin_worker.h"
#include "supervise/supervisor.h"
#include "supervise/supervisor_flags.h"

namespace softcot::cli {

namespace {

void init_logging() {
  if (!spdlog::get("softcot")) log::init("info");
}

bool takes_value(const po::options_description& options, const std::string& token) {
  std::string name = token.substr(token.find_first_not_of('-'));
  if (name.find('=') != std::string::npos) return false;
  if (name == "config") return true;
  const po::option_description* d = options.find_nothrow(name, false);
  return d != nullptr && d->semantic()->max_tokens() > 0;
}

int run_retry(int argc, char** argv) {
  supervise::SupervisorOptions options;  // hang-timeout 0: most commands do not heartbeat
  po::options_description flags("Retry options (--max_retries and --retry_delay spellings work too)");
  supervise::add_supervisor_flags(flags, options, '-');

  // Our flags end at `--` or at the first word that is not a flag (run_with_retry style).
  std::vector<std::string> own = {argv[0]};
  std::vector<std::string> command;
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    if (token == "--") {
      command.assign(argv + i + 1, argv + argc);
      break;
    }
    if (token.size() < 2 || token[0] != '-') {
      command.assign(argv + i, argv + argc);
      break;
    }
    own.push_back(supervise::respell_long_flag(token, '-'));
    if (takes_value(flags, own.back()) && i + 1 < argc) own.push_back(argv[++i]);
  }
  std::vector<char*> own_argv;
  for (auto& s : own) own_argv.push_back(s.data());

  const std::string usage =
      "softcot retry [OPTIONS] -- CMD ARGS...\n\n"
      "Runs CMD and restarts it when it crashes; exits with its exit code otherwise (and with\n"
      "the last crash's code when the retries are spent). SIGTERM, SIGINT, SIGUSR1, SIGUSR2 are\n"
      "forwarded to CMD, and nothing is restarted after one (exit 75 if CMD died of it).\n\n" +
      supervise::retry_policy_help();
  auto parsed = parse_command_line(static_cast<int>(own_argv.size()), own_argv.data(), usage, flags);
  if (!parsed) return exit_code::kOk;
  supervise::validate_supervisor_options(options);
  if (command.empty()) throw usage_error("no command given (usage: " + usage.substr(0, usage.find('\n')) + ")");
  init_logging();
  return supervise::supervise_worker(options, command);
}

int run_selftest(int argc, char** argv) {
  supervise::StandinWorkerOptions options;
  po::options_description flags("Stand-in worker options");
  flags.add_options()("state", po::value(&options.state_dir)->required(),
                      "folder for the stand-in store (created; resumed when it exists)")(
      "samples", po::value(&options.samples)->default_value(options.samples), "samples to run")(
      "sample-ms", po::value(&options.sample_ms)->default_value(options.sample_ms),
      "simulated work per sample, in milliseconds")(
      "max-sample-attempts",
      po::value(&options.max_sample_attempts)->default_value(options.max_sample_attempts),
      "starts of one sample without a commit before it is quarantined");
  const std::string usage =
      "softcot supervise-selftest --state DIR [--samples N]\n\n"
      "A stand-in for `softcot eval` (no model) that heartbeats, honours SOFTCOT_FAULT and\n"
      "quarantines like the real sample loop; run it under `softcot retry` to test a setup.";
  if (!parse_command_line(argc, argv, usage, flags)) return exit_code::kOk;
  if (options.samples < 0) throw usage_error("--samples must be >= 0");
  if (options.max_sample_attempts < 1) throw usage_error("--max-sample-attempts must be >= 1");
  init_logging();
  return supervise::run_standin_worker(options);
}

const RegisterCommand kRegisterRetry{
    {"retry", "run a command, restarting it when it crashes or hangs", &run_retry}};
const RegisterCommand kRegisterSelftest{
    {"supervise-selftest", "(testing) a stand-in worker for the supervisor", &run_selftest}};

}  // namespace

}  // namespace softcot::cli
