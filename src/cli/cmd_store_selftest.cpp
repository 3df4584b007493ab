// softcot store-selftest: the store's stand-in worker for kill tests (no model needed).
#include "cli/command.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "store/selftest_writer.h"

namespace softcot::cli {

namespace {

int run_store_selftest(int argc, char** argv) {
  store::SelftestOptions options;
  std::string sync = "always";
  po::options_description flags("Store self-test options");
  flags.add_options()("path", po::value(&options.path)->required(), "checkpoint file (created, or resumed)")(
      "samples", po::value(&options.samples)->default_value(options.samples), "samples in the run")(
      "responses", po::value(&options.responses_per_sample)->default_value(options.responses_per_sample),
      "responses per sample")(
      "pause_ms", po::value(&options.pause_ms)->default_value(options.pause_ms), "simulated work per sample")(
      "seed", po::value(&options.seed)->default_value(options.seed), "part of the fingerprint")(
      "stop_after", po::value(&options.stop_after)->default_value(options.stop_after),
      "exit after this many commits (-1: run to the end)")(
      "checkpoint_sync", po::value(&sync)->default_value(sync), "always | never (fdatasync per commit)");
  const std::string usage =
      "softcot store-selftest --path FILE [--samples N] [--pause_ms MS]\n\n"
      "Commits synthetic deterministic samples, one per pause, resuming what is there; for\n"
      "kill tests of the checkpoint store. SIGTERM/INT/USR1/USR2 stop it cleanly (exit 75).";
  if (!parse_command_line(argc, argv, usage, flags)) return exit_code::kOk;
  if (options.samples < 0 || options.pause_ms < 0 || options.responses_per_sample < 0) {
    throw usage_error("--samples, --pause_ms and --responses must be >= 0");
  }
  options.sync = store::parse_sync_policy(sync);
  if (!spdlog::get("softcot")) log::init("warn");
  install_stop_signal_handlers();
  return store::run_selftest_writer(options);
}

const RegisterCommand kRegister{
    {"store-selftest", "(testing) commit synthetic samples to a checkpoint, for kill tests", &run_store_selftest}};

}  // namespace

}  // namespace softcot::cli
