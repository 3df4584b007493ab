#pragma once
// The one exception type of the project: it names what was wrong (a file, a flag, a
// sample) and why, so every failure prints as one line: "<subject>: <reason>".
#include <stdexcept>
#include <string>

#include "core/exit_codes.h"

namespace softcot {

enum class ErrorKind { kBadInput, kIo, kUsage, kFailure, kCrashLike };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string subject, std::string reason)
      : std::runtime_error(subject.empty() ? reason : subject + ": " + reason),
        kind_(kind), subject_(std::move(subject)), reason_(std::move(reason)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& subject() const { return subject_; }
  const std::string& reason() const { return reason_; }

  int exit_code() const {
    switch (kind_) {
      case ErrorKind::kBadInput: return exit_code::kBadInput;
      case ErrorKind::kIo: return exit_code::kIo;
      case ErrorKind::kUsage: return exit_code::kUsage;
      case ErrorKind::kCrashLike: return exit_code::kCrashLike;
      case ErrorKind::kFailure: break;
    }
    return exit_code::kFailure;
  }

 private:
  ErrorKind kind_;
  std::string subject_;
  std::string reason_;
};

// Shorthands for the common cases; `subject` is usually a file path.
inline Error bad_input(std::string subject, std::string reason) {
  return Error(ErrorKind::kBadInput, std::move(subject), std::move(reason));
}
inline Error io_error(std::string subject, std::string reason) {
  return Error(ErrorKind::kIo, std::move(subject), std::move(reason));
}
inline Error usage_error(std::string reason) {
  return Error(ErrorKind::kUsage, "", std::move(reason));
}
inline Error failure(std::string subject, std::string reason) {
  return Error(ErrorKind::kFailure, std::move(subject), std::move(reason));
}

// "<call>: <strerror(errno)>", for wrapping failed system calls.
std::string errno_text(const char* call);

}  // namespace softcot
