#include <gtest/gtest.h>

#include "supervise/retry_budget.h"

namespace softcot::supervise {
namespace {

TEST(RetryBudget, WithoutProgressAllowsExactlyMaxRetries) {
  RetryBudget budget({/*max_retries=*/3, /*delay=*/0, /*backoff=*/1});
  EXPECT_TRUE(budget.record_crash(false));
  EXPECT_TRUE(budget.record_crash(false));
  EXPECT_TRUE(budget.record_crash(false));
  EXPECT_EQ(budget.retries_left(), 0);
  EXPECT_FALSE(budget.record_crash(false));
}

TEST(RetryBudget, ZeroRetriesNeverRestarts) {
  RetryBudget budget({0, 5, 1});
  EXPECT_FALSE(budget.record_crash(false));
}

TEST(RetryBudget, ProgressGivesTheBudgetBack) {
  RetryBudget budget({2, 0, 1});
  EXPECT_TRUE(budget.record_crash(false));
  EXPECT_TRUE(budget.record_crash(false));
  // This attempt committed samples before crashing: it counts as the first of a new run.
  EXPECT_TRUE(budget.record_crash(true));
  EXPECT_EQ(budget.retries_used_since_progress(), 1);
  EXPECT_EQ(budget.retries_left(), 1);
  EXPECT_TRUE(budget.record_crash(false));
  EXPECT_FALSE(budget.record_crash(false));
}

TEST(RetryBudget, BackoffMultipliesTheDelayAndProgressResetsIt) {
  RetryBudget budget({10, 5, 2});
  budget.record_crash(false);
  EXPECT_DOUBLE_EQ(budget.next_delay_seconds(), 5);
  budget.record_crash(false);
  EXPECT_DOUBLE_EQ(budget.next_delay_seconds(), 10);
  budget.record_crash(false);
  EXPECT_DOUBLE_EQ(budget.next_delay_seconds(), 20);
  budget.record_crash(true);
  EXPECT_DOUBLE_EQ(budget.next_delay_seconds(), 5);
}

TEST(RetryBudget, DefaultBackoffKeepsTheDelayConstant) {
  RetryBudget budget(RetrySettings{});
  for (int i = 0; i < 5; ++i) {
    budget.record_crash(false);
    EXPECT_DOUBLE_EQ(budget.next_delay_seconds(), 5);
  }
}

TEST(RetryBudget, BackoffIsCapped) {
  RetryBudget budget({100, 5, 10});
  for (int i = 0; i < 20; ++i) budget.record_crash(false);
  EXPECT_DOUBLE_EQ(budget.next_delay_seconds(), kMaxRetryDelaySeconds);
}

}  // namespace
}  // namespace softcot::supervise
