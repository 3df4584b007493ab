#pragma once
// Which samples this rank evaluates. Sharding follows the committed sample ids, not an
// old layout, so a run started with N tasks can be resumed with M:
//
//   remaining = all ids minus those committed in any shard file of the run
//   rank r of n takes the remaining ids whose position in `all_ids` is r modulo n
//
// Deciding by the position in the full list (not in `remaining`) makes the split
// independent of *when* a rank looks at the committed set: ranks start at slightly
// different times while others already commit, and a crashed worker restarted by the
// supervisor sees more committed samples than its first start did. Either way an id
// keeps its owner, so no id is done twice or skipped. The price: if one rank fell far
// behind, a resume with the same n gives it the same leftovers (resume with another n to
// spread them).
#include <cstdint>
#include <set>
#include <vector>

namespace softcot::cluster {

// The ids rank `rank` of `size` must still evaluate, in the order of `all_ids`.
// Throws a usage error unless 0 <= rank < size, or when all_ids has duplicates.
std::vector<int64_t> shard_sample_ids(const std::vector<int64_t>& all_ids,
                                      const std::set<int64_t>& committed_anywhere, int rank,
                                      int size);

}  // namespace softcot::cluster
