#include "cluster/seed_statistics.h"

#include <cmath>

namespace softcot::cluster {

AcrossSeeds summarize_seeds(const std::vector<SeedOutcome>& seeds) {
  std::vector<double> accuracies;
  for (const auto& seed : seeds) {
    if (seed.complete()) accuracies.push_back(seed.accuracy());
  }
  AcrossSeeds summary;
  summary.complete_seeds = static_cast<int>(accuracies.size());
  if (accuracies.empty()) return summary;
  double sum = 0;
  for (double a : accuracies) sum += a;
  const double mean = sum / static_cast<double>(accuracies.size());
  summary.mean = mean;
  if (accuracies.size() >= 2) {
    double squares = 0;  // two passes: exact enough for a handful of values in [0, 1]
    for (double a : accuracies) squares += (a - mean) * (a - mean);
    summary.sample_std = std::sqrt(squares / static_cast<double>(accuracies.size() - 1));
  }
  return summary;
}

}  // namespace softcot::cluster
