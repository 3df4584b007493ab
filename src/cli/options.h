#pragma once
// Boost.Program_options glue shared by every subcommand: --help, --config FILE
// (the same `name = value` lines as the flags), and errors as one-line usage errors.
#include <boost/program_options.hpp>

#include <optional>
#include <string>

namespace softcot::cli {

namespace po = boost::program_options;

struct Parsed {
  po::variables_map vm;
  std::vector<std::string> unrecognized;  // with allow_unregistered (e.g. after `--`)
};

// Returns nullopt when --help was printed. `usage` is the first help line, e.g.
// "softcot tokenize --tokenizer PATH [--decode]". Positional options are optional.
std::optional<Parsed> parse_command_line(int argc, char** argv, const std::string& usage,
                                         po::options_description& options,
                                         const po::positional_options_description* positional = nullptr);

}  // namespace softcot::cli
