// IR -> TestPlan: values of every kind, relative sizes, defaults, naming,
// cross-key checks, and the resolved JSON with its hash.
#include "harness/config/plan_compiler.h"

#include <string>

#include <gtest/gtest.h>

#include "harness/config/sysctl_policy.h"
#include "tests/unit/config/config_test_support.h"
#include "tests/unit/config/test_workloads.h"

namespace memharness::config::testing {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

// A config whose only workload is test-dirty with `params` (TOML lines) added;
// the workload table starts on line 3, so the first param line is line 5.
std::string with_params(std::string_view params, std::string_view preamble = "") {
  return fmt::format("{}[[phase]]\nname = \"p\"\n[[phase.workload]]\ntype = \"test-dirty\"\n{}\n", preamble, params);
}

const workloads::ResolvedParams& params_of(const TestPlan& plan) { return plan.phases.at(0).workloads.at(0).params; }

// ---- Defaults -------------------------------------------------------------

TEST(PlanCompiler, MinimalConfigGetsEveryDefault) {
  TestPlan plan = compile(minimal_phase);
  EXPECT_EQ(plan.source_file, test_file);
  EXPECT_EQ(plan.name, "t");  // the file stem
  EXPECT_EQ(plan.description, "");
  EXPECT_EQ(plan.iterations, 1);
  EXPECT_EQ(plan.sample_interval, 1s);
  EXPECT_FALSE(plan.cgroup.memory_max);
  EXPECT_FALSE(plan.cgroup.memory_high);
  EXPECT_FALSE(plan.cgroup.memory_low);
  EXPECT_FALSE(plan.cgroup.memory_min);
  EXPECT_FALSE(plan.cgroup.swap_max);
  EXPECT_EQ(plan.swap.mode, SwapMode::host);
  EXPECT_TRUE(plan.sysctls.empty());
  ASSERT_EQ(plan.phases.size(), 1u);
  EXPECT_EQ(plan.phases[0].name, "phase-1");
  EXPECT_EQ(plan.phases[0].timeout, 1h);
  ASSERT_EQ(plan.phases[0].workloads.size(), 1u);
  EXPECT_EQ(plan.phases[0].workloads[0].type, "test-dirty");
  EXPECT_EQ(plan.phases[0].workloads[0].instance_name, "test-dirty");
}

TEST(PlanCompiler, MissingParametersGetTheSpecDefaults) {
  TestPlan plan = compile(with_params("bytes = \"1M\""));
  const auto& params = params_of(plan);
  EXPECT_EQ(params.integer("bytes"), MiB);
  EXPECT_EQ(params.integer("chunk"), 4 * KiB);
  EXPECT_EQ(params.integer("workers"), 2);
  EXPECT_EQ(params.text("method"), "write");
  EXPECT_EQ(params.duration("run-time"), 10s);
  EXPECT_FALSE(params.flag("verify"));
  EXPECT_EQ(params.text("label"), "fake");
  EXPECT_EQ(params.all().size(), 7u);
}

TEST(PlanCompiler, RelativeDefaultResolvesAgainstTheCgroupLimit) {
  TestPlan plan = compile("[cgroup]\nmemory-max = \"1G\"\n[[phase]]\n[[phase.workload]]\ntype = \"test-share\"\n");
  EXPECT_EQ(params_of(plan).integer("share"), 512 * MiB);
  EXPECT_EQ(params_of(plan).integer("loops"), 3);
}

TEST(PlanCompiler, RelativeDefaultWithoutCgroupLimitIsAUsageError) {
  EXPECT_EQ(error_of("[[phase]]\n[[phase.workload]]\ntype = \"test-share\"\n"),
            "configs/t.toml:2:1: error: workload \"test-share\": key \"share\": expected a value, "
            "or a [cgroup] memory-max for the default \"50%\" to be relative to, got nothing");
}

TEST(PlanCompiler, ABrokenDefaultIsALogicError) {
  workloads::WorkloadRegistry registry;
  workloads::WorkloadSpec spec;
  spec.name = "test-broken";
  workloads::ParamSpec param;
  param.name = "workers";
  param.type = workloads::ParamType::count;
  param.default_value = "many";
  spec.params.push_back(param);
  registry.add(spec);
  ir::TestConfig config = parse_test_config("[[phase]]\n[[phase.workload]]\ntype = \"test-broken\"\n", test_file);
  EXPECT_THROW(compile_test_plan(config, test_host(), registry), std::logic_error);
}

TEST(PlanCompiler, ASpecParameterNamedLikeAReservedKeyIsALogicError) {
  workloads::WorkloadRegistry registry;
  workloads::WorkloadSpec spec;
  spec.name = "test-clash";
  workloads::ParamSpec param;
  param.name = "name";
  param.default_value = "x";
  spec.params.push_back(param);
  registry.add(spec);
  ir::TestConfig config = parse_test_config("[[phase]]\n[[phase.workload]]\ntype = \"test-clash\"\n", test_file);
  EXPECT_THROW(compile_test_plan(config, test_host(), registry), std::logic_error);
}

TEST(PlanCompiler, UnknownMemTotalIsAnEnvironmentError) {
  try {
    compile(minimal_phase, HostFacts{});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::environment);
    EXPECT_STREQ(error.what(),
                 "configs/t.toml: error: cannot check the test config: the "
                 "machine's MemTotal is unknown");
  }
}

// ---- Parameters of each type ------------------------------------------------

struct ParamCase {
  std::string line;      // the TOML line added to the test-dirty workload (line 5)
  std::string expected;  // the error after "configs/t.toml:5:COL: error: workload ...: "
};

class ParamRejection : public ::testing::TestWithParam<ParamCase> {};

TEST_P(ParamRejection, NamesWorkloadKeyExpectationAndValue) {
  const ParamCase& c = GetParam();
  std::string message = error_of(with_params("bytes = \"1M\"\n" + c.line, "iterations = 1\n"));
  // The tested line is line 7 (one preamble line, "bytes" on line 6).
  EXPECT_EQ(message.substr(0, 17), "configs/t.toml:7:") << message;
  EXPECT_NE(message.find("error: workload \"test-dirty\": " + c.expected), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    EveryType, ParamRejection,
    ::testing::Values(
        // size
        ParamCase{"chunk = \"lots\"", R"(key "chunk": expected a size like "512M", got "lots")"},
        ParamCase{"chunk = 1.5", R"(key "chunk": expected a size like "512M", got 1.5)"},
        ParamCase{"chunk = true", R"(key "chunk": expected a size like "512M", got true)"},
        ParamCase{"chunk = \"0\"", R"(key "chunk": expected a size greater than 0, got "0")"},
        ParamCase{"chunk = 0", R"(key "chunk": expected a size greater than 0, got 0)"},
        ParamCase{"chunk = \"-4K\"", R"(key "chunk": expected a size greater than 0, got "-4K")"},
        ParamCase{
            "chunk = \"50%\"",
            R"(key "chunk": expected an absolute size like "512M" (relative sizes are not allowed here), got "50%")"},
        ParamCase{
            "chunk = \"0.5x\"",
            R"(key "chunk": expected an absolute size like "512M" (relative sizes are not allowed here), got "0.5x")"},
        // count
        ParamCase{"workers = 0", R"(key "workers": expected an integer from 1 to 64, got 0)"},
        ParamCase{"workers = 65", R"(key "workers": expected an integer from 1 to 64, got 65)"},
        ParamCase{"workers = \"4\"", R"(key "workers": expected an integer from 1 to 64, got "4")"},
        ParamCase{"workers = 4.0", R"(key "workers": expected an integer from 1 to 64, got 4.0)"},
        // duration
        ParamCase{"run-time = \"soon\"", R"(key "run-time": expected a duration like "10s" or "500ms", got "soon")"},
        ParamCase{"run-time = 10", R"(key "run-time": expected a duration like "10s" or "500ms", got 10)"},
        ParamCase{"run-time = \"0s\"", R"(key "run-time": expected a duration greater than 0, got "0s")"},
        ParamCase{"run-time = \"-1s\"", R"(key "run-time": expected a duration greater than 0, got "-1s")"},
        // choice
        ParamCase{"method = \"mmap\"",
                  R"(key "method": expected one of "write", "read-write" or "memset", got "mmap")"},
        ParamCase{"method = 1", R"(key "method": expected one of "write", "read-write" or "memset", got 1)"},
        // boolean
        ParamCase{"verify = \"yes\"", R"(key "verify": expected true or false, got "yes")"},
        ParamCase{"verify = 1", R"(key "verify": expected true or false, got 1)"},
        // text
        ParamCase{"label = 5", R"(key "label": expected a string, got 5)"},
        ParamCase{"label = [\"a\"]", R"(key "label": expected a string, got an array)"}));

TEST(PlanCompiler, SizeParamsRejectGarbageWithTheDocumentedMessage) {
  EXPECT_EQ(error_of(with_params("bytes = \"lots\"")),
            "configs/t.toml:5:9: error: workload \"test-dirty\": key \"bytes\": expected a size "
            "like \"512M\" or \"150%\", got \"lots\"");
}

TEST(PlanCompiler, AcceptsEveryType) {
  TestPlan plan =
      compile(with_params("bytes = 1048576\nchunk = \"8KiB\"\nworkers = 64\nmethod = \"memset\"\n"
                          "run-time = \"1.5s\"\nverify = true\nlabel = \"\"\n"));
  const auto& params = params_of(plan);
  EXPECT_EQ(params.integer("bytes"), MiB);
  EXPECT_EQ(params.integer("chunk"), 8 * KiB);
  EXPECT_EQ(params.integer("workers"), 64);
  EXPECT_EQ(params.text("method"), "memset");
  EXPECT_EQ(params.duration("run-time"), 1500ms);
  EXPECT_TRUE(params.flag("verify"));
  EXPECT_EQ(params.text("label"), "");
}

TEST(PlanCompiler, MissingRequiredParameter) {
  EXPECT_EQ(error_of("[[phase]]\n[[phase.workload]]\ntype = \"test-dirty\"\n"),
            "configs/t.toml:2:1: error: workload \"test-dirty\": key \"bytes\": expected a size "
            "like \"512M\" or \"150%\" (the parameter is required), got nothing");
}

TEST(PlanCompiler, UnknownParameterSuggestsTheClosest) {
  EXPECT_EQ(error_of(with_params("bytes = \"1M\"\nworker = 3")),
            "configs/t.toml:6:1: error: workload \"test-dirty\": key \"worker\": expected a known "
            "key, got an unknown key (did you mean \"workers\"?)");
  EXPECT_EQ(error_of(with_params("bytes = \"1M\"\nfrobnicate = 3")),
            "configs/t.toml:6:1: error: workload \"test-dirty\": key \"frobnicate\": expected a "
            "known key, got an unknown key");
}

// ---- Relative sizes ---------------------------------------------------------

TEST(PlanCompiler, PercentIsOfTheCgroupMemoryMax) {
  TestPlan plan = compile(with_params("bytes = \"150%\"", "[cgroup]\nmemory-max = \"256M\"\n"));
  EXPECT_EQ(params_of(plan).integer("bytes"), 384 * MiB);
}

TEST(PlanCompiler, TimesIsOfMemTotal) {
  TestPlan plan = compile(with_params("bytes = \"1.5x\""));
  EXPECT_EQ(params_of(plan).integer("bytes"), 12 * GiB);
}

TEST(PlanCompiler, MemoryMaxMayBeRelativeToMemTotal) {
  TestPlan plan = compile(with_params("bytes = \"50%\"", "[cgroup]\nmemory-max = \"0.25x\"\n"));
  EXPECT_EQ(*plan.cgroup.memory_max, 2 * GiB);
  EXPECT_EQ(params_of(plan).integer("bytes"), GiB);
}

TEST(PlanCompiler, PercentWithoutMemoryMaxIsAnError) {
  EXPECT_EQ(error_of(with_params("bytes = \"150%\"")),
            "configs/t.toml:5:9: error: workload \"test-dirty\": key \"bytes\": expected an "
            "absolute size or \"1.5x\" (\"%\" sizes need a [cgroup] memory-max), got \"150%\"");
  EXPECT_EQ(error_of(with_params("bytes = \"150%\"", "[cgroup]\nmemory-max = \"max\"\n")),
            "configs/t.toml:7:9: error: workload \"test-dirty\": key \"bytes\": expected an "
            "absolute size or \"1.5x\" (\"%\" sizes need a [cgroup] memory-max), got \"150%\"");
}

// ---- Instance and phase names -----------------------------------------------

TEST(PlanCompiler, RepeatedTypesAreNumbered) {
  TestPlan plan = compile(
      "[[phase]]\n"
      "[[phase.workload]]\ntype = \"test-dirty\"\nbytes = \"1M\"\n"
      "[[phase.workload]]\ntype = \"test-dirty\"\nbytes = \"2M\"\n"
      "[[phase.workload]]\ntype = \"test-dirty\"\nname = \"big\"\nbytes = \"3M\"\n"
      "[[phase.workload]]\ntype = \"test-dirty\"\nbytes = \"4M\"\n"
      "[[phase]]\n"
      "[[phase.workload]]\ntype = \"test-dirty\"\nbytes = \"5M\"\n");
  const auto& first = plan.phases.at(0).workloads;
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[0].instance_name, "test-dirty");
  EXPECT_EQ(first[1].instance_name, "test-dirty-2");
  EXPECT_EQ(first[2].instance_name, "big");
  EXPECT_EQ(first[3].instance_name, "test-dirty-4");
  // Numbering starts again in each phase.
  EXPECT_EQ(plan.phases.at(1).workloads.at(0).instance_name, "test-dirty");
  EXPECT_EQ(plan.phases.at(1).name, "phase-2");
}

TEST(PlanCompiler, DuplicateInstanceNamesInAPhase) {
  EXPECT_EQ(error_of("[[phase]]\nname = \"p\"\n"
                     "[[phase.workload]]\ntype = \"test-dirty\"\nname = \"w\"\nbytes = \"1M\"\n"
                     "[[phase.workload]]\ntype = \"test-share\"\nname = \"w\"\n"),
            "configs/t.toml:9:8: error: workload \"w\": key \"name\": expected a workload name used "
            "only once in the phase, got \"w\", the name of the workload at line 3");
  // An explicit name can collide with a default one.
  EXPECT_EQ(error_of("[cgroup]\nmemory-max = \"1G\"\n[[phase]]\n"
                     "[[phase.workload]]\ntype = \"test-share\"\n"
                     "[[phase.workload]]\ntype = \"test-dirty\"\nname = \"test-share\"\n"
                     "bytes = \"1M\"\n"),
            "configs/t.toml:8:8: error: workload \"test-share\": key \"name\": expected a workload "
            "name used only once in the phase, got \"test-share\", the name of the workload at "
            "line 4");
}

TEST(PlanCompiler, SameInstanceNameInTwoPhasesIsFine) {
  TestPlan plan = compile(std::string(minimal_phase) + std::string(minimal_phase));
  EXPECT_EQ(plan.phases.at(0).workloads.at(0).instance_name, plan.phases.at(1).workloads.at(0).instance_name);
}

TEST(PlanCompiler, InvalidNames) {
  EXPECT_EQ(error_of(with_params("bytes = \"1M\"\nname = \"Big One\"")),
            "configs/t.toml:6:8: error: workload \"Big One\": key \"name\": expected a workload "
            "name matching [a-z0-9][a-z0-9._-]*, got \"Big One\"");
  EXPECT_EQ(error_of("name = \"-x\"\n" + std::string(minimal_phase)),
            "configs/t.toml:1:8: error: key \"name\": expected a test name matching "
            "[a-z0-9][a-z0-9._-]*, got \"-x\"");
  EXPECT_EQ(error_of("[[phase]]\nname = \"Warm Up\"\n[[phase.workload]]\ntype = \"test-share\"\n"),
            "configs/t.toml:2:8: error: phase \"Warm Up\": key \"name\": expected a phase name "
            "matching [a-z0-9][a-z0-9._-]*, got \"Warm Up\"");
}

TEST(PlanCompiler, TestNameFromAnInvalidFileNameAsksForAName) {
  try {
    compile(minimal_phase, test_host(), "configs/My Test.toml");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "configs/My Test.toml:1:1: error: key \"name\": expected a test name matching "
                 "[a-z0-9][a-z0-9._-]*, got \"My Test\" (from the file name; set name = \"...\")");
  }
}

TEST(PlanCompiler, DuplicatePhaseNames) {
  EXPECT_EQ(error_of("[[phase]]\nname = \"a\"\n[[phase.workload]]\ntype = \"test-dirty\"\n"
                     "bytes = 1\n[[phase]]\nname = \"a\"\n"),
            "configs/t.toml:7:8: error: phase \"a\": key \"name\": expected a phase name used only "
            "once, got \"a\", the name of the phase at line 1");
}

// ---- Workload types -----------------------------------------------------------

TEST(PlanCompiler, UnknownWorkloadType) {
  EXPECT_EQ(error_of("[[phase]]\n[[phase.workload]]\ntype = \"test-dirt\"\n"),
            "configs/t.toml:3:8: error: workload \"test-dirt\": key \"type\": expected a "
            "registered workload type (see \"memharness list\"), got \"test-dirt\" (did you mean "
            "\"test-dirty\"?)");
}

TEST(PlanCompiler, MissingOrMistypedWorkloadType) {
  EXPECT_EQ(error_of("[[phase]]\nname = \"p\"\n[[phase.workload]]\nbytes = 1\n"),
            "configs/t.toml:3:1: error: phase \"p\": key \"type\": expected a workload type (see "
            "\"memharness list\"), got nothing");
  EXPECT_EQ(error_of("[[phase]]\nname = \"p\"\n[[phase.workload]]\ntype = 3\n"),
            "configs/t.toml:4:8: error: phase \"p\": key \"type\": expected a workload type (see "
            "\"memharness list\"), got 3");
}

// ---- Top level ------------------------------------------------------------------

TEST(PlanCompiler, TopLevelValues) {
  TestPlan plan = compile(
      "name = \"my-test.v2\"\ndescription = \"what it does\"\niterations = 5\n"
      "sample-interval = \"250ms\"\ntimeout = \"10m\"\n" +
      std::string(minimal_phase) +
      "[[phase]]\nname = \"short\"\ntimeout = \"30s\"\n"
      "[[phase.workload]]\ntype = \"test-dirty\"\nbytes = 1\n");
  EXPECT_EQ(plan.name, "my-test.v2");
  EXPECT_EQ(plan.description, "what it does");
  EXPECT_EQ(plan.iterations, 5);
  EXPECT_EQ(plan.sample_interval, 250ms);
  EXPECT_EQ(plan.phases.at(0).timeout, 10min);
  EXPECT_EQ(plan.phases.at(1).timeout, 30s);
}

TEST(PlanCompiler, IterationsMustBePositive) {
  EXPECT_EQ(error_of("iterations = 0\n" + std::string(minimal_phase)),
            "configs/t.toml:1:14: error: key \"iterations\": expected an integer from 1 to 10000, "
            "got 0");
  EXPECT_EQ(error_of("iterations = \"3\"\n" + std::string(minimal_phase)),
            "configs/t.toml:1:14: error: key \"iterations\": expected an integer from 1 to 10000, "
            "got \"3\"");
}

TEST(PlanCompiler, SampleIntervalHasAFloor) {
  EXPECT_EQ(error_of("sample-interval = \"50ms\"\n" + std::string(minimal_phase)),
            "configs/t.toml:1:19: error: key \"sample-interval\": expected a duration of at least "
            "100ms, got \"50ms\"");
  EXPECT_EQ(compile("sample-interval = \"100ms\"\n" + std::string(minimal_phase)).sample_interval, 100ms);
}

TEST(PlanCompiler, TimeoutsMustBePositive) {
  EXPECT_EQ(error_of("timeout = \"0s\"\n" + std::string(minimal_phase)),
            "configs/t.toml:1:11: error: key \"timeout\": expected a duration greater than 0, got "
            "\"0s\"");
  EXPECT_EQ(error_of("[[phase]]\ntimeout = 5\n[[phase.workload]]\ntype = \"test-share\"\n"),
            "configs/t.toml:2:11: error: phase \"phase-1\": key \"timeout\": expected a duration "
            "like \"10s\" or \"500ms\", got 5");
}

TEST(PlanCompiler, DescriptionMustBeAString) {
  EXPECT_EQ(error_of("description = 1\n" + std::string(minimal_phase)),
            "configs/t.toml:1:15: error: key \"description\": expected a string, got 1");
}

TEST(PlanCompiler, NoPhases) {
  EXPECT_EQ(error_of("name = \"x\"\n"),
            "configs/t.toml:1:1: error: key \"phase\": expected at least one [[phase]] table, got "
            "none");
  EXPECT_EQ(error_of("phase = []\n"),
            "configs/t.toml:1:1: error: key \"phase\": expected at least one [[phase]] table, got "
            "none");
}

TEST(PlanCompiler, PhaseWithoutWorkloads) {
  EXPECT_EQ(error_of(std::string(minimal_phase) + "[[phase]]\nname = \"idle\"\n"),
            "configs/t.toml:6:1: error: phase \"idle\": key \"workload\": expected at least one "
            "[[phase.workload]] table, got none");
}

// ---- [cgroup] -------------------------------------------------------------------

TEST(PlanCompiler, CgroupLimits) {
  TestPlan plan = compile(
      "[cgroup]\nmemory-max = \"1G\"\nmemory-high = \"90%\"\nmemory-low = \"256M\"\n"
      "memory-min = 134217728\nswap-max = \"0\"\n" +
      std::string(minimal_phase));
  EXPECT_EQ(plan.cgroup.memory_max, GiB);
  EXPECT_EQ(plan.cgroup.memory_high, GiB * 9 / 10);
  EXPECT_EQ(plan.cgroup.memory_low, 256 * MiB);
  EXPECT_EQ(plan.cgroup.memory_min, 128 * MiB);
  EXPECT_EQ(plan.cgroup.swap_max, 0);
}

TEST(PlanCompiler, MaxMeansNoLimit) {
  TestPlan plan = compile(
      "[cgroup]\nmemory-max = \"max\"\nmemory-high = \"max\"\n"
      "swap-max = \"max\"\n" +
      std::string(minimal_phase));
  EXPECT_FALSE(plan.cgroup.memory_max);
  EXPECT_FALSE(plan.cgroup.memory_high);
  EXPECT_FALSE(plan.cgroup.swap_max);
  EXPECT_EQ(error_of("[cgroup]\nmemory-low = \"max\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:14: error: [cgroup]: key \"memory-low\": expected a size like "
            "\"512M\" or \"150%\", got \"max\"");
}

TEST(PlanCompiler, MemoryMaxCannotBePercent) {
  EXPECT_EQ(error_of("[cgroup]\nmemory-max = \"50%\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:14: error: [cgroup]: key \"memory-max\": expected a size like "
            "\"512M\" or \"1.5x\" (\"%\" sizes are relative to memory-max itself), got \"50%\"");
}

TEST(PlanCompiler, LimitsLargerThanRamAreErrors) {
  EXPECT_EQ(error_of("[cgroup]\nmemory-max = \"9G\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:14: error: [cgroup]: key \"memory-max\": expected a size of at most "
            "MemTotal (8G), got \"9G\"");
  EXPECT_EQ(error_of("[cgroup]\nmemory-high = \"1.5x\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:15: error: [cgroup]: key \"memory-high\": expected a size of at "
            "most MemTotal (8G), got \"1.5x\"");
  EXPECT_EQ(compile("[cgroup]\nmemory-max = \"1x\"\n" + std::string(minimal_phase)).cgroup.memory_max, 8 * GiB);
}

TEST(PlanCompiler, LimitsMustBeOrdered) {
  EXPECT_EQ(error_of("[cgroup]\nmemory-max = \"256M\"\nmemory-high = \"512M\"\n" + std::string(minimal_phase)),
            "configs/t.toml:3:15: error: [cgroup]: key \"memory-high\": expected a size of at "
            "most memory-max (256M), got \"512M\"");
  EXPECT_EQ(error_of("[cgroup]\nmemory-min = \"64M\"\nmemory-low = \"32M\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:14: error: [cgroup]: key \"memory-min\": expected a size of at most "
            "memory-low (32M), got \"64M\"");
  // Unset limits in between do not hide a misordering.
  EXPECT_EQ(error_of("[cgroup]\nmemory-max = \"256M\"\nmemory-low = \"300M\"\n" + std::string(minimal_phase)),
            "configs/t.toml:3:14: error: [cgroup]: key \"memory-low\": expected a size of at most "
            "memory-max (256M), got \"300M\"");
}

TEST(PlanCompiler, ZeroAndNegativeLimits) {
  EXPECT_EQ(error_of("[cgroup]\nmemory-max = 0\n" + std::string(minimal_phase)),
            "configs/t.toml:2:14: error: [cgroup]: key \"memory-max\": expected a size greater "
            "than 0, got 0");
  EXPECT_EQ(compile("[cgroup]\nmemory-min = \"0\"\n" + std::string(minimal_phase)).cgroup.memory_min, 0);
  EXPECT_EQ(error_of("[cgroup]\nswap-max = \"-1G\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:12: error: [cgroup]: key \"swap-max\": expected a size of at least "
            "0, got \"-1G\"");
}

// ---- [swap] ---------------------------------------------------------------------

TEST(PlanCompiler, Swapfile) {
  TestPlan plan = compile("[swap]\nmode = \"swapfile\"\nswapfile-size = \"0.25x\"\n" + std::string(minimal_phase));
  EXPECT_EQ(plan.swap.mode, SwapMode::swapfile);
  EXPECT_EQ(plan.swap.swapfile_bytes, 2 * GiB);
  EXPECT_EQ(plan.swap.swapfile_directory, "/var/tmp");
  plan = compile(
      "[swap]\nmode = \"swapfile\"\nswapfile-size = \"1G\"\n"
      "swapfile-directory = \"/scratch\"\n" +
      std::string(minimal_phase));
  EXPECT_EQ(plan.swap.swapfile_directory, "/scratch");
}

TEST(PlanCompiler, SwapfileNeedsASize) {
  EXPECT_EQ(error_of("[swap]\nmode = \"swapfile\"\n" + std::string(minimal_phase)),
            "configs/t.toml:1:1: error: [swap]: key \"swapfile-size\": expected a size like \"1G\" "
            "or \"0.5x\" (required with mode = \"swapfile\"), got nothing");
}

TEST(PlanCompiler, SwapfileKeysOnlyWithSwapfileMode) {
  EXPECT_EQ(error_of("[swap]\nswapfile-size = \"1G\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:17: error: [swap]: key \"swapfile-size\": expected no such key "
            "unless mode = \"swapfile\", got \"1G\"");
  EXPECT_EQ(error_of("[swap]\nmode = \"none\"\nswapfile-directory = \"/tmp\"\n" + std::string(minimal_phase)),
            "configs/t.toml:3:22: error: [swap]: key \"swapfile-directory\": expected no such key "
            "unless mode = \"swapfile\", got \"/tmp\"");
}

TEST(PlanCompiler, SwapfileDirectoryMustBeAbsolute) {
  EXPECT_EQ(error_of("[swap]\nmode = \"swapfile\"\nswapfile-size = \"1G\"\n"
                     "swapfile-directory = \"tmp\"\n" +
                     std::string(minimal_phase)),
            "configs/t.toml:4:22: error: [swap]: key \"swapfile-directory\": expected an absolute "
            "directory path like \"/var/tmp\", got \"tmp\"");
}

TEST(PlanCompiler, SwapModeIsAChoice) {
  EXPECT_EQ(error_of("[swap]\nmode = \"zram\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:8: error: [swap]: key \"mode\": expected one of \"host\", \"none\" or "
            "\"swapfile\", got \"zram\"");
}

TEST(PlanCompiler, SwapModeNoneMeansSwapMaxZero) {
  TestPlan plan = compile("[swap]\nmode = \"none\"\n" + std::string(minimal_phase));
  EXPECT_EQ(plan.swap.mode, SwapMode::none);
  EXPECT_EQ(plan.cgroup.swap_max, 0);
  EXPECT_EQ(error_of("[cgroup]\nswap-max = \"1G\"\n[swap]\nmode = \"none\"\n" + std::string(minimal_phase)),
            "configs/t.toml:2:12: error: [cgroup]: key \"swap-max\": expected \"0\" or no swap-max "
            "with [swap] mode = \"none\", got \"1G\"");
}

// ---- [sysctl] -------------------------------------------------------------------

TEST(PlanCompiler, SysctlsKeepFileOrderAndBecomeStrings) {
  TestPlan plan = compile(
      "[sysctl]\nvm.swappiness = 100\n\"vm.dirty_ratio\" = 40\n"
      "kernel.numa_balancing = \"0\"\n" +
      std::string(minimal_phase));
  ASSERT_EQ(plan.sysctls.size(), 3u);
  EXPECT_EQ(plan.sysctls[0].name, "vm.swappiness");
  EXPECT_EQ(plan.sysctls[0].value, "100");
  EXPECT_EQ(plan.sysctls[1].name, "vm.dirty_ratio");
  EXPECT_EQ(plan.sysctls[1].value, "40");
  EXPECT_EQ(plan.sysctls[2].name, "kernel.numa_balancing");
  EXPECT_EQ(plan.sysctls[2].value, "0");
}

// The compaction knobs issue 15 asks for are plain [sysctl] keys: compiled,
// and allowed by the sysctl policy without --allow-sysctl (so journaled and
// restored like every other sysctl).
TEST(PlanCompiler, CompactionKnobsAreSysctlsAllowedByDefault) {
  TestPlan plan = compile(
      "[sysctl]\nvm.compaction_proactiveness = 0\nvm.extfrag_threshold = 1000\n"
      "vm.compact_unevictable_allowed = 0\nvm.watermark_scale_factor = 200\n"
      "vm.watermark_boost_factor = 0\n" +
      std::string(minimal_phase));
  ASSERT_EQ(plan.sysctls.size(), 5u);
  const char* expected[] = {"vm.compaction_proactiveness", "vm.extfrag_threshold", "vm.compact_unevictable_allowed",
                            "vm.watermark_scale_factor", "vm.watermark_boost_factor"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(plan.sysctls[i].name, expected[i]);
    EXPECT_TRUE(sysctl_allowed_by_default(plan.sysctls[i].name)) << expected[i];
  }
  EXPECT_EQ(plan.sysctls[1].value, "1000");
  EXPECT_NO_THROW(check_sysctls_allowed(plan, {}));
}

TEST(PlanCompiler, SysctlErrors) {
  EXPECT_EQ(error_of("[sysctl]\nswappiness = 100\n" + std::string(minimal_phase)),
            "configs/t.toml:2:1: error: [sysctl]: key \"swappiness\": expected a dotted sysctl "
            "name like \"vm.swappiness\", got \"swappiness\"");
  EXPECT_EQ(error_of("[sysctl]\n\"vm.Swappiness\" = 100\n" + std::string(minimal_phase)),
            "configs/t.toml:2:1: error: [sysctl]: key \"vm.Swappiness\": expected a dotted sysctl "
            "name like \"vm.swappiness\", got \"vm.Swappiness\"");
  EXPECT_EQ(error_of("[sysctl]\nvm.swappiness = true\n" + std::string(minimal_phase)),
            "configs/t.toml:2:17: error: [sysctl]: key \"vm.swappiness\": expected an integer or a "
            "one-line string, got true");
  EXPECT_EQ(error_of("[sysctl]\nvm.swappiness = 1\n\"vm.swappiness\" = 2\n" + std::string(minimal_phase)),
            "configs/t.toml:3:1: error: [sysctl]: key \"vm.swappiness\": expected each sysctl set "
            "once, got a second setting (the first is at line 2)");
}

// ---- Resolved JSON and hash -------------------------------------------------------

constexpr std::string_view full_config = R"(
name = "anon-dirty-small"
description = "dirty anonymous memory past the cgroup limit"
iterations = 3
sample-interval = "500ms"
timeout = "10m"

[cgroup]
memory-max = "256M"
swap-max = "max"

[swap]
mode = "swapfile"
swapfile-size = "1G"

[sysctl]
vm.swappiness = 100

[[phase]]
name = "dirty"
timeout = "5m"
[[phase.workload]]
type = "test-dirty"
name = "dirtier"
bytes = "150%"
run-time = "1.5s"
)";

TEST(PlanCompiler, ResolvedJsonHasEveryValueResolved) {
  TestPlan plan = compile(full_config);
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "name": "anon-dirty-small",
    "description": "dirty anonymous memory past the cgroup limit",
    "iterations": 3,
    "sample-interval": 0.5,
    "cgroup": {"memory-max": 268435456, "memory-high": null, "memory-low": null,
               "memory-min": null, "swap-max": null},
    "swap": {"mode": "swapfile", "swapfile-size": 1073741824, "swapfile-directory": "/var/tmp"},
    "sysctl": {"vm.swappiness": "100"},
    "phases": [{"name": "dirty", "timeout": 300.0, "workloads": [{
      "type": "test-dirty", "name": "dirtier",
      "params": {"bytes": 402653184, "chunk": 4096, "workers": 2, "method": "write",
                 "run-time": 1.5, "verify": false, "label": "fake"}}]}]
  })");
  EXPECT_EQ(plan.resolved, expected) << plan.resolved.dump(2);
}

TEST(PlanCompiler, ConfigHashIsStableHexAndFollowsTheResolvedConfig) {
  TestPlan plan = compile(full_config);
  EXPECT_EQ(plan.config_hash.size(), 16u);
  EXPECT_EQ(plan.config_hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  // The config resolved against the hash's fixed machine (1 PiB, 1 CPU, no swap).
  HostFacts hash_machine{.mem_total_bytes = std::int64_t{1} << 50, .swap_total_bytes = 0, .cpus = 1};
  EXPECT_EQ(plan.config_hash, config_hash(compile(full_config, hash_machine).resolved));
  EXPECT_EQ(compile(full_config).config_hash, plan.config_hash);

  // Writing the same thing differently does not change it...
  std::string respelled(full_config);
  respelled.replace(respelled.find("\"256M\""), 6, "268435456");
  respelled.replace(respelled.find("\"5m\""), 4, "\"300s\"");
  EXPECT_EQ(compile(respelled).config_hash, plan.config_hash);
  // ...writing a default out does not either...
  EXPECT_EQ(compile(std::string(full_config) + "workers = 2\n").config_hash, plan.config_hash);
  // ...but changing a value does.
  EXPECT_NE(compile(std::string(full_config) + "workers = 3\n").config_hash, plan.config_hash);
}

// Two guests of one `run` resolve "0.95x" to different byte counts: the same
// config, the same hash (compare once warned "config hash differs" for them).
TEST(PlanCompiler, ConfigHashIsTheSameOnMachinesOfDifferentSizes) {
  const std::string relative = with_params("bytes = \"0.5x\"");
  HostFacts guest_6_1{.mem_total_bytes = 1019248640, .swap_total_bytes = 0, .cpus = 2};
  HostFacts guest_6_12{.mem_total_bytes = 1013821440, .swap_total_bytes = 1013821440, .cpus = 2};
  TestPlan a = compile(relative, guest_6_1), b = compile(relative, guest_6_12);
  EXPECT_NE(a.resolved, b.resolved);
  EXPECT_EQ(a.config_hash, b.config_hash);
  EXPECT_NE(compile(with_params("bytes = \"0.25x\""), guest_6_1).config_hash, a.config_hash);
}

TEST(PlanCompiler, ConfigHashIsFnv1a64) {
  // FNV-1a 64 of "null" (the dump of an empty json value).
  EXPECT_EQ(config_hash(nlohmann::json()), "5b9bc4ba528108e4");
}

}  // namespace
}  // namespace memharness::config::testing

// ---- [vm] and [[kernel]] --------------------------------------------------------

namespace memharness::config::testing {
namespace {

TEST(PlanCompiler, VmAndKernelsCompileAndStayOutOfTheHash) {
  TestPlan plain = compile(minimal_phase);
  EXPECT_FALSE(plain.vm.memory_bytes);
  EXPECT_FALSE(plain.vm.cpus);
  EXPECT_TRUE(plain.kernels.empty());
  TestPlan plan = compile(std::string(R"([vm]
memory = "1G"
cpus = 3
timeout = "20m"
scratch-size = "2G"

[[kernel]]
name = "stock"
image = "kernels/vmlinuz"

[[kernel]]
name = "nothp"
image = "/boot/vmlinuz-6.12"
modules = "/srv/mods"
cmdline = "transparent_hugepage=never"
[kernel.sysctl]
vm.compaction_proactiveness = 0
)") + std::string(minimal_phase));
  EXPECT_EQ(plan.vm.memory_bytes, GiB);
  EXPECT_EQ(plan.vm.cpus, 3);
  EXPECT_EQ(plan.vm.timeout, 20min);
  EXPECT_EQ(plan.vm.scratch_bytes, 2 * GiB);
  ASSERT_EQ(plan.kernels.size(), 2u);
  EXPECT_EQ(plan.kernels[0].image, "configs/kernels/vmlinuz");  // relative to the config file
  EXPECT_EQ(plan.kernels[1].name, "nothp");
  EXPECT_EQ(plan.kernels[1].modules, "/srv/mods");
  EXPECT_EQ(plan.kernels[1].cmdline, "transparent_hugepage=never");
  ASSERT_EQ(plan.kernels[1].sysctls.size(), 1u);
  EXPECT_EQ(plan.kernels[1].sysctls[0].name, "vm.compaction_proactiveness");
  EXPECT_EQ(plan.kernels[1].sysctls[0].value, "0");
  EXPECT_EQ(plan.config_hash, plain.config_hash);  // the same test, whichever kernels run it
}

TEST(PlanCompiler, KernelNamedHostIsRefused) {
  EXPECT_NE(
      error_of(std::string("[[kernel]]\nname = \"host\"\nimage = \"/boot/vmlinuz\"\n") + std::string(minimal_phase))
          .find("key \"name\": expected a label matching"),
      std::string::npos);
}

}  // namespace
}  // namespace memharness::config::testing
