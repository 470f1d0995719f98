// Where a test session runs, decided before anything runs: which targets
// --kernel and [[kernel]] name, and the rules they keep together.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/runner/session_targets.h"

namespace memharness::runner {
namespace {

using targets::KernelKind;
using ::testing::HasSubstr;

config::TestPlan plan_with_kernels() {
  config::TestPlan plan;
  plan.name = "t";
  plan.kernels.push_back({.name = "mglru",
                          .image = "/boot/vmlinuz-a",
                          .modules = "/lib/modules/a",
                          .cmdline = "lru_gen=1  quiet",
                          .sysctls = {{.name = "vm.swappiness", .value = "10"}}});
  plan.kernels.push_back({.name = "classic", .image = "/boot/vmlinuz-b", .modules = {}, .cmdline = {}, .sysctls = {}});
  return plan;
}

// The usage error `f` throws; fails the test when it throws none.
std::string usage_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

std::vector<targets::KernelSpec> specs(const std::vector<std::string>& kernels) {
  return session_targets(kernels, config::TestPlan{}, "");
}

TEST(SessionTargets, NoKernelAndNoConfiguredKernelIsTheHost) {
  auto targets = specs({});
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].kind, KernelKind::host);
  EXPECT_EQ(targets[0].name, "");
}

TEST(SessionTargets, NoKernelRunsTheConfigsKernelsInOrder) {
  auto targets = session_targets({}, plan_with_kernels(), "");
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].kind, KernelKind::image);
  EXPECT_EQ(targets[0].name, "mglru");
  EXPECT_EQ(targets[0].given, "mglru");
  EXPECT_EQ(targets[0].image, "/boot/vmlinuz-a");
  EXPECT_EQ(targets[0].modules, "/lib/modules/a");
  EXPECT_EQ(targets[0].cmdline, (std::vector<std::string>{"lru_gen=1", "quiet"}));
  ASSERT_EQ(targets[0].sysctls.size(), 1u);
  EXPECT_EQ(targets[0].sysctls[0].first, "vm.swappiness");
  EXPECT_EQ(targets[0].sysctls[0].second, "10");
  EXPECT_EQ(targets[1].name, "classic");
}

TEST(SessionTargets, ABareNameTheConfigDefinesIsThatKernelAnyOtherAStoredLabel) {
  auto targets = session_targets({"classic", "last-good", "host"}, plan_with_kernels(), "");
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].kind, KernelKind::image);
  EXPECT_EQ(targets[0].image, "/boot/vmlinuz-b");
  EXPECT_EQ(targets[1].kind, KernelKind::stored);
  EXPECT_EQ(targets[1].name, "last-good");
  EXPECT_EQ(targets[2].kind, KernelKind::host);
}

TEST(SessionTargets, ALabelIsOnePlainPathComponent) {
  EXPECT_EQ(session_targets({}, config::TestPlan{}, "mine-1.2_x+y").size(), 1u);
  EXPECT_EQ(usage_error_of([] { session_targets({}, config::TestPlan{}, "../up"); }),
            "--label \"../up\": expected letters, digits and . _ + - only");
}

TEST(SessionTargets, ALabelNamesOneTargetOnly) {
  EXPECT_EQ(usage_error_of([] {
              session_targets({"A=host", "B=host"}, config::TestPlan{}, "mine");
            }),
            "--label mine: with several --kernel, name each one with --kernel NAME=PATH instead");
  // The config's kernels count too.
  EXPECT_THAT(usage_error_of([] { session_targets({}, plan_with_kernels(), "mine"); }), HasSubstr("--label mine"));
}

TEST(SessionTargets, RunsOnHostWhenATargetIsTheRunningKernel) {
  EXPECT_TRUE(runs_on_host(specs({"last-good", "A=host"})));
  EXPECT_FALSE(runs_on_host(specs({"last-good", "A=/boot/vmlinuz"})));
}

TEST(SessionTargets, IterationsAutoNeedsTwoOrMoreInterleavedTargetsOfOneKind) {
  EXPECT_NO_THROW(check_interleaved(specs({"A=host", "B=host,sysctl=vm.swappiness=1"})));
  EXPECT_NO_THROW(check_interleaved(specs({"A=/boot/a", "B=/boot/b", "C=/boot/c"})));
  for (const auto& kernels : std::vector<std::vector<std::string>>{
           {"host"}, {"A=/boot/a"}, {"A=host", "B=/boot/b"}, {"A=host", "B=host", "last-good"}})
    EXPECT_THAT(usage_error_of([&] { check_interleaved(specs(kernels)); }),
                HasSubstr("--iterations auto: needs two or more variants of the running kernel"))
        << kernels.size() << " targets, the first " << kernels.front();
}

TEST(SessionTargets, FirstIterationOtherThanOneOnlyForOneHostTarget) {
  EXPECT_NO_THROW(check_first_iteration(1, specs({"A=/boot/a", "last-good"})));
  EXPECT_NO_THROW(check_first_iteration(7, specs({"host"})));
  const std::string expected = "expected a positive number, with one host kernel (a VM's guest uses it)";
  EXPECT_EQ(usage_error_of([] { check_first_iteration(0, specs({"host"})); }), "--first-iteration 0: " + expected);
  EXPECT_EQ(usage_error_of([] {
              check_first_iteration(2, specs({"A=host", "B=host"}));
            }),
            "--first-iteration 2: " + expected);
  EXPECT_EQ(usage_error_of([] { check_first_iteration(2, specs({"A=/boot/a"})); }), "--first-iteration 2: " + expected);
}

TEST(SessionTargets, VmSettingsAreTheDefaultsUnderTheConfigUnderTheCommandLine) {
  auto defaults = vm_settings({}, {});
  EXPECT_EQ(defaults.memory_bytes, 2LL << 30);
  EXPECT_EQ(defaults.cpus, 2);
  EXPECT_EQ(defaults.scratch_bytes, 4LL << 30);
  EXPECT_FALSE(defaults.timeout);

  config::VmPlan plan{
      .memory_bytes = 1LL << 30, .cpus = 4, .timeout = std::chrono::minutes(5), .scratch_bytes = 8LL << 30};
  auto configured = vm_settings(plan, {});
  EXPECT_EQ(configured.memory_bytes, 1LL << 30);
  EXPECT_EQ(configured.cpus, 4);
  EXPECT_EQ(configured.scratch_bytes, 8LL << 30);
  EXPECT_EQ(configured.timeout, std::chrono::seconds(300));

  auto overridden = vm_settings(plan, {.memory_bytes = 3LL << 30, .cpus = 1, .timeout = std::chrono::seconds(60)});
  EXPECT_EQ(overridden.memory_bytes, 3LL << 30);
  EXPECT_EQ(overridden.cpus, 1);
  EXPECT_EQ(overridden.scratch_bytes, 8LL << 30);  // no command-line option
  EXPECT_EQ(overridden.timeout, std::chrono::seconds(60));
}

}  // namespace
}  // namespace memharness::runner
