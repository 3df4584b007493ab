#pragma once
// How many more times the supervisor restarts a crashing worker, and how long it waits.
// The budget counts consecutive crashes without progress: an attempt that committed at
// least one sample (a quarantine record counts) gives the whole budget back, so a long
// run with a few scattered crashes finishes, while a worker that crashes before
// committing anything is restarted exactly max_retries times.
namespace softcot::supervise {

struct RetrySettings {
  int max_retries = 10;
  double retry_delay_seconds = 5.0;
  double backoff = 1.0;  // each retry without progress waits `backoff` times longer
};

inline constexpr double kMaxRetryDelaySeconds = 3600.0;  // backoff never waits longer than this

class RetryBudget {
 public:
  explicit RetryBudget(RetrySettings settings) : settings_(settings) {}

  // Records a crashed attempt. `made_progress`: the attempt committed something.
  // Returns whether a retry is allowed.
  bool record_crash(bool made_progress);

  int retries_left() const;
  int retries_used_since_progress() const { return retries_used_; }
  // The wait before the next retry: delay * backoff^(retries used since progress - 1).
  double next_delay_seconds() const;

 private:
  RetrySettings settings_;
  int retries_used_ = 0;  // crashes since the last progress, counting the one just recorded
};

}  // namespace softcot::supervise
