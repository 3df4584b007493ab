#include "cluster/sharding.h"

#include <string>
#include <unordered_set>

#include "core/error.h"

namespace softcot::cluster {

std::vector<int64_t> shard_sample_ids(const std::vector<int64_t>& all_ids,
                                      const std::set<int64_t>& committed_anywhere, int rank,
                                      int size) {
  if (size < 1 || rank < 0 || rank >= size) {
    throw usage_error("rank " + std::to_string(rank) + " of " + std::to_string(size) +
                      " tasks: the rank must be in [0, size)");
  }
  std::unordered_set<int64_t> seen;
  std::vector<int64_t> mine;
  for (size_t position = 0; position < all_ids.size(); ++position) {
    const int64_t id = all_ids[position];
    if (!seen.insert(id).second) {
      throw usage_error("sample id " + std::to_string(id) + " appears twice in the sample list");
    }
    if (static_cast<int64_t>(position % static_cast<size_t>(size)) != rank) continue;
    if (committed_anywhere.count(id) == 0) mine.push_back(id);
  }
  return mine;
}

}  // namespace softcot::cluster
