#pragma once
// The permutation test behind compare's verdicts (docs/compare.md "Statistics").
//
// Under "the kernel makes no difference" the iterations of the two runs are
// exchangeable: any relabelling of the pooled iterations is as likely as the
// observed one. So the p-value of a statistic is the share of relabellings
// (all of them when there are few, else a fixed-seed random sample) whose
// statistic is at least as extreme. That holds whatever the noise's shape —
// the heavy tails measured here (CoV 33-44% with outliers) included — which a
// t distribution does not promise at n = 5.
//
// Metrics are permuted jointly (one relabelling of iterations for all of them),
// which keeps their correlation, so the Westfall-Young step-down max-T
// adjustment controls the family-wise error over a set of metrics (the gating
// ones) exactly, and is less conservative than Bonferroni or Holm when metrics
// move together (elapsed, stall time and PSI usually do).
#include <cstdint>
#include <optional>
#include <vector>

namespace memharness::analysis {

// One metric's values per pooled iteration: the baseline's iterations first
// (base_count of them), then the other run's. nullopt where the iteration did not
// record the metric. `worse_sign` is +1 when a larger value is worse (lower is
// better), -1 when a smaller one is.
struct PermutationMetric {
  std::vector<std::optional<double>> values;
  int worse_sign = 1;
};

struct PermutationRequest {
  int base_count = 0;   // iterations of the baseline
  int other_count = 0;  // iterations of the other run
  std::vector<PermutationMetric> metrics;
  std::vector<int> family;                   // indices into metrics: the max-T family (the gating ones)
  std::int64_t max_exact = 20000;            // enumerate every relabelling up to this many
  std::int64_t random_permutations = 10000;  // else this many random ones (the observed one added)
  std::uint64_t seed = 20261203;             // fixed: the same runs always give the same p
};

struct PermutationResult {
  std::int64_t permutations = 0;  // relabellings used, the observed one included
  bool exact = false;             // every relabelling was enumerated
  // Per metric: the Welch t statistic signed so that positive means "worse in the
  // other run" (0 when a side has fewer than two values).
  std::vector<double> t_worse;
  std::vector<double> p_two_sided;  // marginal: |t| at least as large
  std::vector<double> p_worse;      // marginal, one-sided: t at least as large
  // For metrics in the family: the step-down max-T adjusted one-sided p of "worse";
  // nullopt for the others.
  std::vector<std::optional<double>> p_worse_family;
};

PermutationResult permutation_test(const PermutationRequest& request);

// The smallest p a permutation test of base_count against other_count iterations
// can give (one-sided): 1 / C(base + other, base). A test whose smallest p is not
// below alpha can never find anything, so compare does not judge with it.
double smallest_permutation_p(int base_count, int other_count);

// Welch's t of (b - a), signed by `worse_sign`; +-infinity when both samples are
// constant and differ, 0 when a side has fewer than two values.
double welch_t(const std::vector<double>& a, const std::vector<double>& b, int worse_sign = 1);

}  // namespace memharness::analysis
