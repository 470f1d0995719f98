// VM rounds with a fake guest in place of qemu: the order of the boots, how each
// round's iteration, console and boot record gather in the kernel's run
// directory, and what a failed round, an interrupt and an early stop leave.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/runner/vm_rounds.h"

namespace memharness::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(read_text(file)); }

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// What the fake guest does in one boot.
enum class Boot { completes, panics, is_interrupted };

// Writes what a guest's run leaves below results_root: a run directory of one
// iteration numbered as asked, its manifest with a "vm" record and a console.
class FakeGuest {
 public:
  explicit FakeGuest(std::stop_source& stop) : stop_(stop) {}

  std::map<std::pair<std::string, int>, Boot> script;  // (label, iteration) -> what happens; default completes
  std::vector<std::string> boots;                      // "A1", "B1", ... in the order booted
  std::function<void(const std::string& label, int iteration)> on_boot;

  targets::VmRunOutcome operator()(const targets::VmRunRequest& request, std::stop_token, std::ostream&) {
    const std::string& label = request.kernel.name;
    int iteration = request.first_iteration;
    EXPECT_EQ(request.iterations, 1);
    boots.push_back(label + std::to_string(iteration));
    if (on_boot) on_boot(label, iteration);
    Boot what = script.contains({label, iteration}) ? script.at({label, iteration}) : Boot::completes;
    if (what == Boot::is_interrupted) stop_.request_stop();

    fs::path run = request.results_root / label / "t" / fmt::format("2026-12-03T00-00-{:02}Z", iteration);
    fs::create_directories(run);
    write_text(run / "config.toml", "name = \"t\"\n");
    write_text(run / "console.log", fmt::format("console of {} iteration {}\n", label, iteration));
    fs::path iteration_dir = run / "iterations" / std::to_string(iteration);
    if (what == Boot::completes)
      write_text(iteration_dir / "result.json", nlohmann::json{{"iteration", iteration}}.dump());
    else
      fs::create_directories(iteration_dir);  // cut short before its record
    nlohmann::json manifest = {
        {"schema_version", 1},
        {"label", label},
        {"started_at", fmt::format("2026-12-03T00:00:{:02}Z", iteration)},
        {"iterations", {{"planned", 1}, {"completed", what == Boot::completes ? 1 : 0}}},
        {"vm",
         {{"elapsed_s", 10.0 + iteration},
          {"boot_to_workload_s", 4.0},
          {"boot_attempts", 1},
          {"timed_out", false},
          {"failed_boots", nlohmann::json::array()}}},
    };
    targets::VmRunOutcome outcome{.exit_code = ExitCode::success, .run_directory = run, .failure = ""};
    if (what == Boot::completes) {
      manifest["status"] = "complete";
    } else {
      manifest["status"] = what == Boot::panics ? "failed" : "incomplete";
      manifest["status_reason"] =
          what == Boot::panics ? "kernel panic: Kernel panic - not syncing: test" : "interrupted: the VM was stopped";
      manifest["console_excerpt"] = "the last console lines";
      outcome.exit_code = ExitCode::run_failed;
      outcome.failure = manifest["status_reason"];
    }
    write_text(run / "manifest.json", manifest.dump(2));
    return outcome;
  }

 private:
  std::stop_source& stop_;
};

class VmRoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "memharness-vm-rounds-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  VmRoundsRequest request(int iterations, const std::vector<std::string>& labels) {
    VmRoundsRequest request;
    request.iterations = iterations;
    for (const auto& label : labels) {
      targets::VmRunRequest kernel;
      kernel.kernel.name = label;
      kernel.kernel.given = label + "=/boot/vmlinuz-" + label;
      kernel.results_root = root_;
      request.kernels.push_back(kernel);
    }
    request.boot = std::ref(guest_);
    return request;
  }

  std::vector<targets::VmRunOutcome> run(const VmRoundsRequest& request) {
    std::ostringstream out;
    auto outcomes = run_vm_rounds(request, stop_.get_token(), out);
    output_ = out.str();
    return outcomes;
  }

  // Nothing but the kernels' label directories is left below the results root.
  std::vector<std::string> entries_below_root() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root_)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path root_;
  std::stop_source stop_;
  FakeGuest guest_{stop_};
  std::string output_;
};

TEST_F(VmRoundsTest, RoundsAlternateAndGatherInOneRunDirectoryPerKernel) {
  auto outcomes = run(request(4, {"A", "B"}));
  EXPECT_THAT(guest_.boots, ElementsAre("A1", "B1", "B2", "A2", "A3", "B3", "B4", "A4"));
  ASSERT_EQ(outcomes.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    std::string label = k == 0 ? "A" : "B";
    const auto& outcome = outcomes[k];
    EXPECT_EQ(outcome.exit_code, ExitCode::success);
    EXPECT_EQ(outcome.run_directory.parent_path().parent_path().filename(), label);
    auto manifest = read_json(outcome.run_directory / "manifest.json");
    EXPECT_EQ(manifest["status"], "complete");
    EXPECT_FALSE(manifest.contains("status_reason")) << manifest.dump();
    EXPECT_EQ(manifest["iterations"], (nlohmann::json{{"planned", 4}, {"completed", 4}}));
    EXPECT_EQ(manifest["interleaved"]["with"], nlohmann::json::array({k == 0 ? "B" : "A"}));
    ASSERT_EQ(manifest["vm"]["boots"].size(), 4u);
    for (int i = 1; i <= 4; ++i) {
      const auto& boot = manifest["vm"]["boots"][i - 1];
      EXPECT_EQ(boot["iteration"], i);
      EXPECT_EQ(boot["elapsed_s"], 10.0 + i);
      EXPECT_EQ(boot["started_at"], fmt::format("2026-12-03T00:00:{:02}Z", i));
      std::string console = i == 1 ? "console.log" : fmt::format("console-iteration-{}.log", i);
      EXPECT_EQ(boot["console"], console);
      EXPECT_EQ(read_text(outcome.run_directory / console), fmt::format("console of {} iteration {}\n", label, i));
      EXPECT_EQ(read_json(outcome.run_directory / "iterations" / std::to_string(i) / "result.json")["iteration"], i);
    }
  }
  EXPECT_THAT(entries_below_root(), ElementsAre("A", "B"));  // no staging directory left
  EXPECT_THAT(output_, HasSubstr("== round 4 of 4\n"));
}

TEST_F(VmRoundsTest, BetweenRoundsTheManifestSaysTheRunIsNotOver) {
  std::vector<std::string> seen;
  guest_.on_boot = [&](const std::string& label, int iteration) {
    if (label != "B" || iteration != 2) return;
    for (const auto& entry : fs::recursive_directory_iterator(root_ / "A"))
      if (entry.path().filename() == "manifest.json") {
        auto manifest = read_json(entry.path());
        seen.push_back(manifest["status"].get<std::string>() + ": " + manifest["status_reason"].get<std::string>());
      }
  };
  run(request(3, {"A", "B"}));
  EXPECT_THAT(seen, ElementsAre("incomplete: 1 of 3 iterations in; the harness that was running the rest did not "
                                "finish"));
}

TEST_F(VmRoundsTest, AKernelWhoseRoundFailsStopsThereAndTheOthersGoOn) {
  guest_.script[{"B", 3}] = Boot::panics;
  auto outcomes = run(request(4, {"A", "B"}));
  EXPECT_THAT(guest_.boots, ElementsAre("A1", "B1", "B2", "A2", "A3", "B3", "A4"));
  EXPECT_EQ(outcomes[0].exit_code, ExitCode::success);
  EXPECT_EQ(read_json(outcomes[0].run_directory / "manifest.json")["iterations"]["completed"], 4);

  EXPECT_EQ(outcomes[1].exit_code, ExitCode::run_failed);
  EXPECT_EQ(outcomes[1].failure, "iteration 3: kernel panic: Kernel panic - not syncing: test");
  auto manifest = read_json(outcomes[1].run_directory / "manifest.json");
  EXPECT_EQ(manifest["status"], "failed");
  EXPECT_EQ(manifest["status_reason"], "iteration 3: kernel panic: Kernel panic - not syncing: test");
  EXPECT_EQ(manifest["console_excerpt"], "the last console lines");
  EXPECT_EQ(manifest["iterations"]["completed"], 2);
  EXPECT_EQ(manifest["vm"]["boots"][2]["status"], "failed");
  // The failed round's console and what its iteration left are kept.
  EXPECT_THAT(read_text(outcomes[1].run_directory / "console-iteration-3.log"), HasSubstr("B iteration 3"));
  EXPECT_TRUE(fs::is_directory(outcomes[1].run_directory / "iterations" / "3"));
  EXPECT_THAT(entries_below_root(), ElementsAre("A", "B"));
}

TEST_F(VmRoundsTest, AFailedFirstRoundIsThatKernelsResult) {
  guest_.script[{"A", 1}] = Boot::panics;
  auto outcomes = run(request(2, {"A", "B"}));
  EXPECT_THAT(guest_.boots, ElementsAre("A1", "B1", "B2"));
  EXPECT_EQ(outcomes[0].exit_code, ExitCode::run_failed);
  auto manifest = read_json(outcomes[0].run_directory / "manifest.json");
  EXPECT_EQ(manifest["status"], "failed");
  EXPECT_EQ(manifest["status_reason"], "kernel panic: Kernel panic - not syncing: test");
  EXPECT_EQ(manifest["iterations"]["planned"], 2);
  EXPECT_EQ(outcomes[1].exit_code, ExitCode::success);
}

TEST_F(VmRoundsTest, AnInterruptLeavesEveryKernelIncompleteWithWhatItRecorded) {
  guest_.script[{"B", 2}] = Boot::is_interrupted;  // round 2 runs B first
  auto outcomes = run(request(4, {"A", "B"}));
  EXPECT_THAT(guest_.boots, ElementsAre("A1", "B1", "B2"));
  auto a = read_json(outcomes[0].run_directory / "manifest.json");
  EXPECT_EQ(a["status"], "incomplete");
  EXPECT_EQ(a["status_reason"], "interrupted by a signal after 1 of 4 iterations");
  EXPECT_EQ(outcomes[0].exit_code, ExitCode::run_failed);
  auto b = read_json(outcomes[1].run_directory / "manifest.json");
  EXPECT_EQ(b["status"], "incomplete");
  EXPECT_EQ(b["status_reason"], "iteration 2: interrupted: the VM was stopped");
  EXPECT_EQ(b["iterations"]["completed"], 1);
}

TEST_F(VmRoundsTest, AnEarlyStopEndsTheRunCompleteAndSaysWhy) {
  auto req = request(6, {"A", "B"});
  std::vector<int> asked;
  req.stop_after_round = [&](int rounds, const std::vector<fs::path>& dirs) -> std::optional<std::string> {
    asked.push_back(rounds);
    EXPECT_EQ(dirs.size(), 2u);
    if (rounds == 3) return "every gating metric is decided";
    return std::nullopt;
  };
  auto outcomes = run(req);
  EXPECT_THAT(asked, ElementsAre(1, 2, 3));
  EXPECT_EQ(guest_.boots.size(), 6u);
  for (const auto& outcome : outcomes) {
    auto manifest = read_json(outcome.run_directory / "manifest.json");
    EXPECT_EQ(manifest["status"], "complete");
    EXPECT_EQ(manifest["iterations"]["completed"], 3);
    EXPECT_EQ(manifest["iterations"]["planned"], 6);
    EXPECT_EQ(manifest["iterations"]["stopped_early"], "every gating metric is decided");
  }
}

TEST_F(VmRoundsTest, TwoKernelsUnderOneLabelAreRefused) {
  auto req = request(2, {"A", "A"});
  try {
    run(req);
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("are both labelled \"A\""));
  }
  EXPECT_TRUE(guest_.boots.empty());
}

TEST_F(VmRoundsTest, OneKernelBootsOncePerIteration) {
  auto outcomes = run(request(3, {"A"}));
  EXPECT_THAT(guest_.boots, ElementsAre("A1", "A2", "A3"));
  auto manifest = read_json(outcomes[0].run_directory / "manifest.json");
  EXPECT_EQ(manifest["status"], "complete");
  EXPECT_FALSE(manifest.contains("interleaved"));
  EXPECT_EQ(manifest["vm"]["boots"].size(), 3u);
}

}  // namespace
}  // namespace memharness::runner
