#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "core/log.h"

namespace softcot::cli {

namespace {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e8) return "--:--";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return text;
}

}  // namespace

ProgressReporter::ProgressReporter(int64_t total, int64_t already_done, double interval_seconds)
    : total_(total), done_(already_done), terminal_(isatty(STDERR_FILENO) == 1),
      interval_seconds_(interval_seconds), start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double ProgressReporter::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double ProgressReporter::samples_per_second() const {
  const double t = elapsed_seconds();
  return t > 0 ? static_cast<double>(done_this_process_) / t : 0.0;
}

double ProgressReporter::tokens_per_second() const {
  const double t = elapsed_seconds();
  return t > 0 ? static_cast<double>(tokens_) / t : 0.0;
}

std::string ProgressReporter::line() const {
  const double rate = samples_per_second();
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1.0;
  char text[160];
  std::snprintf(text, sizeof text, "%lld/%lld samples, %.3f samples/s, %.1f tokens/s, elapsed %s, ETA %s",
                static_cast<long long>(done_), static_cast<long long>(total_), rate,
                tokens_per_second(), format_duration(elapsed_seconds()).c_str(),
                format_duration(eta).c_str());
  return text;
}

void ProgressReporter::maybe_print(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    const int width = 30;
    const int filled = total_ > 0 ? static_cast<int>(width * done_ / total_) : width;
    std::fprintf(stderr, "\r[%s%s] %s", std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), ' ').c_str(), line().c_str());
    std::fflush(stderr);
    return;
  }
  if (force || std::chrono::duration<double>(now - last_print_).count() >= interval_seconds_) {
    spdlog::info("Progress: {}", line());
    last_print_ = now;
  }
}

void ProgressReporter::sample_done(int64_t generated_tokens) {
  ++done_;
  ++done_this_process_;
  tokens_ += generated_tokens;
  maybe_print(false);
}

void ProgressReporter::finish() {
  if (terminal_) {
    std::fprintf(stderr, "\n");
  } else {
    maybe_print(true);
  }
}

}  // namespace softcot::cli
