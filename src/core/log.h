#pragma once
// Logging through spdlog (docs/dependencies.md says why). Lines go to stderr with a
// time stamp and level, so Slurm logs and terminals read the same.
#include <spdlog/spdlog.h>

#include <string>

namespace softcot::log {

// level: trace, debug, info, warn, error, off. Throws usage_error on anything else.
void init(const std::string& level = "info");

}  // namespace softcot::log
