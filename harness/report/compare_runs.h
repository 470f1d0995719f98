#pragma once
// `memharness compare` as a library call: resolves runs or labels, reads their
// run directories, checks that they are comparable, compares them and renders
// the result to a stream. The compare CLI and `memharness run` with several
// kernels both end here, so their output is the same.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/comparison.h"
#include "harness/report/report.h"

namespace memharness::report {

struct CompareRequest {
  // Run directories or labels, baseline first (at least two).
  std::vector<std::string> runs;
  std::filesystem::path results_root = "results";  // where labels are looked up
  std::string test;                                // the test a label resolves to; empty: the baseline's
  analysis::CompareConfig config;
  bool strict = false;  // differing config hash, MemTotal, CPU count or test is a usage_error
  Format format = Format::text;
  RenderOptions render;
};

struct CompareOutcome {
  analysis::Comparison comparison;
  int exit_code = 0;  // outcome_exit_code(comparison.outcome): 0, 1 regression or 5 inconclusive
};

// Reads and compares the runs, writes every warning to `warnings` (one line each,
// "memharness: warning: ...") and the rendered comparison to `out`. Throws
// usage_error on bad input (an unknown label, a run without a complete iteration,
// a --strict mismatch) before writing anything to `out`.
CompareOutcome compare_and_render(const CompareRequest& request, std::ostream& out, std::ostream& warnings);

// The same for run directories already known (e.g. the ones `run` just wrote).
CompareOutcome compare_run_directories(const std::vector<std::filesystem::path>& run_dirs, Format format,
                                       std::ostream& out, std::ostream& warnings,
                                       const analysis::CompareConfig& config = {});

// Reads runs for compare: each resolved, read, and required to have a complete
// iteration. Later labels resolve to the first run's test unless `test` is given.
std::vector<results::StoredRun> read_runs_for_compare(const std::vector<std::string>& runs_or_labels,
                                                      const std::filesystem::path& results_root,
                                                      const std::string& test);

}  // namespace memharness::report
