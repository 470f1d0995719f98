#pragma once
// The rows text and markdown share, so both always carry the same content.
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"

namespace memharness::report {

struct TableCell {
  std::string value;  // "98.35", "n/a"
  std::string pct;    // "-0.16", empty when not shown
  bool marked = false;           // a significant difference from the baseline
  bool regression = false;       // ... in the bad direction (for colour)
};

struct TableRow {
  std::string name;  // "Elapsed mean", "Direct reclaims"
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
std::string metric_label(const analysis::MetricDef& def);  // "Elapsed (s)"
std::string summary_line(const analysis::Comparison& comparison);

}  // namespace memharness::report
