// softcot: one binary, one subcommand per stage of the work (see `softcot --help`).
#include <algorithm>
#include <cstring>
#include <filesystem>
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

// "PATH: cannot create directories: Not a directory" from libstdc++'s
// "filesystem error: cannot create directories: Not a directory [PATH]".
std::string filesystem_error_line(const std::filesystem::filesystem_error& e) {
  std::string what = e.what();
  const std::string prefix = "filesystem error: ";
  if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
  if (const size_t bracket = what.find(" ["); bracket != std::string::npos) what.erase(bracket);
  const std::string path = e.path1().empty() ? std::string() : e.path1().string() + ": ";
  return path + what;
}

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
    } catch (const std::filesystem::filesystem_error& e) {
      // A checkpoint dir that is a file, a read-only mount: an I/O error naming the path.
      std::cerr << "softcot " << name << ": error: " << filesystem_error_line(e) << "\n";
      return softcot::exit_code::kIo;
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
