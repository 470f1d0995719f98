// Every format rendered from the committed run-directory fixtures
// (tests/fixtures/runs/README.md) against golden files. To accept a deliberate
// change: MEMHARNESS_UPDATE_GOLDEN=1 build/tests/unit/report/unit-report, then
// review the diff of tests/fixtures/runs/golden/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/analysis/comparison.h"
#include "harness/report/report.h"
#include "tests/integration/require.h"
#include "tests/unit/golden_file.h"

namespace memharness::report {
namespace {

namespace fs = std::filesystem;
const fs::path runs_dir = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs";

class GoldenReport : public ::testing::Test {
 protected:
  // Relative paths, so the golden files do not depend on where the tree is.
  void SetUp() override {
    saved_ = fs::current_path();
    fs::current_path(runs_dir);
  }
  void TearDown() override { fs::current_path(saved_); }

  static analysis::Comparison comparison(const std::vector<std::string>& labels) {
    std::vector<results::StoredRun> runs;
    for (const auto& l : labels) runs.push_back(results::read_run(results::resolve_run(l, "results")));
    return analysis::compare_runs(runs, {});
  }

  static void check(const std::string& name, const std::string& actual) {
    testing::check_golden(runs_dir / "golden" / name, actual);
  }

  static std::string rendered(const analysis::Comparison& c, Format f, RenderOptions options = {}) {
    std::ostringstream out;
    render(out, c, f, options);
    return out.str();
  }

 private:
  fs::path saved_;
};

TEST_F(GoldenReport, CompareThreeRuns) {
  auto c = comparison({"ab", "b", "c-regressed"});
  check("compare-ab-b-c.txt", rendered(c, Format::text));
  check("compare-ab-b-c.md", rendered(c, Format::markdown));
  check("compare-ab-b-c.json", rendered(c, Format::json));
  check("compare-ab-b-c.junit.xml", rendered(c, Format::junit));
}

TEST_F(GoldenReport, ReportOneRun) {
  auto c = comparison({"a"});
  check("report-a.txt", rendered(c, Format::text));
  check("report-a.md", rendered(c, Format::markdown));
  check("report-a.json", rendered(c, Format::json));
  check("report-a.junit.xml", rendered(c, Format::junit));
}

// A kernel that could not record an event: tracepoints.json says
// {"available": false, "reason": ...} (fixture tp-no-write-event), so its rows
// are n/a, not 0, and a gating metric is "n/a" with the kernel's reason, never a
// regression.
TEST_F(GoldenReport, TracepointMissingOnOneKernelIsNotAvailable) {
  auto c = comparison({"tp", "tp-no-write-event"});
  auto text = rendered(c, Format::text);
  check("compare-tp-no-write-event.txt", text);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
  check("compare-tp-no-write-event.json", rendered(c, Format::json));
  EXPECT_NE(text.find("Direct reclaim write file                              0                  n/a\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Memcg reclaim write anon                          318819                  n/a\n"),
            std::string::npos);
  // Events both kernels have keep their figures.
  EXPECT_NE(text.find("Memcg reclaims                                     13909                13909\n"),
            std::string::npos);
  EXPECT_EQ(c.gating_regressions, 0);
  bool seen = false;
  for (const auto& m : c.metrics) {
    if (m.def.id != "tracepoint.direct_reclaim_write_file") continue;
    seen = true;
    EXPECT_TRUE(m.cells[0].summary.has_value());
    EXPECT_FALSE(m.cells[1].summary.has_value());
    EXPECT_EQ(m.cells[1].verdict, analysis::Verdict::not_available);
    EXPECT_EQ(m.cells[1].reason,
              "n/a in this run (not available on this kernel: vmscan/mm_vmscan_write_folio, "
              "vmscan/mm_vmscan_writepage)");
  }
  EXPECT_TRUE(seen);
  auto junit = rendered(c, Format::junit);
  EXPECT_NE(junit.find("Direct reclaim write file (pages): n/a in this run (not available on this kernel"),
            std::string::npos)
      << junit;
}

TEST_F(GoldenReport, TextFitsOneHundredColumnsAndHasNoColourOffATerminal) {
  auto text = rendered(comparison({"ab", "b", "c-regressed"}), Format::text);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_EQ(text.find('\033'), std::string::npos);
  auto coloured = rendered(comparison({"ab", "c-regressed"}), Format::text, {.colour = true});
  EXPECT_NE(coloured.find("\033[31m"), std::string::npos);
}

TEST_F(GoldenReport, PostingStyleRows) {
  auto text = rendered(comparison({"ab", "c-regressed"}), Format::text);
  // Value, then the signed difference in the posting's "( 0.00%)" form; a marker
  // on the significant mean.
  EXPECT_NE(text.find("Elapsed mean"), std::string::npos);
  EXPECT_NE(text.find("41.00 ( 0.00%)"), std::string::npos) << text;
  EXPECT_NE(text.find("101.00 (-146.33%)*"), std::string::npos) << text;
  EXPECT_NE(text.find("REGRESSION"), std::string::npos);
}

TEST(Formats, Names) {
  EXPECT_EQ(parse_format("text"), Format::text);
  EXPECT_EQ(parse_format("markdown"), Format::markdown);
  EXPECT_EQ(parse_format("json"), Format::json);
  EXPECT_EQ(parse_format("junit"), Format::junit);
  EXPECT_EQ(parse_format("html"), Format::html);
  EXPECT_FALSE(parse_format("pdf"));
}

// The HTML page with every inline SVG replaced by a placeholder naming its
// gnuplot title: what the golden file compares (structure, tables, plotted data),
// since gnuplot's SVG bytes vary between its versions.
struct HtmlParts {
  std::string structure;
  std::vector<std::string> svgs;
};

HtmlParts split_html(const std::string& html) {
  HtmlParts parts;
  size_t pos = 0;
  while (true) {
    auto start = html.find("<svg", pos);
    if (start == std::string::npos) break;
    auto end = html.find("</svg>", start);
    if (end == std::string::npos) break;
    end += 6;
    parts.structure += html.substr(pos, start - pos) + "<svg>[gnuplot plot]</svg>";
    parts.svgs.push_back(html.substr(start, end - start));
    pos = end;
  }
  parts.structure += html.substr(pos);
  return parts;
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + needle.size())) ++n;
  return n;
}

// Each figure holds one gnuplot SVG whose ids are its own; the page loads nothing.
void check_html_plots(const std::string& html, const HtmlParts& parts) {
  EXPECT_EQ(count(parts.structure, "<figure class=\"plot\""), parts.svgs.size());
  for (const auto& svg : parts.svgs) {
    EXPECT_NE(svg.find("Produced by GNUPLOT"), std::string::npos) << svg.substr(0, 300);
    EXPECT_GE(count(svg, "<path"), 3u) << "no lines drawn: " << svg.substr(0, 300);
    EXPECT_EQ(svg.find("id='gpPt"), std::string::npos) << "gnuplot's marker ids must be prefixed per plot";
  }
  EXPECT_EQ(count(html, "id=\"gnuplot_canvas\""), 0u);
  for (const char* external : {"<script", "<link", "src=", "href=\"http", "@import", "url("})
    EXPECT_EQ(html.find(external), std::string::npos) << "not self-contained: " << external;
}

TEST_F(GoldenReport, HtmlCompareThreeRuns) {
  MEMHARNESS_REQUIRE_PROGRAM("gnuplot");
  auto html = rendered(comparison({"ab", "b", "c-regressed"}), Format::html);
  auto parts = split_html(html);
  check("compare-ab-b-c.html", parts.structure);
  check_html_plots(html, parts);
  // Three runs: a comparison plot per workload/gating metric, four series per run.
  EXPECT_EQ(count(parts.structure, "data-kind=\"timeseries\""), 12u);
  EXPECT_NE(parts.structure.find("data-metric=\"elapsed\""), std::string::npos);
  EXPECT_NE(parts.structure.find("data-metric=\"vmstat.nr_vmscan_write\""), std::string::npos);
  // The plots' data blocks carry the iteration values the tables summarise.
  EXPECT_NE(html.find("<td class=\"v\">105.283 91.0536 110.079 79.0692 110.255 110.28</td><td>REGRESSION</td>"),
            std::string::npos);
}

TEST_F(GoldenReport, HtmlReportOneRun) {
  MEMHARNESS_REQUIRE_PROGRAM("gnuplot");
  auto html = rendered(comparison({"a"}), Format::html);
  auto parts = split_html(html);
  check("report-a.html", parts.structure);
  check_html_plots(html, parts);
  EXPECT_EQ(parts.structure.find("id=\"verdicts\""), std::string::npos);
}

}  // namespace
}  // namespace memharness::report
