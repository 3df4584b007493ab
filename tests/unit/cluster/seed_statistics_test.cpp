#include "cluster/seed_statistics.h"

#include <gtest/gtest.h>

namespace softcot::cluster {
namespace {

SeedOutcome seed(int64_t id, int64_t correct, int64_t committed, int64_t planned) {
  return SeedOutcome{id, committed, planned, correct};
}

TEST(SeedStatistics, MeanAndSampleStandardDeviation) {
  // Accuracies 0.5, 0.6, 0.7: mean 0.6; squared deviations sum to 0.02, / (3 - 1) = 0.01.
  const auto s = summarize_seeds({seed(41, 5, 10, 10), seed(42, 6, 10, 10), seed(43, 7, 10, 10)});
  EXPECT_EQ(s.complete_seeds, 3);
  ASSERT_TRUE(s.mean && s.sample_std);
  EXPECT_NEAR(*s.mean, 0.6, 1e-12);
  EXPECT_NEAR(*s.sample_std, 0.1, 1e-12);  // the population std would be 0.0816
}

TEST(SeedStatistics, IncompleteSeedsAreLeftOut) {
  const auto s = summarize_seeds({seed(41, 1, 4, 4), seed(42, 3, 4, 4), seed(43, 2, 2, 4)});
  EXPECT_EQ(s.complete_seeds, 2);
  EXPECT_NEAR(*s.mean, 0.5, 1e-12);                     // (0.25 + 0.75) / 2, not counting 2/2
  EXPECT_NEAR(*s.sample_std, 0.3535533905932738, 1e-12);  // sqrt(2 * 0.25^2 / 1)
}

TEST(SeedStatistics, OneSeedHasAMeanButNoStd) {
  const auto s = summarize_seeds({seed(7, 3, 4, 4)});
  EXPECT_NEAR(*s.mean, 0.75, 1e-12);
  EXPECT_FALSE(s.sample_std.has_value());
}

TEST(SeedStatistics, NothingCompleteHasNoMean) {
  const auto s = summarize_seeds({seed(1, 1, 3, 4), seed(2, 0, 0, 0)});
  EXPECT_EQ(s.complete_seeds, 0);
  EXPECT_FALSE(s.mean.has_value());
}

TEST(SeedOutcome, AccuracyIsOverCommittedSamples) {
  EXPECT_DOUBLE_EQ(seed(1, 3, 4, 8).accuracy(), 0.75);
  EXPECT_FALSE(seed(1, 3, 4, 8).complete());
  EXPECT_DOUBLE_EQ(seed(1, 0, 0, 8).accuracy(), 0.0);
}

}  // namespace
}  // namespace softcot::cluster
