// softcot: one binary, one subcommand per stage of the work (see `softcot --help`).
#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "core/exit_codes.h"

namespace softcot::cli {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace

const std::vector<Command>& all_commands() { return registry(); }

RegisterCommand::RegisterCommand(Command command) {
  auto& commands = registry();
  commands.push_back(std::move(command));
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
}

}  // namespace softcot::cli

namespace {

void print_usage(std::ostream& out) {
  out << "softcot " << SOFTCOT_VERSION
      << ": SoftCoT evaluations on Slurm clusters, checkpointed in HDF5\n\n"
         "Usage: softcot COMMAND [OPTIONS]   (softcot COMMAND --help for its options)\n\n"
         "Commands:\n";
  for (const auto& c : softcot::cli::all_commands()) {
    out << "  " << c.name << std::string(c.name.size() < 16 ? 16 - c.name.size() : 1, ' ')
        << c.summary << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    print_usage(std::cout);
    return argc < 2 ? softcot::exit_code::kUsage : softcot::exit_code::kOk;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::cout << "softcot " << SOFTCOT_VERSION << "\n";
    return softcot::exit_code::kOk;
  }
  const std::string name = argv[1];
  for (const auto& c : softcot::cli::all_commands()) {
    if (c.name != name) continue;
    std::string program = "softcot " + name;
    argv[1] = program.data();
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const softcot::Error& e) {
      std::cerr << "softcot " << name << ": error: " << e.what() << "\n";
      return e.exit_code();
    } catch (const std::bad_alloc&) {
      // Crash-like: a retry (after other jobs on the node freed memory) may succeed.
      std::cerr << "softcot " << name << ": error: out of memory\n";
      return softcot::exit_code::kCrashLike;
    } catch (const std::exception& e) {
      std::cerr << "softcot " << name << ": error: " << e.what() << "\n";
      return softcot::exit_code::kFailure;
    }
  }
  std::cerr << "softcot: unknown command '" << name << "'\n\n";
  print_usage(std::cerr);
  return softcot::exit_code::kUsage;
}
