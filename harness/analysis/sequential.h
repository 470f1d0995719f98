#pragma once
// `--iterations auto`: more iterations until every gating metric is decided,
// with the false-alarm rate kept at alpha although the data are looked at
// repeatedly (docs/compare.md "Iterations until the answer is clear").
//
// The looks are fixed in advance: from min_iterations, roughly x1.35 each time,
// leaving out first looks at which no permutation p-value could be small enough
// (7, 9, 12, 16, 20 for min 5, max 20 and alpha 0.01), so that a large change
// stops the run early and a small one gets the iterations it needs. Each look
// tests at alpha / looks (Bonferroni over the looks): whatever the correlation
// between looks, the chance that any look raises a false alarm is at most
// alpha. The run stops at the first look where a gating metric regressed, or
// where every gating metric is decided. A
// gating metric is decided when its verdict is a significant change, or when it
// is not significant but the comparison could have detected the metric's
// minimum effect ("detectable: >= X%" at or below the floor): more iterations
// would not make a change that matters appear.
#include <optional>
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"

namespace memharness::analysis {

struct LookSchedule {
  std::vector<int> looks;  // iterations per side at which to compare, ascending
  double alpha_per_look = 0;
};

// Throws usage_error when max_iterations < min_iterations. The looks compare n
// iterations against n (interleaved kernels), or against a stored baseline's
// `baseline_iterations` (a nightly run against last-good): a larger baseline
// lets earlier looks reach their share of alpha.
LookSchedule plan_looks(int min_iterations, int max_iterations, double alpha,
                        std::optional<int> baseline_iterations = std::nullopt);

// The gating metrics (ids) of `comparison` not yet decided, over every
// non-baseline run.
std::vector<std::string> undecided_gating_metrics(const Comparison& comparison);

// What a look concludes: stop when a gating metric regressed (the answer is
// "regression" whatever the others do) or when every gating metric is decided.
struct LookDecision {
  bool stop = false;
  std::string reason;                  // why it stops, for the manifest and the report
  std::vector<std::string> undecided;  // when it goes on
};
LookDecision decide_at_look(const Comparison& comparison, int iterations);

}  // namespace memharness::analysis
