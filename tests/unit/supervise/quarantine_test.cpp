#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include "supervise/quarantine.h"

namespace softcot::supervise {
namespace {

TEST(QuarantinePolicy, RunsTheFirstKStartsOfASample) {
  const QuarantinePolicy policy{3};
  for (int attempt = 1; attempt <= 3; ++attempt) {
    EXPECT_FALSE(policy.should_quarantine(attempt));
    EXPECT_FALSE(policy.check(5, attempt, SIGSEGV).has_value());
  }
  EXPECT_TRUE(policy.should_quarantine(4));
}

TEST(QuarantinePolicy, RecordCarriesTheAttemptsAndTheSignal) {
  const QuarantinePolicy policy{3};
  const auto record = policy.check(5, 4, SIGSEGV);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->idx, 5);
  EXPECT_EQ(record->status, "error_generation");
  EXPECT_EQ(record->attempts, 3);  // three starts crashed; the fourth is the quarantine
  EXPECT_EQ(record->crash_signal, SIGSEGV);
  EXPECT_NE(record->error_message.find("3 times"), std::string::npos) << record->error_message;
  EXPECT_NE(record->error_message.find("SIGSEGV"), std::string::npos) << record->error_message;
  EXPECT_EQ(record->model_answer_json, "null");
  EXPECT_FALSE(record->is_correct);
  EXPECT_TRUE(record->responses.empty());
}

TEST(QuarantinePolicy, CauseTextWinsOverTheSignalName) {
  const auto record = QuarantinePolicy{1}.check(7, 2, SIGABRT, "hang (no heartbeat for 600 s)");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->attempts, 1);
  EXPECT_NE(record->error_message.find("hang"), std::string::npos);
}

TEST(QuarantinePolicy, ReadsTheSupervisorsEnvironment) {
  unsetenv(kLastCrashSignalEnv);
  EXPECT_EQ(last_crash_signal_from_env(), 0);
  setenv(kLastCrashSignalEnv, "11", 1);
  EXPECT_EQ(last_crash_signal_from_env(), 11);
  unsetenv(kLastCrashSignalEnv);
}

}  // namespace
}  // namespace softcot::supervise
