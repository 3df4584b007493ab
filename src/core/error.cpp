#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace softcot {

std::string errno_text(const char* call) {
  const int saved = errno;
  return std::string(call) + ": " + std::strerror(saved);
}

}  // namespace softcot
