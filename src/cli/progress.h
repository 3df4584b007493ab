#pragma once
// Progress of the sample loop: a one-line bar with rate and ETA on a terminal, and a
// plain line every `interval_seconds` otherwise (Slurm logs must stay readable).
#include <chrono>
#include <cstdint>
#include <string>

namespace softcot::cli {

class ProgressReporter {
 public:
  ProgressReporter(int64_t total, int64_t already_done, double interval_seconds);
  void sample_done(int64_t generated_tokens);
  void finish();  // ends the bar's line on a terminal

  int64_t done() const { return done_; }
  int64_t done_this_process() const { return done_this_process_; }
  double elapsed_seconds() const;
  double samples_per_second() const;
  double tokens_per_second() const;

 private:
  std::string line() const;
  void maybe_print(bool force);

  int64_t total_;
  int64_t done_;
  int64_t done_this_process_ = 0;
  int64_t tokens_ = 0;
  bool terminal_;
  double interval_seconds_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace softcot::cli
