#include "cli/options.h"

#include <fstream>
#include <iostream>

#include "core/error.h"

namespace softcot::cli {

std::optional<Parsed> parse_command_line(int argc, char** argv, const std::string& usage,
                                         po::options_description& options,
                                         const po::positional_options_description* positional) {
  po::options_description common("Common options");
  common.add_options()("help,h", "print this help and exit")(
      "config", po::value<std::string>(),
      "read options from FILE (lines of `name = value`; the command line wins)");
  po::options_description all;
  all.add(options).add(common);

  Parsed parsed;
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(all);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), parsed.vm);
    if (parsed.vm.count("help")) {
      std::cout << "Usage: " << usage << "\n\n" << options << "\n" << common << "\n";
      return std::nullopt;
    }
    if (parsed.vm.count("config")) {
      const std::string path = parsed.vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) throw bad_input(path, errno_text("cannot open config file"));
      po::store(po::parse_config_file(in, options), parsed.vm);
    }
    po::notify(parsed.vm);
  } catch (const po::error& e) {
    throw usage_error(std::string(e.what()) + " (see '" + argv[0] + " --help')");
  }
  return parsed;
}

}  // namespace softcot::cli
