// highalloc's per-pass fragmentation table: which metrics it takes, a row per
// run and pass, and that text and markdown print it instead of five workload
// rows per figure.
#include "harness/report/pass_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "harness/report/report.h"

namespace memharness::report {
namespace {

using analysis::Comparison;
using analysis::MetricDef;
using analysis::MetricResult;

MetricDef workload_def(const std::string& instance, const std::string& name) {
  MetricDef def;
  def.id = "workload." + instance + "." + name;
  def.title = name;
  def.section = analysis::Section::workload;
  def.detailed = true;
  return def;
}

// A metric whose runs' means are `means` (nullopt: not recorded in that run).
MetricResult metric(const std::string& name, std::vector<std::optional<double>> means,
                    const std::string& instance = "highalloc") {
  MetricResult m;
  m.def = workload_def(instance, name);
  for (const auto& mean : means) {
    analysis::MetricCell cell;
    if (mean) {
      analysis::Summary summary;
      summary.n = 3;
      summary.min = summary.max = summary.mean = summary.median = *mean;
      summary.sum = 3 * *mean;
      cell.summary = summary;
    }
    cell.verdict = m.cells.empty() ? analysis::Verdict::baseline : analysis::Verdict::no_difference;
    m.cells.push_back(cell);
  }
  return m;
}

analysis::RunColumn run(const std::string& label) {
  analysis::RunColumn column;
  column.label = label;
  column.test = "stress-highalloc-quick";
  return column;
}

Comparison three_runs() {
  Comparison c;
  // A long label: the table must still fit 100 columns.
  c.runs = {run("6.1"), run("6.12"), run("6.12-rc1-with-the-compaction-patches")};
  c.metrics.push_back(metric("pass1-success-pct", {{57.5}, {61.25}, {60}}));
  for (const char* pass : {"pass1", "at-rest"}) {
    std::string p = pass;
    c.metrics.push_back(metric(p + "-order9-free-blocks", {{1794}, {12.5}, {123456}}));
    c.metrics.push_back(metric(p + "-order9-unusable-index", {{0.024}, {0.9}, {0.5}}));
    c.metrics.push_back(metric(p + "-pageblocks-unmovable", {{46}, {50}, {48}}));
    c.metrics.push_back(metric(p + "-pageblocks-movable", {{2032}, {2028}, {1234567}}));
    c.metrics.push_back(metric(p + "-pageblocks-reclaimable", {{34}, {34}, {34}}));
    c.metrics.push_back(metric(p + "-compact-stall", {{0}, {12}, {123456}}));
    c.metrics.push_back(metric(p + "-compact-success", {{0}, {5}, {123456}}));
    c.metrics.push_back(metric(p + "-compact-fail", {{0}, std::nullopt, {123456}}));
  }
  // Significant in the second run: marked.
  c.metrics[2].cells[1].verdict = analysis::Verdict::regression;
  return c;
}

TEST(PassTable, RecognisesTheFiguresByName) {
  for (const char* name :
       {"pass1-order9-free-blocks", "pass2-order13-unusable-index", "at-rest-pageblocks-movable", "pass2-compact-fail"})
    EXPECT_TRUE(is_pass_fragmentation_metric(workload_def("highalloc", name))) << name;
  for (const char* name : {"pass1-success-pct", "pass1-order-free-blocks", "pass3-compact-fail", "pass1compact-fail",
                           "pass1-order9-free-blocks-x", "pass1-compact-migrate-scanned", "pass1-latency-p50-ms"})
    EXPECT_FALSE(is_pass_fragmentation_metric(workload_def("highalloc", name))) << name;
  MetricDef vmstat = workload_def("highalloc", "pass1-compact-stall");
  vmstat.section = analysis::Section::vmstat;
  EXPECT_FALSE(is_pass_fragmentation_metric(vmstat));
}

TEST(PassTable, ARowPerRunAndPassAColumnPerFigure) {
  auto table = build_pass_table(three_runs());
  ASSERT_EQ(table.columns.size(), 8u);
  EXPECT_EQ(table.columns[0].top, "order-9");
  EXPECT_EQ(table.columns[0].bottom, "free blocks");
  EXPECT_NE(table.title.find("order 9"), std::string::npos) << table.title;
  ASSERT_EQ(table.rows.size(), 6u);
  EXPECT_EQ(table.rows[0].name(), "6.1 pass1");
  EXPECT_EQ(table.rows[1].name(), "6.1 at-rest");
  EXPECT_EQ(table.rows[2].name(), "6.12 pass1");
  const auto& base = table.rows[0].cells;
  EXPECT_EQ(base[0].value, "1794");
  EXPECT_EQ(base[1].value, "0.024");
  EXPECT_EQ(base[2].value, "46");
  EXPECT_EQ(base[3].value, "2032");
  EXPECT_EQ(base[7].value, "0");
  const auto& other = table.rows[2].cells;
  EXPECT_EQ(other[0].value, "12.5");  // a mean over iterations
  EXPECT_EQ(other[1].value, "0.900");
  EXPECT_TRUE(other[1].marked);
  EXPECT_TRUE(other[1].regression);
  EXPECT_FALSE(other[0].marked);
  EXPECT_EQ(other[7].value, "n/a");
  // No pass2 figures recorded: no pass2 rows.
  for (const auto& row : table.rows) EXPECT_NE(row.pass, "pass2");
}

TEST(PassTable, EmptyWithoutTheFigures) {
  Comparison c;
  c.runs = {run("a")};
  c.metrics.push_back(metric("pass1-success-pct", {{50}}));
  EXPECT_TRUE(build_pass_table(c).rows.empty());
}

TEST(PassTable, InstancesAreNamedWhenThereAreSeveral) {
  Comparison c;
  c.runs = {run("a")};
  c.metrics.push_back(metric("pass1-compact-stall", {{1}}, "ha"));
  c.metrics.push_back(metric("pass1-compact-stall", {{2}}, "hb"));
  auto table = build_pass_table(c);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].pass, "ha pass1");
  EXPECT_EQ(table.rows[1].name(), "a hb pass1");
  EXPECT_EQ(table.rows[1].cells[5].value, "2");
}

TEST(PassTable, TextAndMarkdownPrintTheTableNotWorkloadRows) {
  auto c = three_runs();
  std::ostringstream text, markdown;
  render(text, c, Format::text);
  render(markdown, c, Format::markdown);
  // Text: the two-line header and a row per run and pass, within 100 columns.
  EXPECT_NE(text.str().find("Fragmentation per pass (order 9"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("\n6.12\n  pass1 "), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("pass1-order9-free-blocks"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("pass1-success-pct"), std::string::npos) << text.str();
  // The table's lines (from its title to the blank line after it) fit 100
  // columns whatever the runs' labels: runs are lines of their own.
  auto table = text.str().substr(text.str().find("Fragmentation per pass"));
  table = table.substr(0, table.find("\n\n"));
  std::istringstream lines(table);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_EQ(count, 2 + 2 + 3 * 3);  // the title's two lines, the header's two, a run's line and two passes each
  EXPECT_NE(text.str().find("0.900*"), std::string::npos) << text.str();
  // Markdown: a table with a column per figure.
  EXPECT_NE(markdown.str().find("| order-9 free blocks | order-9 unusable |"), std::string::npos) << markdown.str();
  EXPECT_NE(markdown.str().find("| 6.12 pass1 | 12.5 | 0.900 \\* |"), std::string::npos) << markdown.str();
  EXPECT_EQ(markdown.str().find("pass1-order9-free-blocks"), std::string::npos) << markdown.str();
}

}  // namespace
}  // namespace memharness::report
