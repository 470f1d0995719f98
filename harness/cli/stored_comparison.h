#pragma once
// Comparing stored runs and printing the result: what `memharness compare` does,
// shared with `memharness run --kernel A --kernel B`, which ends the same way.
#include <iosfwd>
#include <string>
#include <vector>

namespace memharness::analysis { struct Comparison; }

namespace memharness::cli {

struct ComparisonRequest {
  std::vector<std::string> runs;  // run directories or labels; the first is the baseline
  std::string format = "text";
  std::string output;             // a file, or empty for `out`
  std::string results = "results";
  std::string config;             // compare thresholds (TOML), or empty for the defaults
  std::string test;               // the test labels resolve to; empty: the baseline's
  bool strict = false;
  bool colour = false;            // only when `out` is a terminal
};

// Throws usage_error for a format compare does not know, before anything is read.
void check_comparison_format(const std::string& format);

// Renders a comparison in the request's format to `out` or, whole at the end,
// to the request's output file.
void render_comparison(const analysis::Comparison& comparison, const ComparisonRequest& request, std::ostream& out);

// Reads the runs, compares them and renders the comparison to `out` (or the
// output file). Returns compare's exit code: 1 when a gating metric regressed.
int compare_stored_runs(const ComparisonRequest& request, std::ostream& out, std::ostream& warnings);

}  // namespace memharness::cli
