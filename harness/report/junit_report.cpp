// JUnit XML: one testcase per gating metric and compared run; a regression is a
// <failure> whose message carries the figures. CI systems show these natively.
#include <fmt/core.h>

#include "harness/report/report.h"
#include "harness/report/markup_escape.h"
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

void render_junit(std::ostream& out, const analysis::Comparison& comparison) {
  const auto& runs = comparison.runs;
  std::string suite = "memharness." + (runs.empty() ? std::string("compare") : runs.front().test);
  std::vector<std::string> cases;
  int failures = 0, skipped = 0;
  for (size_t run = 1; run < runs.size(); ++run)
    for (const auto& m : comparison.metrics) {
      if (!m.gates) continue;
      const auto& cell = m.cells[run];
      std::string body;
      if (cell.verdict == analysis::Verdict::regression) {
        ++failures;
        body = fmt::format("\n      <failure message=\"{}\" type=\"regression\"/>\n    ",
                           xml_escape(figures(m, run, comparison)));
      } else if (cell.verdict == analysis::Verdict::not_available ||
                 cell.verdict == analysis::Verdict::too_few_iterations) {
        ++skipped;
        body = fmt::format("\n      <skipped message=\"{}\"/>\n    ", xml_escape(figures(m, run, comparison)));
      } else {
        body = fmt::format("\n      <system-out>{}</system-out>\n    ", xml_escape(figures(m, run, comparison)));
      }
      cases.push_back(fmt::format("    <testcase classname=\"{}\" name=\"{} {} vs {}\">{}</testcase>\n",
                                  xml_escape(suite), xml_escape(m.def.id), xml_escape(runs[run].label),
                                  xml_escape(runs[0].label), body));
    }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"memharness compare\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                     cases.size(), failures, skipped);
  out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n", xml_escape(suite),
                     cases.size(), failures, skipped);
  for (const auto& c : cases) out << c;
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace memharness::report
