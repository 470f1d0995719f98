#pragma once
// The rows text and markdown share, so both always carry the same content.
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"

namespace memharness::report {

struct TableCell {
  std::string value;        // "98.35", "n/a"
  std::string pct;          // "-0.16", empty when not shown
  bool marked = false;      // a significant difference from the baseline
  bool regression = false;  // ... in the bad direction (for colour)
};

struct TableRow {
  std::string name;              // "Elapsed mean", "Direct reclaims"
  std::vector<TableCell> cells;  // one per run, baseline first
};

struct TableSection {
  std::string title;  // empty for the first (workload) section, as in the postings
  std::vector<TableRow> rows;
};

std::vector<TableSection> build_tables(const analysis::Comparison& comparison);

struct VerdictLine {
  std::string run;     // the run's column label
  std::string metric;  // "Elapsed (s)"
  std::string id;
  bool gates = false;
  analysis::Verdict verdict = analysis::Verdict::no_difference;
  std::string reason;
};

// Every gating metric, and every other metric that changed significantly, per
// non-baseline run.
std::vector<VerdictLine> build_verdicts(const analysis::Comparison& comparison);

std::string verdict_word(analysis::Verdict verdict);
std::string outcome_word(analysis::Outcome outcome);       // "REGRESSION", "no regression", "INCONCLUSIVE"
std::string metric_label(const analysis::MetricDef& def);  // "Elapsed (s)"
// "Result: no regression (10 gating metrics judged: ...)." — with several
// compared runs, each run's verdict in turn.
std::string summary_line(const analysis::Comparison& comparison);
// How significance was decided, one sentence naming the test and both levels.
std::string statistics_note(const analysis::Comparison& comparison);

// Per run with a regression: "6.12 vs 6.1: Elapsed (s) -142.39%; moved with it:
// Direct compactions x3.1, compact_fail +240%, ..." (mechanism rows ranked by
// the size of their change; at most `limit`).
struct MechanismLine {
  std::string run;
  std::string regressed;                // "Elapsed (s) -142.39%, nr_vmscan_write ..."
  std::vector<std::string> mechanisms;  // "compact_fail +240%"
};
std::vector<MechanismLine> mechanism_lines(const analysis::Comparison& comparison, std::size_t limit = 8);

}  // namespace memharness::report
