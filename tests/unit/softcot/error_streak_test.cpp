// GenerationErrorStreak (issue 12): errors in a row stop the run (bad input, exit 65) with
// the last error's message; a success in between starts the count over.
#include <gtest/gtest.h>

#include "core/error.h"
#include "softcot/error_streak.h"

namespace softcot {
namespace {

SampleResult result(int64_t idx, bool error) {
  SampleResult r;
  r.idx = idx;
  if (error) {
    r.status = sample_status::kErrorGeneration;
    r.error_message = "models/base: non-finite values (NaN or Inf) in the base model's logits at decode step 0";
  }
  return r;
}

TEST(GenerationErrorStreak, StopsAtTheThirdErrorInARowNamingTheModel) {
  GenerationErrorStreak streak(3);
  streak.observe(result(0, true));
  streak.observe(result(1, true));
  streak.observe(result(2, false));  // starts the count over
  streak.observe(result(3, true));
  streak.observe(result(4, true));
  try {
    streak.observe(result(5, true));
    FAIL() << "no error after 3 in a row";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
    const std::string what = e.what();
    EXPECT_NE(what.find("models/base"), std::string::npos) << what;
    EXPECT_NE(what.find("3 samples in a row, 3 to 5"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace softcot
