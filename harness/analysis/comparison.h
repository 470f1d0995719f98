#pragma once
// A comparison of stored runs: per metric and run, the summary of its
// iterations, and per non-baseline run the difference from the baseline and the
// verdict. Built from run directories only; the report formats render it.
#include <cstdint>
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
  too_few_iterations,  // fewer than min_iterations on a side, or too few for the test to reach alpha
  unreliable,          // its source lost events (or left too many unpaired) in an iteration: not judged
  no_difference,       // not significant
  below_min_effect,    // significant but smaller than the metric's minimum effect
  improvement,
  regression,
};
const char* to_string(Verdict verdict);

// What one comparison of a run with the baseline concludes (docs/compare.md
// "Verdict"): never "fine" by default.
enum class Outcome {
  no_regression,  // every gating metric was judged and none regressed
  regression,     // a gating metric regressed
  inconclusive,   // no gating metric regressed, but at least one was not judged
};
const char* to_string(Outcome outcome);

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
  std::optional<double> p_value;   // marginal permutation p (two-sided)
  // Gating metrics: the family-wise adjusted p of "worse" (step-down max-T);
  // others: the Benjamini-Hochberg q-value of p_value.
  std::optional<double> p_adjusted;
  // The smallest regression (percent of the baseline's mean; in the metric's unit
  // when that mean is 0) this comparison would detect with 80% power.
  std::optional<double> detectable_pct;
  std::optional<double> detectable_abs;
  Verdict verdict = Verdict::baseline;
  std::string reason;  // "2 iterations: not judged", "-12.10%, p=0.004 (family-wise)"
};

struct MetricResult {
  MetricDef def;
  bool gates = false;
  double min_effect_pct = 0;
  double min_effect_abs = 0;      // the floor of a change when the baseline's mean is 0
  std::vector<MetricCell> cells;  // one per run, baseline first
  bool significant(size_t run) const {
    auto v = cells[run].verdict;
    return v == Verdict::improvement || v == Verdict::regression || v == Verdict::below_min_effect;
  }
};

// A metric that moved in the same comparison as a regressed gating metric: the
// mechanism candidates, ranked by the size of the change.
struct Mechanism {
  std::size_t metric = 0;  // index into Comparison::metrics
  double change_pct = 0;   // (run - baseline) / baseline, raw direction, percent
  double p_value = 1;      // marginal permutation p
};

// The verdict of one non-baseline run against the baseline.
struct RunVerdict {
  std::size_t run = 0;  // index into Comparison::runs
  Outcome outcome = Outcome::inconclusive;
  std::vector<std::string> judged;        // gating metric ids with a verdict
  std::vector<std::string> not_judged;    // gating metric ids without one (the cell says why)
  std::vector<std::string> not_measured;  // gating metric ids neither run recorded (a platform without them)
  std::vector<std::string> regressed;     // gating metric ids that regressed
  std::vector<Mechanism> mechanisms;      // when something regressed
  std::int64_t permutations = 0;
  bool exact = false;
  std::string summary;  // one sentence: "no regression (10 gating metrics judged)"
};

struct Comparison {
  std::vector<RunColumn> runs;  // baseline first
  std::vector<std::string> warnings;
  std::vector<MetricResult> metrics;
  std::vector<RunVerdict> verdicts;  // one per non-baseline run, in run order
  double alpha = 0;
  double fdr_q = 0;
  int min_iterations = 0;
  std::string noise_source;  // where the noise behind "detectable" came from; empty: the samples
  int gating_regressions = 0;
  Outcome outcome = Outcome::no_regression;  // the worst of verdicts: regression, then inconclusive
};

// runs[0] is the baseline. Configured ids that name no metric become warnings.
Comparison compare_runs(const std::vector<results::StoredRun>& runs, const CompareConfig& config);

// The worst of several runs' outcomes: regression, then inconclusive.
Outcome overall_outcome(const std::vector<RunVerdict>& verdicts);

// What differs between the baseline and each run: config hash, MemTotal, CPUs,
// test name. One sentence each, naming the runs and both values.
std::vector<std::string> environment_differences(const std::vector<results::StoredRun>& runs);

}  // namespace memharness::analysis
