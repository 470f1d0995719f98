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
  outcome.comparison = analysis::compare_runs(
      {results::read_run(outcome.baseline), results::read_run(outcome.run_directory)}, {});
  bool regressed = false;
  for (const auto& m : outcome.comparison->metrics)
    regressed = regressed || (m.gates && m.cells[1].verdict == analysis::Verdict::regression);
  outcome.verdict = regressed ? NightlyVerdict::regressed : NightlyVerdict::passed;
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
  std::vector<NightlyTestOutcome> night{compared("a", "c-regressed")};
  night.push_back(uncompared("kernbench", NightlyVerdict::no_baseline,
                             "no complete run of kernbench stored under last-good yet"));
  ASSERT_EQ(night[0].verdict, NightlyVerdict::regressed);
  EXPECT_EQ(nightly_exit_code(night), ExitCode::regression);

  std::ostringstream summary;
  render_nightly_summary(summary, night);
  EXPECT_NE(summary.str().find("  anon-dirty-quick  REGRESSED    2 gating metrics (elapsed, vmstat.nr_vmscan_write) "
                               "against "),
            std::string::npos)
      << summary.str();
  EXPECT_NE(summary.str().find("  kernbench         no baseline  no complete run of kernbench"), std::string::npos)
      << summary.str();
  EXPECT_NE(summary.str().find("Nightly: 1 of 2 tests regressed."), std::string::npos) << summary.str();

  std::ostringstream junit;
  render_nightly_junit(junit, night);
  auto xml = junit.str();
  EXPECT_NE(xml.find("<testsuites name=\"memharness nightly\" tests=\"11\" failures=\"2\" errors=\"0\" skipped=\"6\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"memharness.kernbench\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"no complete run of kernbench stored under last-good yet\"/>"),
            std::string::npos);
}

TEST(NightlyReport, AFailedRunOutranksARegression) {
  std::vector<NightlyTestOutcome> night{compared("a", "c-regressed")};
  night.push_back(uncompared("dd-writeback", NightlyVerdict::run_failed,
                             "the run did not complete: results/nightly/dd-writeback/x"));
  night.push_back(uncompared("kernbench", NightlyVerdict::not_run, "the night was interrupted before this test started"));
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
  std::vector<NightlyTestOutcome> night{compared("a", "b")};
  ASSERT_EQ(night[0].verdict, NightlyVerdict::passed);
  EXPECT_EQ(nightly_exit_code(night), ExitCode::success);
  std::ostringstream summary;
  render_nightly_summary(summary, night);
  EXPECT_NE(summary.str().find("anon-dirty-quick  passed       against "), std::string::npos) << summary.str();
  EXPECT_NE(summary.str().find("Nightly: no gating metric regressed."), std::string::npos);
}

}  // namespace
}  // namespace memharness::report
