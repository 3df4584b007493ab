#include "supervise/retry_budget.h"

#include <algorithm>
#include <cmath>

namespace softcot::supervise {

bool RetryBudget::record_crash(bool made_progress) {
  if (made_progress) retries_used_ = 0;
  ++retries_used_;
  return retries_used_ <= settings_.max_retries;
}

int RetryBudget::retries_left() const { return std::max(0, settings_.max_retries - retries_used_); }

double RetryBudget::next_delay_seconds() const {
  const int exponent = std::max(0, retries_used_ - 1);
  const double delay = settings_.retry_delay_seconds * std::pow(settings_.backoff, exponent);
  return std::clamp(delay, 0.0, kMaxRetryDelaySeconds);
}

}  // namespace softcot::supervise
