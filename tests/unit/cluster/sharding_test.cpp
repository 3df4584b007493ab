#include "cluster/sharding.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>

#include "core/error.h"

namespace softcot::cluster {
namespace {

std::vector<int64_t> ids(int64_t n, int64_t first = 0) {
  std::vector<int64_t> all(static_cast<size_t>(n));
  std::iota(all.begin(), all.end(), first);
  return all;
}

// How often each id is handed out over all ranks of one layout.
std::map<int64_t, int> handed_out(const std::vector<int64_t>& all, const std::set<int64_t>& committed, int size) {
  std::map<int64_t, int> count;
  for (int rank = 0; rank < size; ++rank) {
    for (int64_t id : shard_sample_ids(all, committed, rank, size)) ++count[id];
  }
  return count;
}

TEST(Sharding, OneProcessGetsEverythingNotCommitted) {
  EXPECT_EQ(shard_sample_ids(ids(5), {}, 0, 1), ids(5));
  EXPECT_EQ(shard_sample_ids(ids(5), {1, 3}, 0, 1), (std::vector<int64_t>{0, 2, 4}));
}

TEST(Sharding, RanksSplitByPositionAndKeepOrder) {
  const std::vector<int64_t> all = {10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(shard_sample_ids(all, {}, 0, 3), (std::vector<int64_t>{10, 13, 16}));
  EXPECT_EQ(shard_sample_ids(all, {}, 1, 3), (std::vector<int64_t>{11, 14}));
  EXPECT_EQ(shard_sample_ids(all, {}, 2, 3), (std::vector<int64_t>{12, 15}));
}

TEST(Sharding, ResumeWithAnotherTaskCountCoversEveryRemainingIdExactlyOnce) {
  const auto all = ids(103);
  std::mt19937_64 rng(7);
  for (int first_size : {1, 2, 3, 4}) {
    // A first run with `first_size` ranks, each stopped after a random part of its share.
    std::set<int64_t> committed;
    for (int rank = 0; rank < first_size; ++rank) {
      const auto share = shard_sample_ids(all, {}, rank, first_size);
      const size_t done = std::uniform_int_distribution<size_t>(0, share.size())(rng);
      committed.insert(share.begin(), share.begin() + static_cast<std::ptrdiff_t>(done));
    }
    for (int resume_size : {1, 2, 3, 5, 8}) {
      const auto count = handed_out(all, committed, resume_size);
      for (int64_t id : all) {
        const int expected = committed.count(id) ? 0 : 1;
        EXPECT_EQ(count.count(id) ? count.at(id) : 0, expected)
            << "id " << id << ", run with " << first_size << " then resumed with " << resume_size;
      }
    }
  }
}

TEST(Sharding, ARanksShareDoesNotDependOnWhenItLooksAtTheCommittedSet) {
  // Rank 1 restarts after the other ranks committed more: its remaining ids are still
  // exactly its own share minus what it has committed, never another rank's ids.
  const auto all = ids(40);
  const auto first_look = shard_sample_ids(all, {}, 1, 4);
  std::set<int64_t> committed_later;
  for (int rank : {0, 2, 3}) {
    for (int64_t id : shard_sample_ids(all, {}, rank, 4)) committed_later.insert(id);
  }
  committed_later.insert(first_look.front());
  const auto second_look = shard_sample_ids(all, committed_later, 1, 4);
  EXPECT_EQ(second_look, std::vector<int64_t>(first_look.begin() + 1, first_look.end()));
}

TEST(Sharding, MoreRanksThanSamplesLeavesSomeIdle) {
  EXPECT_EQ(shard_sample_ids(ids(2), {}, 1, 4), (std::vector<int64_t>{1}));
  EXPECT_TRUE(shard_sample_ids(ids(2), {}, 3, 4).empty());
}

TEST(Sharding, RejectsImpossibleRanksAndDuplicateIds) {
  EXPECT_THROW(shard_sample_ids(ids(3), {}, 2, 2), Error);
  EXPECT_THROW(shard_sample_ids(ids(3), {}, -1, 2), Error);
  EXPECT_THROW(shard_sample_ids(ids(3), {}, 0, 0), Error);
  EXPECT_THROW(shard_sample_ids({1, 2, 1}, {}, 0, 1), Error);
}

}  // namespace
}  // namespace softcot::cluster
