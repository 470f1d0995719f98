#include "harness/report/nightly_report.h"

#include <algorithm>

#include <fmt/core.h>

#include "harness/report/markup_escape.h"
#include "harness/report/report.h"

namespace memharness::report {

namespace {

const char* verdict_word(NightlyVerdict verdict) {
  switch (verdict) {
    case NightlyVerdict::passed: return "passed";
    case NightlyVerdict::regressed: return "REGRESSED";
    case NightlyVerdict::inconclusive: return "INCONCLUSIVE";
    case NightlyVerdict::no_baseline: return "no baseline";
    case NightlyVerdict::run_failed: return "RUN FAILED";
    case NightlyVerdict::not_run: return "not run";
  }
  return "?";
}

std::string summary_detail(const NightlyTestOutcome& outcome) {
  switch (outcome.verdict) {
    case NightlyVerdict::passed: return fmt::format("against {}", outcome.baseline.string());
    case NightlyVerdict::regressed: {
      std::vector<std::string> ids;
      for (const auto& m : outcome.comparison->metrics)
        if (m.gates && m.cells.size() > 1 && m.cells[1].verdict == analysis::Verdict::regression)
          ids.push_back(m.def.id);
      std::string list;
      for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
      return fmt::format("{} gating metric{} ({}) against {}", ids.size(), ids.size() == 1 ? "" : "s", list,
                         outcome.baseline.string());
    }
    case NightlyVerdict::inconclusive:
      return fmt::format("{} against {}", outcome.comparison->verdicts.front().summary, outcome.baseline.string());
    default: return outcome.detail;
  }
}

}  // namespace

void render_nightly_summary(std::ostream& out, const std::vector<NightlyTestOutcome>& outcomes) {
  std::size_t width = 4;
  for (const auto& o : outcomes) width = std::max(width, o.test.size());
  out << "Nightly results\n";
  for (const auto& o : outcomes)
    out << fmt::format("  {:<{}}  {:<12}  {}\n", o.test, width, verdict_word(o.verdict), summary_detail(o));
  auto code = nightly_exit_code(outcomes);
  int regressed = 0, inconclusive = 0;
  for (const auto& o : outcomes) {
    regressed += o.verdict == NightlyVerdict::regressed;
    inconclusive += o.verdict == NightlyVerdict::inconclusive;
  }
  if (code == ExitCode::run_failed)
    out << "Nightly: a test did not run to completion.\n";
  else if (code == ExitCode::regression)
    out << fmt::format("Nightly: {} of {} tests regressed.\n", regressed, outcomes.size());
  else if (code == ExitCode::inconclusive)
    out << fmt::format("Nightly: inconclusive: {} of {} tests could not be judged on every gating metric.\n",
                       inconclusive, outcomes.size());
  else
    out << "Nightly: no regression (every gating metric judged).\n";
}

void render_nightly_junit(std::ostream& out, const std::vector<NightlyTestOutcome>& outcomes) {
  std::vector<JunitSuite> suites;
  for (const auto& o : outcomes) {
    if (o.comparison) {
      suites.push_back(junit_suite(*o.comparison));
      continue;
    }
    JunitSuite suite;
    suite.name = "memharness." + o.test;
    std::string body;
    if (o.verdict == NightlyVerdict::no_baseline) {
      ++suite.skipped;
      body = fmt::format("<skipped message=\"{}\"/>", markup_escape(o.detail));
    } else {
      ++suite.errors;
      body = fmt::format("<error message=\"{}\" type=\"{}\"/>", markup_escape(o.detail),
                         o.verdict == NightlyVerdict::not_run ? "not-run" : "run-failed");
    }
    suite.cases.push_back(fmt::format("    <testcase classname=\"{}\" name=\"run\">\n      {}\n    </testcase>\n",
                                      markup_escape(suite.name), body));
    suites.push_back(std::move(suite));
  }
  render_junit_document(out, "memharness nightly", suites);
}

ExitCode nightly_exit_code(const std::vector<NightlyTestOutcome>& outcomes) {
  auto any = [&](NightlyVerdict v) {
    return std::any_of(outcomes.begin(), outcomes.end(), [v](const auto& o) { return o.verdict == v; });
  };
  if (any(NightlyVerdict::run_failed) || any(NightlyVerdict::not_run)) return ExitCode::run_failed;
  if (any(NightlyVerdict::regressed)) return ExitCode::regression;
  if (any(NightlyVerdict::inconclusive)) return ExitCode::inconclusive;
  return ExitCode::success;
}

}  // namespace memharness::report
