#pragma once
// The flags of `softcot eval` and `softcot prompts` (softcot/run_options.h says what each
// means), shared so both commands read the same command lines and config files.
#include "cli/options.h"
#include "softcot/run_options.h"

namespace softcot::cli {

void add_run_options(po::options_description& options);
RunOptions read_run_options(const po::variables_map& vm);  // validated

}  // namespace softcot::cli
