// TOML -> IR: syntax errors, structure, unknown keys in every section.
#include "harness/config/toml_loader.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/config/config_test_support.h"

namespace memharness::config::testing {
namespace {

std::string load_error(std::string_view toml) {
  try {
    parse_test_config(toml, test_file);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::usage);
    return error.what();
  }
  ADD_FAILURE() << "loaded without error:\n" << toml;
  return "";
}

TEST(TomlLoader, SyntaxErrorsHaveFileLineColumn) {
  EXPECT_EQ(load_error("name = \"x\"\niterations = \n"),
            "configs/t.toml:2:14: error: invalid TOML while parsing key-value pair: expected "
            "value, saw '\\n'");
  EXPECT_EQ(load_error("[cgroup\n"),
            "configs/t.toml:1:8: error: invalid TOML while parsing table header: expected ']', "
            "saw '\\n'");
  EXPECT_EQ(load_error("iterations = 1\niterations = 2\n"),
            "configs/t.toml:2:14: error: invalid TOML while parsing key-value pair: cannot "
            "redefine existing integer 'iterations'");
}

TEST(TomlLoader, KeepsPositionsOfValues) {
  ir::TestConfig config = parse_test_config(
      "name = \"x\"\n"
      "[cgroup]\n"
      "  memory-max = \"1G\"\n"
      "[[phase]]\n"
      "  [[phase.workload]]\n"
      "  type = \"test-dirty\"\n"
      "  bytes = 4096\n",
      test_file);
  ASSERT_TRUE(config.name);
  EXPECT_EQ(config.name->where.line, 1);
  EXPECT_EQ(config.name->where.column, 8);
  EXPECT_EQ(config.cgroup.where.line, 2);
  ASSERT_TRUE(config.cgroup.memory_max);
  EXPECT_EQ(config.cgroup.memory_max->describe(), "\"1G\"");
  EXPECT_EQ(config.cgroup.memory_max->where.line, 3);
  EXPECT_EQ(config.cgroup.memory_max->where.column, 16);
  ASSERT_EQ(config.phases.size(), 1u);
  ASSERT_EQ(config.phases[0].workloads.size(), 1u);
  const ir::Workload& workload = config.phases[0].workloads[0];
  EXPECT_EQ(workload.where.line, 5);
  EXPECT_EQ(workload.where.column, 3);
  ASSERT_EQ(workload.params.size(), 1u);
  EXPECT_EQ(workload.params[0].key, "bytes");
  EXPECT_EQ(workload.params[0].key_where.line, 7);
  EXPECT_EQ(workload.params[0].key_where.column, 3);
  EXPECT_EQ(workload.params[0].value.describe(), "4096");
}

TEST(TomlLoader, DescribesValuesAsWritten) {
  ir::TestConfig config = parse_test_config(
      "[[phase]]\n[[phase.workload]]\n"
      "a = \"lo\\\"ts\"\nb = 12\nc = 1.5\nd = 3.0\ne = true\nf = {x = 1}\ng = [1]\n"
      "h = 1979-05-27\ni = 07:32:00\nj = 1979-05-27T07:32:00Z\nk = [{x = 1}]\n",
      test_file);
  std::vector<std::string> described;
  for (const ir::Entry& entry : config.phases.at(0).workloads.at(0).params) described.push_back(entry.value.describe());
  EXPECT_EQ(described, (std::vector<std::string>{"\"lo\\\"ts\"", "12", "1.5", "3.0", "true", "a table", "an array",
                                                 "a date", "a time", "a date-time", "an array of tables"}));
}

TEST(TomlLoader, WorkloadParamsStayInFileOrder) {
  ir::TestConfig config = parse_test_config("[[phase]]\n[[phase.workload]]\nzeta = 1\nalpha = 2\nmid = 3\n", test_file);
  const auto& params = config.phases.at(0).workloads.at(0).params;
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].key, "zeta");
  EXPECT_EQ(params[1].key, "alpha");
  EXPECT_EQ(params[2].key, "mid");
}

TEST(TomlLoader, SysctlDottedKeysQuotedOrNotMeanTheSame) {
  ir::TestConfig config = parse_test_config(
      "[sysctl]\n"
      "vm.swappiness = 100\n"
      "\"vm.dirty_ratio\" = 40\n"
      "kernel = { numa_balancing = 0 }\n"
      "vm.overcommit_memory = 1\n",
      test_file);
  ASSERT_EQ(config.sysctls.size(), 4u);
  EXPECT_EQ(config.sysctls[0].key, "vm.swappiness");
  EXPECT_EQ(config.sysctls[1].key, "vm.dirty_ratio");
  EXPECT_EQ(config.sysctls[2].key, "kernel.numa_balancing");
  EXPECT_EQ(config.sysctls[3].key, "vm.overcommit_memory");  // file order, not grouped
  EXPECT_EQ(config.sysctls[0].key_where.line, 2);
}

TEST(TomlLoader, UnknownTopLevelKeySuggestsTheClosest) {
  EXPECT_EQ(load_error("iteratons = 3\n"),
            "configs/t.toml:1:1: error: key \"iteratons\": expected a known key, got an unknown "
            "key (did you mean \"iterations\"?)");
  EXPECT_EQ(load_error("description = \"d\"\nfoo = 1\n"),
            "configs/t.toml:2:1: error: key \"foo\": expected a known key, got an unknown key");
}

TEST(TomlLoader, UnknownKeyInCgroup) {
  EXPECT_EQ(load_error("[cgroup]\nmemroy-max = \"1G\"\n"),
            "configs/t.toml:2:1: error: [cgroup]: key \"memroy-max\": expected a known key, got "
            "an unknown key (did you mean \"memory-max\"?)");
  EXPECT_EQ(load_error("[cgroup]\ncpu-max = \"1\"\n"),
            "configs/t.toml:2:1: error: [cgroup]: key \"cpu-max\": expected a known key, got an "
            "unknown key");
}

TEST(TomlLoader, UnknownKeyInSwap) {
  EXPECT_EQ(load_error("[swap]\nswapfile_size = \"1G\"\n"),
            "configs/t.toml:2:1: error: [swap]: key \"swapfile_size\": expected a known key, got "
            "an unknown key (did you mean \"swapfile-size\"?)");
}

TEST(TomlLoader, UnknownKeyInPhaseNamesThePhase) {
  EXPECT_EQ(load_error("[[phase]]\ntimeot = \"1m\"\nname = \"warm\"\n"),
            "configs/t.toml:2:1: error: phase \"warm\": key \"timeot\": expected a known key, got "
            "an unknown key (did you mean \"timeout\"?)");
  EXPECT_EQ(load_error("[[phase]]\nname = \"a\"\n[[phase]]\nworkloads = []\n"),
            "configs/t.toml:4:1: error: phase \"phase-2\": key \"workloads\": expected a known "
            "key, got an unknown key (did you mean \"workload\"?)");
}

TEST(TomlLoader, FirstProblemInTheFileIsReported) {
  EXPECT_EQ(load_error("zzz = 1\naaa = 2\n"),
            "configs/t.toml:1:1: error: key \"zzz\": expected a known key, got an unknown key");
}

TEST(TomlLoader, SectionsMustBeTables) {
  EXPECT_EQ(load_error("cgroup = \"256M\"\n"),
            "configs/t.toml:1:10: error: key \"cgroup\": expected a table ([cgroup]), got "
            "\"256M\"");
  EXPECT_EQ(load_error("sysctl = [1]\n"),
            "configs/t.toml:1:10: error: key \"sysctl\": expected a table ([sysctl]), got an "
            "array");
}

TEST(TomlLoader, PhasesAndWorkloadsMustBeArraysOfTables) {
  EXPECT_EQ(load_error("[phase]\nname = \"x\"\n"),
            "configs/t.toml:1:1: error: key \"phase\": expected an array of tables ([[phase]]), "
            "got a table");
  EXPECT_EQ(load_error("[[phase]]\nname = \"x\"\n[phase.workload]\ntype = \"t\"\n"),
            "configs/t.toml:3:1: error: phase \"x\": key \"workload\": expected an array of "
            "tables ([[phase.workload]]), got a table");
  EXPECT_EQ(load_error("phase = [1, 2]\n"),
            "configs/t.toml:1:9: error: key \"phase\": expected an array of tables ([[phase]]), "
            "got an array");
}

TEST(TomlLoader, InlineArraysOfTablesAreAccepted) {
  ir::TestConfig config = parse_test_config(
      "phase = [{ name = \"a\", workload = [{ type = \"test-dirty\", bytes = \"1M\" }] }]\n", test_file);
  ASSERT_EQ(config.phases.size(), 1u);
  EXPECT_EQ(config.phases[0].workloads.size(), 1u);
}

TEST(LoadTestConfig, MissingFileIsAUsageError) {
  try {
    load_test_config("/nonexistent/memharness/x.toml");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::usage);
    EXPECT_STREQ(error.what(),
                 "/nonexistent/memharness/x.toml: error: cannot read the test config: No such "
                 "file or directory");
  }
}

TEST(LoadTestConfig, DirectoryIsAUsageError) {
  try {
    load_test_config(MEMHARNESS_FIXTURE_DIR);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::usage);
    EXPECT_NE(std::string(error.what()).find("it is a directory"), std::string::npos);
  }
}

TEST(LoadTestConfig, ReadsTheFile) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "memharness-loader-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "small.toml") << "iterations = 2\n" << minimal_phase;
  ir::TestConfig config = load_test_config(dir / "small.toml");
  EXPECT_EQ(config.source_file, dir / "small.toml");
  ASSERT_TRUE(config.iterations);
  EXPECT_EQ(config.iterations->describe(), "2");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace memharness::config::testing
