// A night's verdicts from committed run fixtures: the summary, the JUnit
// document (a regression is a <failure>, a failed run an <error>, a missing
// baseline <skipped>) and the exit code.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/analysis/comparison.h"
#include "harness/report/nightly_report.h"
#include "harness/results/run_reader.h"

namespace memharness::report {
namespace {

namespace fs = std::filesystem;

const fs::path results_dir = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs" / "results";

NightlyTestOutcome compared(const std::string& baseline, const std::string& night) {
  NightlyTestOutcome outcome;
  outcome.test = "anon-dirty-quick";
  outcome.baseline = results::resolve_run(baseline, results_dir);
  outcome.run_directory = results::resolve_run(night, results_dir);
  outcome.comparison =
      analysis::compare_runs({results::read_run(outcome.baseline), results::read_run(outcome.run_directory)}, {});
  switch (outcome.comparison->outcome) {
    case analysis::Outcome::regression: outcome.verdict = NightlyVerdict::regressed; break;
    case analysis::Outcome::inconclusive: outcome.verdict = NightlyVerdict::inconclusive; break;
    case analysis::Outcome::no_regression: outcome.verdict = NightlyVerdict::passed; break;
  }
  return outcome;
}

NightlyTestOutcome uncompared(const std::string& test, NightlyVerdict verdict, const std::string& detail) {
  NightlyTestOutcome outcome;
  outcome.test = test;
  outcome.verdict = verdict;
  outcome.detail = detail;
  return outcome;
}

TEST(NightlyReport, ARegressionFailsTheNightAndNamesItsMetrics) {
  std::vector<NightlyTestOutcome> night{compared("ab", "c-regressed")};
  night.push_back(
      uncompared("kernbench", NightlyVerdict::no_baseline, "no complete run of kernbench stored under last-good yet"));
  ASSERT_EQ(night[0].verdict, NightlyVerdict::regressed);
  EXPECT_EQ(nightly_exit_code(night), ExitCode::regression);

  std::ostringstream summary;
  render_nightly_summary(summary, night);
  EXPECT_NE(summary.str().find("  anon-dirty-quick  REGRESSED     2 gating metrics (elapsed, vmstat.nr_vmscan_write) "
                               "against "),
            std::string::npos)
      << summary.str();
  EXPECT_NE(summary.str().find("  kernbench         no baseline   no complete run of kernbench"), std::string::npos)
      << summary.str();
  EXPECT_NE(summary.str().find("Nightly: 1 of 2 tests regressed."), std::string::npos) << summary.str();

  std::ostringstream junit;
  render_nightly_junit(junit, night);
  auto xml = junit.str();
  // 10 gating metrics (5 recorded by neither run: skipped) and the verdict, a
  // <failure> too; kernbench's missing baseline.
  EXPECT_NE(xml.find("<testsuites name=\"memharness nightly\" tests=\"12\" failures=\"3\" errors=\"0\" skipped=\"6\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"memharness.kernbench\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"no complete run of kernbench stored under last-good yet\"/>"),
            std::string::npos);
}

TEST(NightlyReport, AFailedRunOutranksARegression) {
  std::vector<NightlyTestOutcome> night{compared("ab", "c-regressed")};
  night.push_back(uncompared("dd-writeback", NightlyVerdict::run_failed,
                             "the run did not complete: results/nightly/dd-writeback/x"));
  night.push_back(
      uncompared("kernbench", NightlyVerdict::not_run, "the night was interrupted before this test started"));
  EXPECT_EQ(nightly_exit_code(night), ExitCode::run_failed);
  std::ostringstream junit;
  render_nightly_junit(junit, night);
  EXPECT_NE(junit.str().find("<error message=\"the run did not complete: results/nightly/dd-writeback/x\" "
                             "type=\"run-failed\"/>"),
            std::string::npos)
      << junit.str();
  EXPECT_NE(junit.str().find("type=\"not-run\""), std::string::npos);
  std::ostringstream summary;
  render_nightly_summary(summary, night);
  EXPECT_NE(summary.str().find("Nightly: a test did not run to completion."), std::string::npos) << summary.str();
}

TEST(NightlyReport, APassingNight) {
  std::vector<NightlyTestOutcome> night{compared("ab", "ab")};
  ASSERT_EQ(night[0].verdict, NightlyVerdict::passed);
  EXPECT_EQ(nightly_exit_code(night), ExitCode::success);
  std::ostringstream summary;
  render_nightly_summary(summary, night);
  EXPECT_NE(summary.str().find("anon-dirty-quick  passed        against "), std::string::npos) << summary.str();
  EXPECT_NE(summary.str().find("Nightly: no regression (every gating metric judged)."), std::string::npos);
}

// Three iterations a side cannot be judged: the night is neither passed nor
// promoted (exit 5), and the CI page shows an error, not green.
TEST(NightlyReport, AnInconclusiveNightIsNotAPass) {
  std::vector<NightlyTestOutcome> night{compared("a", "b")};
  ASSERT_EQ(night[0].verdict, NightlyVerdict::inconclusive);
  EXPECT_EQ(nightly_exit_code(night), ExitCode::inconclusive);
  night.push_back(compared("ab", "c-regressed"));
  EXPECT_EQ(nightly_exit_code(night), ExitCode::regression);  // a regression outranks it
  night.pop_back();
  std::ostringstream summary;
  render_nightly_summary(summary, night);
  EXPECT_NE(summary.str().find("anon-dirty-quick  INCONCLUSIVE  inconclusive: 5 of 5 gating metrics not judged"),
            std::string::npos)
      << summary.str();
  EXPECT_NE(summary.str().find("Nightly: inconclusive: 1 of 1 tests could not be judged on every gating metric."),
            std::string::npos)
      << summary.str();
  std::ostringstream junit;
  render_nightly_junit(junit, night);
  EXPECT_NE(junit.str().find("<error message=\"inconclusive: 5 of 5 gating metrics not judged"), std::string::npos)
      << junit.str();
  EXPECT_NE(junit.str().find("type=\"inconclusive\"/>"), std::string::npos);
}

}  // namespace
}  // namespace memharness::report
