// Host variants compared in one run, their iterations interleaved (root, real
// kernel, dd): an A/A pair of the same configuration ends "no regression" with
// every gating metric judged, and a variant with a tiny vm.dirty_bytes (a known,
// large writeback slowdown) is flagged as a regression in Elapsed, with the
// mechanism rows named, at fixed n and with --iterations auto; all leave the
// dirty limits as they found them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness_process.h"
#include "require.h"

namespace memharness::testing {
namespace {

// Six iterations a side: with two-sided permutation p-values the smallest
// reachable p at 6 + 6 is 2/924 = 0.0022, below alpha = 0.01 with room for an
// imperfect separation (at 5 + 5 it is 2/252 = 0.0079, which leaves none).
constexpr int kIterations = 6;

std::string sysctl_value(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin(), path.end(), '.', '/');
  std::string v = read_file(path);
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

// One step of two dd writers, 256 MiB in all, under a 128 MiB limit: seconds.
std::string writeback_config(const std::filesystem::path& directory) {
  return "name = \"variants-writeback\"\n"
         "description = \"integration test: dd writeback of host variants\"\n"
         "iterations = 1\n"
         "sample-interval = \"500ms\"\n"
         "timeout = \"3m\"\n"
         "[cgroup]\nmemory-max = \"128M\"\n"
         "[[phase]]\nname = \"write\"\n"
         "[[phase.workload]]\ntype = \"dd-writeback\"\nmin-threads = 2\nmax-threads = 2\ntotal = \"200%\"\n"
         "directory = \"" +
         directory.string() + "\"\n";
}

class HostVariantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MEMHARNESS_REQUIRE_ROOT();
    MEMHARNESS_REQUIRE_PROGRAM("dd");
    env_ = {{"MEMHARNESS_STATE_DIR", (tmp_.path() / "state").string()}};
    for (const char* name :
         {"vm.dirty_bytes", "vm.dirty_ratio", "vm.dirty_background_bytes", "vm.dirty_background_ratio"})
      dirty_limits_[name] = sysctl_value(name);
    std::filesystem::create_directories(tmp_.path() / "scratch");
    write_file(config_file(), writeback_config(tmp_.path() / "scratch"));
  }
  void TearDown() override {
    if (std::filesystem::exists(tmp_.path() / "state"))
      run_memharness({"restore"}, env_, tmp_.path() / "teardown-restore.log");
  }
  std::filesystem::path config_file() const { return tmp_.path() / "variants.toml"; }
  std::filesystem::path results() const { return tmp_.path() / "results"; }

  CommandResult run_variants(const std::string& a, const std::string& b) {
    return run_memharness({"run", config_file().string(), "--kernel", a, "--kernel", b, "--iterations",
                           std::to_string(kIterations), "--results", results().string()},
                          env_, tmp_.path() / "run.log");
  }
  nlohmann::json compare_json(const std::string& a, const std::string& b, int expected_exit) {
    auto compared = run_memharness({"compare", a, b, "--results", results().string(), "--format", "json"}, env_,
                                   tmp_.path() / "compare.log");
    EXPECT_EQ(compared.exit_code, expected_exit) << compared.output;
    auto start = compared.output.find('{');
    if (start == std::string::npos) return {};
    return nlohmann::json::parse(compared.output.substr(start));
  }
  // The run directory stored under `label`.
  std::filesystem::path run_dir(const std::string& label) const {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(results() / label))
      if (entry.path().filename() == "manifest.json") return entry.path().parent_path();
    return {};
  }
  void expect_dirty_limits_restored() {
    for (const auto& [name, value] : dirty_limits_) EXPECT_EQ(sysctl_value(name), value) << name;
  }

  TempDir tmp_{"memharness-host-variants-test"};
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> dirty_limits_;
};

std::filesystem::file_time_type finished(const std::filesystem::path& run, int iteration) {
  return std::filesystem::last_write_time(run / "iterations" / std::to_string(iteration) / "result.json");
}

TEST_F(HostVariantsTest, AnAAPairRunsInterleavedAndEndsNoRegressionWithEveryGatingMetricJudged) {
  auto result = run_variants("A=host", "B=host");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  expect_dirty_limits_restored();

  auto a = run_dir("A"), b = run_dir("B");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  auto manifest = nlohmann::json::parse(read_file(a / "manifest.json"));
  EXPECT_EQ(manifest["status"], "complete");
  EXPECT_EQ(manifest["iterations"]["completed"], kIterations);
  EXPECT_EQ(manifest["interleaved"]["with"], nlohmann::json::array({"B"}));
  // Rounds alternate: A B, B A, A B ... and every round ends before the next starts.
  for (int round = 1; round <= kIterations; ++round) {
    auto first = round % 2 == 1 ? a : b, second = round % 2 == 1 ? b : a;
    EXPECT_LT(finished(first, round), finished(second, round)) << "round " << round;
    if (round > 1) {
      EXPECT_LT(finished(first == a ? b : a, round - 1), finished(first, round)) << "round " << round;
    }
  }

  auto doc = compare_json("A", "B", 0);
  ASSERT_TRUE(doc.contains("verdicts")) << doc.dump();
  const auto& verdict = doc["verdicts"][0];
  EXPECT_EQ(verdict["outcome"], "no_regression") << verdict.dump(2);
  EXPECT_TRUE(verdict["not_judged"].empty()) << verdict.dump(2);
  EXPECT_FALSE(verdict["judged"].empty());
  EXPECT_NE(std::find(verdict["judged"].begin(), verdict["judged"].end(), "elapsed"), verdict["judged"].end());
}

TEST_F(HostVariantsTest, ATinyDirtyBytesVariantIsARegressionInElapsedWithItsMechanism) {
  auto result = run_variants("base=host", "dirty64k=host,sysctl=vm.dirty_bytes=65536");
  // The run ends with the comparison, which finds the regression.
  EXPECT_EQ(result.exit_code, 1) << result.output;
  expect_dirty_limits_restored();

  auto manifest = nlohmann::json::parse(read_file(run_dir("dirty64k") / "manifest.json"));
  EXPECT_EQ(manifest["variant_sysctls"]["vm.dirty_bytes"], "65536");
  EXPECT_EQ(manifest["sysctls_set"]["vm.dirty_bytes"], "65536");
  EXPECT_FALSE(nlohmann::json::parse(read_file(run_dir("base") / "manifest.json")).contains("variant_sysctls"));

  auto doc = compare_json("base", "dirty64k", 1);
  ASSERT_TRUE(doc.contains("verdicts")) << doc.dump();
  const auto& verdict = doc["verdicts"][0];
  EXPECT_EQ(verdict["outcome"], "regression") << verdict.dump(2);
  EXPECT_NE(std::find(verdict["regressed"].begin(), verdict["regressed"].end(), "elapsed"), verdict["regressed"].end())
      << verdict.dump(2);
  EXPECT_FALSE(verdict["mechanisms"].empty()) << verdict.dump(2);
}

// --iterations auto stops at the first look (7 iterations a side) that finds
// the regression, and says so in the manifests and the output.
TEST_F(HostVariantsTest, IterationsAutoStopsAtTheFirstLookThatFindsTheRegression) {
  auto result = run_memharness(
      {"run", config_file().string(), "--kernel", "base=host", "--kernel", "dirty64k=host,sysctl=vm.dirty_bytes=65536",
       "--iterations", "auto", "--results", results().string()},
      env_, tmp_.path() / "run.log");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  expect_dirty_limits_restored();
  EXPECT_NE(result.output.find("looks at 7, 9, 12, 16, 20 iterations per side"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--iterations auto: a gating metric regressed after 7 iterations"), std::string::npos)
      << result.output;
  for (const char* label : {"base", "dirty64k"}) {
    auto manifest = nlohmann::json::parse(read_file(run_dir(label) / "manifest.json"));
    EXPECT_EQ(manifest["iterations"]["completed"], 7) << label;
    EXPECT_EQ(manifest["iterations"]["planned"], 20) << label;
    EXPECT_EQ(manifest["iterations"]["stopped_early"], "a gating metric regressed after 7 iterations") << label;
  }
}

TEST_F(HostVariantsTest, IterationsAutoNeedsHostVariantsOnly) {
  auto result = run_memharness(
      {"run", config_file().string(), "--kernel", "A=host", "--iterations", "auto", "--results", results().string()},
      env_, tmp_.path() / "run.log");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--iterations auto: needs two or more variants of the running kernel"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(results()));
}

TEST_F(HostVariantsTest, TwoVariantsWithOneLabelAreRefusedBeforeAnythingRuns) {
  auto result = run_variants("host", "host");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("two host runs are labelled"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(results()));
}

}  // namespace
}  // namespace memharness::testing
