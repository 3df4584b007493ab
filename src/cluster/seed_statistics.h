#pragma once
// Accuracy across seeds, as the report prints it. Only complete seeds (n == N) count:
// a half-finished seed's accuracy is over a different subset of samples. The standard
// deviation is the sample standard deviation (divisor n - 1, numpy's ddof=1, pandas'
// default), the usual choice for "mean ± std over seeds" in papers; it is undefined
// (nullopt) for fewer than two seeds.
#include <cstdint>
#include <optional>
#include <vector>

namespace softcot::cluster {

struct SeedOutcome {
  int64_t seed = 0;
  int64_t committed = 0;  // samples with a result (n)
  int64_t planned = 0;    // samples in the run (N)
  int64_t correct = 0;

  bool complete() const { return planned > 0 && committed >= planned; }
  double accuracy() const { return committed > 0 ? static_cast<double>(correct) / committed : 0.0; }
};

struct AcrossSeeds {
  int complete_seeds = 0;
  std::optional<double> mean;        // nullopt without complete seeds
  std::optional<double> sample_std;  // nullopt with fewer than two complete seeds
};

AcrossSeeds summarize_seeds(const std::vector<SeedOutcome>& seeds);

}  // namespace softcot::cluster
