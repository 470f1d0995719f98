// `memharness nightly` on the host, four nights of a one-test suite (root,
// stress-ng): the first has no baseline and becomes it, the second passes
// against it and becomes the new one, the third regresses (its elapsed time
// triples), exits 1, says so in its JUnit file and is not stored as the
// baseline; the fourth runs too few iterations to be judged: inconclusive,
// exit 5, not stored either.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness_process.h"
#include "require.h"

namespace memharness::testing {
namespace {

namespace fs = std::filesystem;

// A run of fixed length (stress-ng --timeout) without memory pressure, so that
// elapsed is the figure that tells the nights apart.
std::string night_config(const std::string& duration, int iterations) {
  return "name = \"nightly-probe\"\n"
         "description = \"integration test: a short fixed-length anon-dirty\"\n"
         "iterations = " +
         std::to_string(iterations) +
         "\n"
         "[cgroup]\nmemory-max = \"256M\"\n"
         "[[phase]]\n[[phase.workload]]\ntype = \"anon-dirty\"\nworkers = 1\nvm-bytes = \"16M\"\nduration = \"" +
         duration + "\"\n";
}

// Only elapsed gates, and only beyond 30%: the host's system-wide figures (PSI,
// nr_vmscan_write) move with whatever else runs on a shared machine.
constexpr const char* kCompareConfig =
    "min_effect_pct = 30\n"
    "[metric.\"tracepoint.direct_reclaim_write_file\"]\ngates = false\n"
    "[metric.\"tracepoint.direct_reclaim_write_anon\"]\ngates = false\n"
    "[metric.\"tracepoint.direct_reclaim_stall_ms\"]\ngates = false\n"
    "[metric.\"tracepoint.memcg_reclaim_stall_ms\"]\ngates = false\n"
    "[metric.\"memcg.oom_kill\"]\ngates = false\n"
    "[metric.\"memcg.psi_full_ms\"]\ngates = false\n"
    "[metric.\"psi.full_ms\"]\ngates = false\n"
    "[metric.\"vmstat.nr_vmscan_write\"]\ngates = false\n"
    "[metric.\"vmstat.thp_fault_fallback\"]\ngates = false\n";

class NightlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MEMHARNESS_REQUIRE_ROOT();
    MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
    env_ = {{"MEMHARNESS_STATE_DIR", (tmp_.path() / "state").string()}};
    write_file(tmp_.path() / "suite.toml",
               "description = \"integration test suite\"\n[[test]]\nconfig = \"probe.toml\"\n");
    write_file(tmp_.path() / "compare.toml", kCompareConfig);
  }
  void TearDown() override {
    if (fs::exists(tmp_.path() / "state")) run_memharness({"restore"}, env_, tmp_.path() / "teardown-restore.log");
  }
  // 5 iterations: the fewest a permutation test can judge at alpha 0.01.
  CommandResult night(int number, const std::string& duration, int iterations = 5,
                      const std::vector<std::string>& extra = {}) {
    write_file(tmp_.path() / "probe.toml", night_config(duration, iterations));
    std::vector<std::string> args = {"nightly",
                                     "--suite",
                                     (tmp_.path() / "suite.toml").string(),
                                     "--results",
                                     results().string(),
                                     "--compare-config",
                                     (tmp_.path() / "compare.toml").string(),
                                     "--junit",
                                     junit(number).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_memharness(args, env_, tmp_.path() / ("night-" + std::to_string(number) + ".log"));
  }
  fs::path results() const { return tmp_.path() / "results"; }
  fs::path junit(int number) const { return tmp_.path() / ("night-" + std::to_string(number) + ".xml"); }
  std::vector<fs::path> runs_under(const std::string& label) const {
    std::vector<fs::path> runs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(results() / label / "nightly-probe", ec))
      runs.push_back(entry.path());
    std::sort(runs.begin(), runs.end());
    return runs;
  }
  TempDir tmp_{"memharness-nightly-test"};
  std::map<std::string, std::string> env_;
};

TEST_F(NightlyTest, TheFirstNightBecomesTheBaselineAndARegressionIsNotStoredAsIt) {
  auto first = night(1, "2s");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("nightly-probe  no baseline"), std::string::npos) << first.output;
  ASSERT_EQ(runs_under("last-good").size(), 1u) << first.output;
  auto promoted = nlohmann::json::parse(read_file(runs_under("last-good")[0] / "manifest.json"));
  EXPECT_EQ(promoted["label"], "last-good");
  EXPECT_EQ(promoted["status"], "complete");
  EXPECT_EQ(fs::path(promoted["promoted_from"].get<std::string>()), runs_under("nightly")[0]);
  EXPECT_NE(read_file(junit(1)).find("<skipped message=\"no complete run of nightly-probe stored under last-good"),
            std::string::npos)
      << read_file(junit(1));

  auto second = night(2, "2s");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("nightly-probe  passed        against " + runs_under("last-good")[0].string()),
            std::string::npos)
      << second.output;
  EXPECT_NE(second.output.find("last-good"), std::string::npos);  // the comparison's baseline column
  EXPECT_EQ(runs_under("last-good").size(), 2u) << second.output;
  EXPECT_NE(read_file(junit(2)).find("name=\"elapsed nightly vs last-good\""), std::string::npos)
      << read_file(junit(2));
  EXPECT_NE(read_file(junit(2)).find("failures=\"0\" errors=\"0\""), std::string::npos) << read_file(junit(2));

  auto third = night(3, "6s");
  EXPECT_EQ(third.exit_code, 1) << third.output;
  EXPECT_NE(third.output.find("nightly-probe  REGRESSED     1 gating metric (elapsed) against " +
                              runs_under("last-good")[1].string()),
            std::string::npos)
      << third.output;
  EXPECT_NE(third.output.find("Not stored as last-good: the night did not pass."), std::string::npos);
  EXPECT_EQ(runs_under("last-good").size(), 2u);
  EXPECT_EQ(runs_under("nightly").size(), 3u);
  auto xml = read_file(junit(3));
  EXPECT_NE(xml.find("<failure message=\"Elapsed (s): "), std::string::npos) << xml;
  // The gating metric and the comparison's verdict.
  EXPECT_NE(xml.find("<testsuites name=\"memharness nightly\" tests=\"2\" failures=\"2\" errors=\"0\""),
            std::string::npos)
      << xml;

  auto fourth = night(4, "2s", 3);
  EXPECT_EQ(fourth.exit_code, 5) << fourth.output;
  EXPECT_NE(fourth.output.find("nightly-probe  INCONCLUSIVE  inconclusive: 1 of 1 gating metrics not judged (elapsed)"),
            std::string::npos)
      << fourth.output;
  EXPECT_NE(fourth.output.find("Not stored as last-good: the night was inconclusive."), std::string::npos);
  EXPECT_EQ(runs_under("last-good").size(), 2u);
  EXPECT_NE(read_file(junit(4)).find("type=\"inconclusive\"/>"), std::string::npos) << read_file(junit(4));
}

// `--iterations auto` against a stored baseline of 8 iterations: looks at 5, 7
// and 9 (2/C(13, 5) = 0.0016 reaches alpha/3 at the first); a night whose
// elapsed triples stops at the first look, regressed.
TEST_F(NightlyTest, IterationsAutoStopsANightAtTheFirstLookThatDecides) {
  // Without a baseline there is nothing to look at: the test's own iterations run.
  auto first = night(1, "1s", 8, {"--iterations", "auto", "--max-iterations", "9"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("--iterations auto: no complete run of nightly-probe stored under last-good yet: "
                              "nothing to compare with, so the test's own iterations run"),
            std::string::npos)
      << first.output;
  ASSERT_EQ(runs_under("last-good").size(), 1u) << first.output;
  auto baseline = nlohmann::json::parse(read_file(runs_under("last-good")[0] / "manifest.json"));
  EXPECT_EQ(baseline["iterations"]["completed"], 8);

  auto second = night(2, "3s", 5, {"--iterations", "auto", "--max-iterations", "9"});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("--iterations auto: looks at 5, 7, 9 iterations against the baseline's " +
                               runs_under("last-good")[0].string()),
            std::string::npos)
      << second.output;
  EXPECT_NE(second.output.find("--iterations auto: a gating metric regressed after 5 iterations"), std::string::npos)
      << second.output;
  EXPECT_NE(second.output.find("nightly-probe  REGRESSED     1 gating metric (elapsed)"), std::string::npos)
      << second.output;
  ASSERT_EQ(runs_under("nightly").size(), 2u);
  auto manifest = nlohmann::json::parse(read_file(runs_under("nightly")[1] / "manifest.json"));
  EXPECT_EQ(manifest["iterations"]["completed"], 5);
  EXPECT_EQ(manifest["iterations"]["planned"], 9);
  EXPECT_EQ(manifest["iterations"]["stopped_early"], "a gating metric regressed after 5 iterations");
  EXPECT_EQ(runs_under("last-good").size(), 1u);
}

TEST_F(NightlyTest, IterationsOtherThanAutoAreRefusedBeforeAnythingRuns) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--iterations", "7"},
                                                                {"--time-budget", "10m"},
                                                                {"--iterations", "auto", "--time-budget", "soon"},
                                                                {"--iterations", "auto", "--max-iterations", "3"}}) {
    auto result = night(9, "1s", 1, args);
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find(args[args.size() - 2] + " " + args.back() + ": "), std::string::npos) << result.output;
  }
  EXPECT_FALSE(fs::exists(results()));
}

TEST_F(NightlyTest, ASuiteWithABadTestIsRefusedBeforeAnythingRuns) {
  write_file(tmp_.path() / "bad-suite.toml",
             "[[test]]\nconfig = \"anon-dirty-quick\"\n[[test]]\nconfig = \"no-such-test\"\n");
  auto result =
      run_memharness({"nightly", "--suite", (tmp_.path() / "bad-suite.toml").string(), "--results", results().string()},
                     env_, tmp_.path() / "bad.log");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("bad-suite.toml:4:10: error: [[test]] 2: key \"config\": no test config named "
                               "\"no-such-test\""),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(fs::exists(results()));  // the first test did not run either
}

TEST_F(NightlyTest, RunGivenASuiteSaysToUseNightly) {
  auto result = run_memharness({"run", (tmp_.path() / "suite.toml").string(), "--results", results().string()}, env_,
                               tmp_.path() / "run-suite.log");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("suite.toml: error: this is a nightly suite, not a test: run it with `memharness "
                               "nightly --suite "),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(fs::exists(results()));
}

}  // namespace
}  // namespace memharness::testing
