// `run` with stored labels only (no root: nothing runs) must end exactly as
// `compare` does, on the fixture runs a and b (tests/fixtures/runs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness_process.h"

namespace memharness::testing {
namespace {

const std::string fixture_results = std::string(MEMHARNESS_FIXTURE_DIR) + "/runs/results";

TEST(RunStored, TwoLabelsPrintCompareOutputAndExitCode) {
  TempDir tmp("memharness-run-stored");
  std::map<std::string, std::string> env = {{"MEMHARNESS_STATE_DIR", (tmp.path() / "state").string()},
                                            {"MEMHARNESS_CONFIG_DIR", std::string(MEMHARNESS_SOURCE_DIR) + "/configs"}};
  auto compared = run_memharness({"compare", "a", "b", "--results", fixture_results}, env, tmp.path() / "compare.log");
  auto ran = run_memharness({"run", "anon-dirty-quick", "--kernel", "a", "--kernel", "b", "--results", fixture_results},
                            env, tmp.path() / "run.log");
  ASSERT_FALSE(compared.output.empty());
  EXPECT_EQ(compared.exit_code, 5) << compared.output;  // 3 iterations a side: inconclusive
  EXPECT_NE(compared.output.find("Result: inconclusive: "), std::string::npos) << compared.output;
  EXPECT_EQ(ran.exit_code, compared.exit_code) << ran.output;
  // The run's output: one line per stored kernel, a blank line, then compare's output unchanged.
  auto at = ran.output.find(compared.output);
  ASSERT_NE(at, std::string::npos) << "run:\n" << ran.output << "\ncompare:\n" << compared.output;
  EXPECT_EQ(at + compared.output.size(), ran.output.size());
  EXPECT_NE(ran.output.find("== a: stored results " + fixture_results + "/a/anon-dirty-quick/"), std::string::npos);
}

TEST(RunStored, JsonFormatIsCompares) {
  TempDir tmp("memharness-run-stored-json");
  std::map<std::string, std::string> env = {{"MEMHARNESS_STATE_DIR", (tmp.path() / "state").string()}};
  auto config = std::string(MEMHARNESS_SOURCE_DIR) + "/configs/anon-dirty-quick.toml";
  auto compared = run_memharness({"compare", "ab", "c-regressed", "--results", fixture_results, "--format", "json"},
                                 env, tmp.path() / "compare.log");
  auto ran = run_memharness(
      {"run", config, "--kernel", "ab", "--kernel", "c-regressed", "--results", fixture_results, "--format", "json"},
      env, tmp.path() / "run.log");
  // compare's document is a whole JSON comparison (an empty output would be
  // "found" anywhere), and run prints it unchanged with the same exit code.
  auto doc = nlohmann::json::parse(compared.output);
  EXPECT_EQ(doc["schema"], "memharness-compare");
  EXPECT_EQ(doc["result"]["outcome"], "regression");
  EXPECT_EQ(compared.exit_code, 1);
  EXPECT_EQ(ran.exit_code, compared.exit_code) << ran.output;
  EXPECT_NE(ran.output.find(compared.output), std::string::npos) << ran.output;
}

TEST(RunStored, BadKernelsAreUsageErrorsBeforeAnythingRuns) {
  TempDir tmp("memharness-run-stored-bad");
  std::map<std::string, std::string> env = {{"MEMHARNESS_STATE_DIR", (tmp.path() / "state").string()}};
  auto config = std::string(MEMHARNESS_SOURCE_DIR) + "/configs/anon-dirty-quick.toml";
  auto unknown =
      run_memharness({"run", config, "--kernel", "a", "--kernel", "no-such-label", "--results", fixture_results}, env,
                     tmp.path() / "1.log");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("no-such-label: neither a run directory nor a label stored under"), std::string::npos)
      << unknown.output;
  EXPECT_EQ(unknown.output.find("== a:"), std::string::npos) << "checked only after running a";
  auto label =
      run_memharness({"run", config, "--kernel", "a", "--kernel", "b", "--label", "x", "--results", fixture_results},
                     env, tmp.path() / "2.log");
  EXPECT_EQ(label.exit_code, 2);
  EXPECT_NE(label.output.find("--label x: with several --kernel, name each one with --kernel NAME=PATH"),
            std::string::npos)
      << label.output;
  auto image = run_memharness({"run", config, "--kernel", "k=/no/such/vmlinuz", "--results", tmp.path().string()}, env,
                              tmp.path() / "3.log");
  EXPECT_NE(image.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "k")) << "nothing may be created for a missing image";
}

}  // namespace
}  // namespace memharness::testing
