// A test session with fakes in place of the host run and the VM rounds: which
// targets run where and in what order, what is checked before anything runs,
// what the session returns for the cli to index and compare, and how
// --iterations auto is wired around a group's run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/common/error.h"
#include "harness/results/run_manifest.h"
#include "harness/runner/test_session.h"
#include "harness/system/system_root.h"

namespace memharness::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// --iterations auto's stand-in: stops at the look it is told.
class FakeEarlyStop : public EarlyStop {
 public:
  int stop_at = 0;
  std::vector<int> asked;
  std::string describe() const override { return "looks at 2"; }
  std::optional<std::string> after_round(int rounds, const std::vector<fs::path>&) override {
    asked.push_back(rounds);
    if (rounds == stop_at) return "decided";
    return std::nullopt;
  }
  results::SequentialDesign design() const override { return {.alpha = 0.05, .alpha_per_look = 0.03, .looks = 2}; }
  std::string ending(int max_iterations) const override { return fmt::format("ended of {}\n", max_iterations); }
};

class TestSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "memharness-test-session-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    write_text(dir_ / "root/proc/sys/kernel/osrelease", "6.99-running\n");
    plan_.name = "t";
    plan_.iterations = 3;
    runners_.host = [this](const system::SystemRoot&, const HostRunRequest& request,
                           const std::vector<HostVariant>& variants, std::stop_token, std::ostream& out) {
      calls_.push_back("host");
      host_request_ = request;
      host_variants_ = variants;
      out << "host ran\n";
      if (request.stop_after_round) request.stop_after_round(1, {});
      std::vector<HostRunOutcome> outcomes;
      for (const auto& variant : variants)
        outcomes.push_back({.exit_code = variant.label == failing_ ? ExitCode::run_failed : ExitCode::success,
                            .run_directory = dir_ / "results" / variant.label / "t" / "now"});
      return outcomes;
    };
    runners_.vm_rounds = [this](const VmRoundsRequest& request, std::stop_token, std::ostream& out) {
      calls_.push_back("vm");
      vm_request_ = request;
      out << "vms ran\n";
      if (request.stop_after_round) request.stop_after_round(1, {});
      std::vector<targets::VmRunOutcome> outcomes;
      for (const auto& kernel : request.kernels) {
        const std::string& label = kernel.kernel.name;
        if (label == unbooted_) {
          outcomes.push_back({.exit_code = ExitCode::run_failed, .run_directory = {}, .failure = "interrupted"});
          continue;
        }
        bool fails = label == failing_;
        outcomes.push_back({.exit_code = fails ? ExitCode::run_failed : ExitCode::success,
                            .run_directory = dir_ / "results" / label / "t" / "now",
                            .failure = fails ? "kernel panic: oops" : ""});
      }
      return outcomes;
    };
    runners_.check_vm = [this](const targets::KernelSpec& kernel) {
      calls_.push_back("check " + kernel.given);
      if (kernel.given == unbootable_) throw environment_error("--kernel {}: no qemu", kernel.given);
    };
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A complete run stored under `label`.
  fs::path store_run(const std::string& label) {
    fs::path run = dir_ / "results" / label / "t" / "2026-12-01T00-00-00Z";
    write_text(
        run / "manifest.json",
        nlohmann::json{
            {"schema_version", results::run_schema_version}, {"status", "complete"}, {"test", "t"}, {"label", label}}
            .dump());
    return run;
  }

  TestSessionRequest request(const std::vector<std::string>& kernels, const std::string& label = "") {
    return {.plan = plan_,
            .config_file = dir_ / "t.toml",
            .targets = session_targets(kernels, plan_, label),
            .label = label,
            .iterations = {},
            .first_iteration = 1,
            .results_root = dir_ / "results",
            .state_dir = dir_ / "state",
            .vm = {},
            .allowed_sysctls = {"kernel.foo"},
            .terminal = false,
            .early_stop = nullptr,
            .runners = runners_};
  }

  SessionOutcome run(TestSessionRequest request) {
    TestSession session(root(), std::move(request));
    std::ostringstream out;
    auto outcome = session.run(stop_.get_token(), out);
    output_ = out.str();
    return outcome;
  }

  const system::SystemRoot& root() {
    if (!root_) root_.emplace(dir_ / "root");
    return *root_;
  }

  static std::vector<std::string> names(const SessionOutcome& outcome) {
    std::vector<std::string> names;
    for (const auto& t : outcome.targets) names.push_back(t.target);
    return names;
  }

  fs::path dir_;
  std::optional<system::SystemRoot> root_;
  config::TestPlan plan_;
  SessionRunners runners_;
  std::stop_source stop_;
  std::vector<std::string> calls_;
  HostRunRequest host_request_;
  std::vector<HostVariant> host_variants_;
  VmRoundsRequest vm_request_;
  std::string failing_;     // the label whose run fails
  std::string unbooted_;    // the label an interrupt keeps from its first boot
  std::string unbootable_;  // the --kernel whose VM preconditions fail
  std::string output_;
};

TEST_F(TestSessionTest, HostVariantsRunOnceInterleavedInThePlaceOfTheFirst) {
  auto stored = store_run("last-good");
  auto outcome = run(request({"A=host", "last-good", "B=host,sysctl=vm.swappiness=1"}));
  EXPECT_THAT(calls_, ElementsAre("host"));
  ASSERT_EQ(host_variants_.size(), 2u);
  EXPECT_EQ(host_variants_[0].label, "A");
  EXPECT_EQ(host_variants_[1].label, "B");
  ASSERT_EQ(host_variants_[1].sysctls.size(), 1u);
  EXPECT_EQ(host_variants_[1].sysctls[0].second, "1");
  EXPECT_EQ(output_, "host ran\n== last-good: stored results " + stored.string() + "\n");

  EXPECT_THAT(names(outcome), ElementsAre("A=host", "last-good", "B=host,sysctl=vm.swappiness=1"));
  EXPECT_TRUE(outcome.targets[1].stored);
  EXPECT_THAT(outcome.runs_made(), ElementsAre(dir_ / "results/A/t/now", dir_ / "results/B/t/now"));
  EXPECT_THAT(outcome.comparable(), ElementsAre(dir_ / "results/A/t/now", stored, dir_ / "results/B/t/now"));
  EXPECT_EQ(outcome.exit_code(), ExitCode::success);
}

TEST_F(TestSessionTest, TheHostRunGetsTheRequestsValues) {
  auto req = request({}, "mine");
  req.iterations = 5;
  req.first_iteration = 2;
  req.terminal = true;
  run(std::move(req));
  EXPECT_EQ(host_request_.iterations, 5);
  EXPECT_EQ(host_request_.first_iteration, 2);
  EXPECT_EQ(host_request_.results_root, dir_ / "results");
  EXPECT_EQ(host_request_.state_dir, dir_ / "state");
  EXPECT_EQ(host_request_.config_file, dir_ / "t.toml");
  EXPECT_TRUE(host_request_.terminal);
  EXPECT_FALSE(host_request_.stop_after_round);
  EXPECT_FALSE(host_request_.sequential);
  ASSERT_EQ(host_variants_.size(), 1u);
  EXPECT_EQ(host_variants_[0].label, "mine");  // --label names the one unnamed host run
}

TEST_F(TestSessionTest, AnUnnamedHostRunWithoutLabelIsTheRunningRelease) {
  run(request({"host"}));
  ASSERT_EQ(host_variants_.size(), 1u);
  EXPECT_EQ(host_variants_[0].label, "6.99-running");
}

TEST_F(TestSessionTest, TwoHostRunsUnderOneLabelAreRefusedBeforeAnythingRuns) {
  EXPECT_THROW(run(request({"6.99-running=host", "host"})), Error);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(TestSessionTest, AMissingStoredLabelIsRefusedBeforeAnythingRuns) {
  try {
    run(request({"host", "nowhere"}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("nowhere: neither a run directory nor a label stored under"));
  }
  EXPECT_TRUE(calls_.empty());
}

TEST_F(TestSessionTest, EveryImageIsCheckedBeforeAnythingRuns) {
  unbootable_ = "B=/boot/b";
  EXPECT_THROW(run(request({"host", "A=/boot/a", "B=/boot/b"})), Error);
  EXPECT_THAT(calls_, ElementsAre("check A=/boot/a", "check B=/boot/b"));
}

TEST_F(TestSessionTest, ImagesRunAsRoundsWithTheirLabelsAndTheSessionsSettings) {
  plan_.vm.cpus = 3;
  auto req = request({"A=/boot/a,cmdline=quiet", "B=/boot/b"});
  req.vm.memory_bytes = 1LL << 30;
  auto outcome = run(std::move(req));
  EXPECT_THAT(calls_, ElementsAre("check A=/boot/a,cmdline=quiet", "check B=/boot/b", "vm"));
  EXPECT_EQ(vm_request_.iterations, 3);  // the config's
  ASSERT_EQ(vm_request_.kernels.size(), 2u);
  const auto& a = vm_request_.kernels[0];
  EXPECT_EQ(a.kernel.name, "A");
  EXPECT_EQ(a.kernel.cmdline, std::vector<std::string>{"quiet"});
  EXPECT_EQ(a.plan, &plan_);
  EXPECT_EQ(a.results_root, dir_ / "results");
  EXPECT_EQ(a.vm.memory_bytes, 1LL << 30);
  EXPECT_EQ(a.vm.cpus, 3);
  EXPECT_THAT(a.allowed_sysctls, ElementsAre("kernel.foo"));
  // A VM run is named by its label once it has a run directory.
  EXPECT_THAT(names(outcome), ElementsAre("A", "B"));
  EXPECT_EQ(output_, "vms ran\n");
}

TEST_F(TestSessionTest, AnUnnamedImageTakesTheLabel) {
  run(request({"Z=/boot/z"}));
  EXPECT_EQ(vm_request_.kernels.at(0).kernel.name, "Z");
  calls_.clear();
  auto req = request({}, "mine");
  req.targets = {targets::parse_kernel_spec("/boot/vmlinuz-x")};
  run(std::move(req));
  EXPECT_EQ(vm_request_.kernels.at(0).kernel.name, "mine");
}

TEST_F(TestSessionTest, AFailedTargetIsNotComparedAndItsExitCodeIsTheSessions) {
  failing_ = "B";
  auto outcome = run(request({"A=/boot/a", "B=/boot/b", "C=/boot/c"}));
  ASSERT_EQ(outcome.targets.size(), 3u);
  EXPECT_EQ(outcome.targets[1].failure, "kernel panic: oops");
  EXPECT_THAT(outcome.comparable(), ElementsAre(dir_ / "results/A/t/now", dir_ / "results/C/t/now"));
  EXPECT_EQ(outcome.exit_code(), ExitCode::run_failed);

  failing_ = "Y";
  outcome = run(request({"X=host", "Y=host"}));
  EXPECT_EQ(outcome.targets[1].failure, "the host run did not complete");
  EXPECT_EQ(outcome.exit_code(), ExitCode::run_failed);
}

TEST_F(TestSessionTest, AnImageAnInterruptKeptFromBootingHasNothingToShow) {
  unbooted_ = "B";
  auto outcome = run(request({"A=/boot/a", "B=/boot/b"}));
  EXPECT_THAT(names(outcome), ElementsAre("A"));
}

TEST_F(TestSessionTest, NothingStartsOnceStopIsRequested) {
  store_run("last-good");
  stop_.request_stop();
  auto outcome = run(request({"last-good", "host"}));
  EXPECT_TRUE(outcome.targets.empty());
  EXPECT_TRUE(calls_.empty());
  EXPECT_EQ(output_, "");
}

TEST_F(TestSessionTest, AnEarlyStopIsDescribedWiredInAndItsEndingSaid) {
  FakeEarlyStop early_stop;
  early_stop.stop_at = 1;
  for (const auto& kernels : std::vector<std::vector<std::string>>{{"A=host", "B=host"}, {"A=/boot/a", "B=/boot/b"}}) {
    auto req = request(kernels);
    req.iterations = 20;
    req.early_stop = &early_stop;
    run(std::move(req));
    EXPECT_EQ(output_,
              fmt::format("memharness: looks at 2\n{} ran\nended of 20\n", kernels[0] == "A=host" ? "host" : "vms"));
  }
  EXPECT_THAT(early_stop.asked, ElementsAre(1, 1));
  ASSERT_TRUE(host_request_.sequential);
  EXPECT_EQ(host_request_.sequential->looks, 2);
  ASSERT_TRUE(vm_request_.sequential);
  EXPECT_EQ(vm_request_.sequential->alpha_per_look, 0.03);
  EXPECT_EQ(vm_request_.iterations, 20);
}

}  // namespace
}  // namespace memharness::runner
