#include "harness/analysis/sequential.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::analysis {

LookSchedule plan_looks(int min_iterations, int max_iterations, double alpha, std::optional<int> baseline_iterations) {
  if (max_iterations < min_iterations)
    throw usage_error("--max-iterations {}: expected at least min_iterations ({}), the first look", max_iterations,
                      min_iterations);
  LookSchedule schedule;
  // Growth by a third or more per look: few looks (each costs alpha), yet the
  // run stops within ~35% of the iterations it needed.
  for (int n = min_iterations; n < max_iterations; n = std::max(n + 2, static_cast<int>(std::lround(n * 1.35))))
    schedule.looks.push_back(n);
  schedule.looks.push_back(max_iterations);
  // A look at which no permutation p-value can be below its share of alpha
  // (n against m: at best 2 / C(n + m, n)) would spend alpha for nothing.
  auto smallest_p = [baseline_iterations](int n) {
    int m = baseline_iterations.value_or(n);
    double ways = 1;
    for (int i = 1; i <= n; ++i) ways = ways * (m + i) / i;
    return 2 / ways;
  };
  while (schedule.looks.size() > 1 &&
         smallest_p(schedule.looks.front()) >= alpha / static_cast<double>(schedule.looks.size()))
    schedule.looks.erase(schedule.looks.begin());
  schedule.alpha_per_look = alpha / static_cast<double>(schedule.looks.size());
  return schedule;
}

namespace {
bool decided(const MetricResult& metric, const MetricCell& cell) {
  switch (cell.verdict) {
    case Verdict::regression:
    case Verdict::improvement:
    case Verdict::below_min_effect: return true;
    case Verdict::no_difference:
      if (cell.detectable_pct) return *cell.detectable_pct <= metric.min_effect_pct;
      if (cell.detectable_abs) return *cell.detectable_abs <= metric.min_effect_abs;
      return false;
    default: return false;  // too few iterations, unreliable, or missing on one side
  }
}
}  // namespace

std::vector<std::string> undecided_gating_metrics(const Comparison& comparison) {
  std::vector<std::string> undecided;
  for (const auto& verdict : comparison.verdicts)
    for (const auto& metric : comparison.metrics) {
      if (!metric.gates) continue;
      // Neither run recorded it (a platform without the event): nothing to decide.
      if (std::find(verdict.not_measured.begin(), verdict.not_measured.end(), metric.def.id) !=
          verdict.not_measured.end())
        continue;
      if (!decided(metric, metric.cells[verdict.run]) &&
          std::find(undecided.begin(), undecided.end(), metric.def.id) == undecided.end())
        undecided.push_back(metric.def.id);
    }
  return undecided;
}

LookDecision decide_at_look(const Comparison& comparison, int iterations) {
  LookDecision decision;
  if (comparison.outcome == Outcome::regression) {
    decision.stop = true;
    decision.reason = fmt::format("a gating metric regressed after {} iterations", iterations);
    return decision;
  }
  decision.undecided = undecided_gating_metrics(comparison);
  if (decision.undecided.empty()) {
    decision.stop = true;
    decision.reason = fmt::format("every gating metric decided after {} iterations", iterations);
  }
  return decision;
}

}  // namespace memharness::analysis
