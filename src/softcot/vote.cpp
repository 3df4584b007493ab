#include "softcot/vote.h"

#include <utility>

namespace softcot {

Answer vote(const std::vector<Answer>& answers) {
  // A Python dict in insertion order: keys compare with ==, the first key seen is kept.
  std::vector<std::pair<Answer, int>> counts;
  for (const Answer& answer : answers) {
    auto it = counts.begin();
    while (it != counts.end() && !(it->first == answer)) ++it;
    if (it == counts.end()) {
      counts.emplace_back(answer, 1);
    } else if (answer.is_none()) {
      it->second = 1;  // the reference re-assigns 1 instead of counting None
    } else {
      ++it->second;
    }
  }
  int best_count = 0;
  Answer best = Answer::none();
  for (const auto& [key, count] : counts) {
    if (count > best_count) {
      best = key;
      best_count = count;
    }
  }
  return best;
}

}  // namespace softcot
