#pragma once
// Subcommand registry. Each cmd_<name>.cpp defines `static const RegisterCommand` with
// its name, one-line summary and entry point; main.cpp dispatches. Adding a command
// touches only its own file.
#include <string>
#include <vector>

namespace softcot::cli {

struct Command {
  std::string name;
  std::string summary;
  int (*run)(int argc, char** argv);  // argv[0] is "softcot <name>"
};

const std::vector<Command>& all_commands();

struct RegisterCommand {
  explicit RegisterCommand(Command command);
};

}  // namespace softcot::cli
