// JUnit XML: one testcase per gating metric and compared run; a regression is a
// <failure> whose message carries the figures. CI systems show these natively.
#include <fmt/core.h>

#include "harness/report/format_registry.h"
#include "harness/report/markup_escape.h"
#include "harness/report/report.h"
#include "harness/report/tables.h"

namespace memharness::report {

namespace {

std::string xml_escape(const std::string& s) { return markup_escape(s); }

std::string figures(const analysis::MetricResult& m, size_t run, const analysis::Comparison& c) {
  auto side = [&](size_t i) {
    const auto& s = m.cells[i].summary;
    if (!s) return fmt::format("{} n/a", c.runs[i].label);
    return fmt::format("{} mean {:.{}f} sd {:.{}f} n {}", c.runs[i].label, s->mean, m.def.decimals, s->stddev,
                       m.def.decimals, s->n);
  };
  return fmt::format("{}: {}; {} vs {}", metric_label(m.def), m.cells[run].reason, side(run), side(0));
}

}  // namespace

JunitSuite junit_suite(const analysis::Comparison& comparison) {
  const auto& runs = comparison.runs;
  JunitSuite suite;
  suite.name = "memharness." + (runs.empty() ? std::string("compare") : runs.front().test);
  for (size_t run = 1; run < runs.size(); ++run)
    for (const auto& m : comparison.metrics) {
      if (!m.gates) continue;
      const auto& cell = m.cells[run];
      std::string body;
      if (cell.verdict == analysis::Verdict::regression) {
        ++suite.failures;
        body = fmt::format("\n      <failure message=\"{}\" type=\"regression\"/>\n    ",
                           xml_escape(figures(m, run, comparison)));
      } else if (cell.verdict == analysis::Verdict::not_available ||
                 cell.verdict == analysis::Verdict::too_few_iterations ||
                 cell.verdict == analysis::Verdict::unreliable) {
        ++suite.skipped;
        body = fmt::format("\n      <skipped message=\"{}\"/>\n    ", xml_escape(figures(m, run, comparison)));
      } else {
        body = fmt::format("\n      <system-out>{}</system-out>\n    ", xml_escape(figures(m, run, comparison)));
      }
      suite.cases.push_back(fmt::format("    <testcase classname=\"{}\" name=\"{} {} vs {}\">{}</testcase>\n",
                                        xml_escape(suite.name), xml_escape(m.def.id), xml_escape(runs[run].label),
                                        xml_escape(runs[0].label), body));
    }
  // The comparison's own verdict: a regression fails it; an inconclusive one is
  // an error (nothing was decided), so a CI page never shows it green.
  for (const auto& v : comparison.verdicts) {
    std::string body;
    if (v.outcome == analysis::Outcome::regression) {
      ++suite.failures;
      body = fmt::format("\n      <failure message=\"{}\" type=\"regression\"/>\n    ", xml_escape(v.summary));
    } else if (v.outcome == analysis::Outcome::inconclusive) {
      ++suite.errors;
      body = fmt::format("\n      <error message=\"{}\" type=\"inconclusive\"/>\n    ", xml_escape(v.summary));
    } else {
      body = fmt::format("\n      <system-out>{}</system-out>\n    ", xml_escape(v.summary));
    }
    suite.cases.push_back(fmt::format("    <testcase classname=\"{}\" name=\"verdict {} vs {}\">{}</testcase>\n",
                                      xml_escape(suite.name), xml_escape(runs[v.run].label), xml_escape(runs[0].label),
                                      body));
  }
  return suite;
}

void render_junit_document(std::ostream& out, const std::string& name, const std::vector<JunitSuite>& suites) {
  std::size_t tests = 0;
  int failures = 0, errors = 0, skipped = 0;
  for (const auto& s : suites) {
    tests += s.cases.size();
    failures += s.failures;
    errors += s.errors;
    skipped += s.skipped;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                     xml_escape(name), tests, failures, errors, skipped);
  for (const auto& s : suites) {
    out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                       xml_escape(s.name), s.cases.size(), s.failures, s.errors, s.skipped);
    for (const auto& c : s.cases) out << c;
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

void render_junit(std::ostream& out, const analysis::Comparison& comparison) {
  render_junit_document(out, "memharness compare", {junit_suite(comparison)});
}

MEMHARNESS_REGISTER_FORMAT((FormatSpec{
    .name = "junit",
    .render = [](std::ostream& out, const analysis::Comparison& c, const RenderOptions&) { render_junit(out, c); },
    .order = 40}));

}  // namespace memharness::report
