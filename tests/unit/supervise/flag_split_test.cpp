#include <gtest/gtest.h>

#include "supervise/flag_split.h"

namespace softcot::supervise {
namespace {

using Args = std::vector<std::string>;

TEST(SplitSupervisorFlags, TakesOutBothSpellingsWithTheirValues) {
  const auto split = split_supervisor_flags({"--task_name", "gsm8k", "--max_retries", "3",
                                             "--retry-delay=0", "--test_k", "12", "--hang_timeout", "60",
                                             "--backoff", "2", "--kill_grace=5", "--seed", "41"});
  EXPECT_EQ(split.supervisor, (Args{"--max_retries", "3", "--retry-delay=0", "--hang_timeout", "60",
                                    "--backoff", "2", "--kill_grace=5"}));
  EXPECT_EQ(split.worker, (Args{"--task_name", "gsm8k", "--test_k", "12", "--seed", "41"}));
}

TEST(SplitSupervisorFlags, LeavesLookalikesAndEverythingAfterDashDashAlone) {
  const auto split = split_supervisor_flags(
      {"--max_sample_attempts", "3", "--max_retries_x", "1", "-b", "--", "--max_retries", "9"});
  EXPECT_TRUE(split.supervisor.empty());
  EXPECT_EQ(split.worker,
            (Args{"--max_sample_attempts", "3", "--max_retries_x", "1", "-b", "--", "--max_retries", "9"}));
}

}  // namespace
}  // namespace softcot::supervise
