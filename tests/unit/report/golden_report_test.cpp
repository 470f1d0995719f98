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
    auto path = runs_dir / "golden" / name;
    if (std::getenv("MEMHARNESS_UPDATE_GOLDEN")) {
      fs::create_directories(path.parent_path());
      std::ofstream(path) << actual;
      return;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << path << " is missing (MEMHARNESS_UPDATE_GOLDEN=1 writes it)";
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(expected.str(), actual) << "differs from " << path;
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
  auto c = comparison({"a", "b", "c-regressed"});
  check("compare-a-b-c.txt", rendered(c, Format::text));
  check("compare-a-b-c.md", rendered(c, Format::markdown));
  check("compare-a-b-c.json", rendered(c, Format::json));
  check("compare-a-b-c.junit.xml", rendered(c, Format::junit));
}

TEST_F(GoldenReport, ReportOneRun) {
  auto c = comparison({"a"});
  check("report-a.txt", rendered(c, Format::text));
  check("report-a.md", rendered(c, Format::markdown));
  check("report-a.json", rendered(c, Format::json));
  check("report-a.junit.xml", rendered(c, Format::junit));
}

TEST_F(GoldenReport, TextFitsOneHundredColumnsAndHasNoColourOffATerminal) {
  auto text = rendered(comparison({"a", "b", "c-regressed"}), Format::text);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_EQ(text.find('\033'), std::string::npos);
  auto coloured = rendered(comparison({"a", "c-regressed"}), Format::text, {.colour = true});
  EXPECT_NE(coloured.find("\033[31m"), std::string::npos);
}

TEST_F(GoldenReport, PostingStyleRows) {
  auto text = rendered(comparison({"a", "c-regressed"}), Format::text);
  // Value, then the signed difference in the posting's "( 0.00%)" form; a marker
  // on the significant mean.
  EXPECT_NE(text.find("Elapsed mean"), std::string::npos);
  EXPECT_NE(text.find("42.14 ( 0.00%)"), std::string::npos) << text;
  EXPECT_NE(text.find("102.14 (-142.39%)*"), std::string::npos) << text;
  EXPECT_NE(text.find("REGRESSION"), std::string::npos);
}

TEST(Formats, Names) {
  EXPECT_EQ(parse_format("text"), Format::text);
  EXPECT_EQ(parse_format("markdown"), Format::markdown);
  EXPECT_EQ(parse_format("json"), Format::json);
  EXPECT_EQ(parse_format("junit"), Format::junit);
  EXPECT_FALSE(parse_format("html"));
}

}  // namespace
}  // namespace memharness::report
