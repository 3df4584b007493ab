// The file barrier at the end of a sharded run: rank 0 goes on only when every rank of the
// same job attempt left its marker, and names the ranks that did not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cluster/rank_barrier.h"
#include "core/error.h"

namespace softcot::cluster {
namespace {

namespace fs = std::filesystem;

RankBarrier barrier_of(const std::string& dir, int rank, int size, int restart = 0) {
  ClusterContext c;
  c.rank = rank;
  c.size = size;
  c.job_id = "77";
  c.restart_count = restart;
  return RankBarrier::of(dir, "gsm8k", 42, c);
}

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(SOFTCOT_TEST_TMP) / "cluster" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

TEST(RankBarrier, ReturnsOnceEveryRankOfThisAttemptIsDone) {
  const auto dir = fresh_dir("barrier-all");
  for (int r : {2, 1, 0}) barrier_of(dir, r, 3).mark_mine_done();
  EXPECT_NO_THROW(barrier_of(dir, 0, 3).wait_for_all(30));
  EXPECT_TRUE(fs::exists(dir + "/.ranks/gsm8k_seed42_rank1-of-3.done"));
}

TEST(RankBarrier, NamesTheMissingRanksAndIgnoresMarkersOfEarlierAttempts) {
  const auto dir = fresh_dir("barrier-missing");
  barrier_of(dir, 0, 3, /*restart=*/1).mark_mine_done();
  barrier_of(dir, 2, 3, /*restart=*/0).mark_mine_done();  // before the requeue: stale
  try {
    barrier_of(dir, 0, 3, 1).wait_for_all(0.2);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ranks 1, 2 of 3 did not finish"), std::string::npos) << e.what();
  }
}

TEST(RankBarrier, ARankThatStartsAgainClearsItsMarker) {
  const auto dir = fresh_dir("barrier-clear");
  const auto rank1 = barrier_of(dir, 1, 2);
  rank1.mark_mine_done();
  rank1.clear_mine();
  EXPECT_FALSE(fs::exists(rank1.marker_path(1)));
  EXPECT_THROW(barrier_of(dir, 0, 2).wait_for_all(0.2), Error);
}

}  // namespace
}  // namespace softcot::cluster
