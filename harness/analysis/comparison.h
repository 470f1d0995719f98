#pragma once
// A comparison of stored runs: per metric and run, the summary of its
// iterations, and per non-baseline run the difference from the baseline and the
// verdict. Built from run directories only; the report formats render it.
#include <optional>
#include <string>
#include <vector>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/metric_catalog.h"
#include "harness/analysis/statistics.h"
#include "harness/results/run_reader.h"

namespace memharness::analysis {

enum class Verdict {
  baseline,            // the baseline's own column
  not_available,       // the metric is missing on one side
  too_few_iterations,  // fewer than min_iterations on a side: no verdict
  no_difference,       // not significant
  below_min_effect,    // significant but smaller than the metric's minimum effect
  improvement,
  regression,
};
const char* to_string(Verdict verdict);

struct RunColumn {
  std::string label;  // the column header
  std::string path;
  std::string test;
  std::string kernel_release;
  std::string status;
  int iterations_complete = 0;
};

struct MetricCell {
  std::optional<Summary> summary;
  std::vector<double> values;  // one per complete iteration that recorded the metric
  // Why there are no values, when the record says: the kernel lacked the event
  // ({"available": false, "reason": ...} on the metric's source path).
  std::string unavailable_reason;
  // Versus the baseline (not set in the baseline's column):
  std::optional<double> mean_pct;  // positive = improvement
  std::optional<double> p_value;
  Verdict verdict = Verdict::baseline;
  std::string reason;  // "2 iterations: no verdict", "p=0.003, -12.1% (min effect 5%)"
};

struct MetricResult {
  MetricDef def;
  bool gates = false;
  double min_effect_pct = 0;
  std::vector<MetricCell> cells;  // one per run, baseline first
  bool significant(size_t run) const {
    auto v = cells[run].verdict;
    return v == Verdict::improvement || v == Verdict::regression || v == Verdict::below_min_effect;
  }
};

struct Comparison {
  std::vector<RunColumn> runs;  // baseline first
  std::vector<std::string> warnings;
  std::vector<MetricResult> metrics;
  double alpha = 0;
  int min_iterations = 0;
  int gating_regressions = 0;
};

// runs[0] is the baseline. Configured ids that name no metric become warnings.
Comparison compare_runs(const std::vector<results::StoredRun>& runs, const CompareConfig& config);

// What differs between the baseline and each run: config hash, MemTotal, CPUs,
// test name. One sentence each, naming the runs and both values.
std::vector<std::string> environment_differences(const std::vector<results::StoredRun>& runs);

}  // namespace memharness::analysis
