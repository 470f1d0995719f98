#pragma once
// What `memharness nightly` says about a night: each test's verdict against the
// baseline, as a summary for the log and as one JUnit document for the CI
// system (one <testsuite> per test).
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"
#include "harness/common/error.h"

namespace memharness::report {

enum class NightlyVerdict {
  passed,        // compared with the baseline: every gating metric judged, none regressed
  regressed,     // a gating metric regressed
  inconclusive,  // none regressed, but not every gating metric was judged
  no_baseline,   // nothing stored under the baseline label for this test yet
  run_failed,    // the night's run did not complete
  not_run,       // interrupted before it started
};

struct NightlyTestOutcome {
  std::string test;  // the test's name
  NightlyVerdict verdict = NightlyVerdict::not_run;
  std::filesystem::path run_directory;  // the night's run; empty when not run
  std::filesystem::path baseline;       // the run compared against; empty without one
  std::optional<analysis::Comparison> comparison;
  std::string detail;  // one sentence: why it failed, what the baseline lacked
};

// One line per test ("  anon-dirty-quick  regressed  (3 gating metrics) ...")
// and a closing "Nightly: ..." line.
void render_nightly_summary(std::ostream& out, const std::vector<NightlyTestOutcome>& outcomes);

// Regressions are <failure>s (from the comparison's gated metrics), a failed or
// missing run an <error>, a missing baseline a <skipped> testcase.
void render_nightly_junit(std::ostream& out, const std::vector<NightlyTestOutcome>& outcomes);

// run_failed when a test did not run to completion, regression when one
// regressed, inconclusive when one could not be judged, success otherwise (a
// missing baseline is not a failure: the first night establishes it). Only a
// night that exits with success is promoted to the baseline.
ExitCode nightly_exit_code(const std::vector<NightlyTestOutcome>& outcomes);

}  // namespace memharness::report
