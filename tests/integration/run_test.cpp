// End-to-end runs of the memharness binary on the real kernel (root): a quick
// anon-dirty run with real memcg reclaim, SIGINT mid-run, and a crash (SIGKILL)
// followed by the next run, which restores what the crash left first; the
// machine-wide lock against a second run at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "dead_run.h"
#include "harness_process.h"
#include "memcg_limit.h"
#include "require.h"

namespace memharness::testing {
namespace {

const std::filesystem::path kSourceDir = MEMHARNESS_SOURCE_DIR;

std::string swappiness() {
  std::string v = read_file("/proc/sys/vm/swappiness");
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

bool swap_active(const std::string& needle) { return read_file("/proc/swaps").find(needle) != std::string::npos; }

std::filesystem::path find_file_named(const std::filesystem::path& root, const std::string& name) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    if (entry.path().filename() == name) return entry.path();
  return {};
}

// Waits (up to 30 s) until a workload of the run under `results` has started,
// i.e. its log file exists.
bool wait_for_first_workload(const std::filesystem::path& results) {
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::filesystem::exists(results) && !find_file_named(results, "stress-ng.log").empty()) return true;
  }
  return false;
}

// A run long enough to interrupt: a small, unpressured anon-dirty for 60 s, with
// a sysctl and a swapfile to restore.
// A run of one worker dirtying 32M under a 128M limit for `duration`: it ends at
// its duration however loaded the machine is (nothing to finish by a deadline).
std::string long_config(const std::filesystem::path& swap_dir, const std::string& test_swappiness, int iterations = 3,
                        const std::string& duration = "60s") {
  return "name = \"interrupt-me\"\n"
         "description = \"integration test: a long run to interrupt\"\n"
         "iterations = " +
         std::to_string(iterations) +
         "\n"
         "sample-interval = \"200ms\"\n"
         "[cgroup]\nmemory-max = \"128M\"\n"
         "[swap]\nmode = \"swapfile\"\nswapfile-size = \"64M\"\nswapfile-directory = \"" +
         swap_dir.string() +
         "\"\n"
         "[sysctl]\n\"vm.swappiness\" = " +
         test_swappiness +
         "\n"
         "[[phase]]\nname = \"dirty\"\n"
         "[[phase.workload]]\ntype = \"anon-dirty\"\nworkers = 1\nvm-bytes = \"32M\"\nduration = \"" +
         duration + "\"\n";
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MEMHARNESS_REQUIRE_ROOT();
    MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
    env_ = {{"MEMHARNESS_STATE_DIR", (tmp_.path() / "state").string()}};
    original_swappiness_ = swappiness();
    // Differs from the current value, so that a missing restore is visible.
    test_swappiness_ = original_swappiness_ == "33" ? "34" : "33";
  }
  // The safety net when a test failed half-way: undo whatever its runs left.
  void TearDown() override {
    if (std::filesystem::exists(tmp_.path() / "state"))
      run_memharness({"restore"}, env_, tmp_.path() / "teardown-restore.log");
    if (!original_swappiness_.empty() && swappiness() != original_swappiness_)
      write_file("/proc/sys/vm/swappiness", original_swappiness_);
  }
  // Starts the long run and returns once its workload has run for a second
  // (pid -1 if it never started), so there is something to interrupt.
  RunningHarness start_long_run() {
    write_file(tmp_.path() / "long.toml", long_config(tmp_.path(), test_swappiness_));
    auto harness =
        start_memharness({"run", (tmp_.path() / "long.toml").string(), "--results", (tmp_.path() / "results").string()},
                         env_, tmp_.path() / "log");
    if (!wait_for_first_workload(tmp_.path() / "results")) {
      ::kill(harness.pid, SIGINT);
      harness.wait();
      return {};
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return harness;
  }
  std::string original_swappiness_;
  std::string test_swappiness_;
  TempDir tmp_{"memharness-run-test"};
  std::map<std::string, std::string> env_;
};

TEST_F(RunTest, QuickAnonDirtyReclaimsUnderTheLimitAndRecordsACompleteRun) {
  auto result = run_memharness({"run", (kSourceDir / "configs" / "anon-dirty-quick.toml").string(), "--kernel", "host",
                                "--label", "itest", "--results", (tmp_.path() / "results").string()},
                               env_, tmp_.path() / "log");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("Run directory: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("pswpout"), std::string::npos) << result.output;

  auto run_dir = only_run_dir(tmp_.path() / "results");
  EXPECT_EQ(run_dir.parent_path().parent_path().filename(), "itest");
  auto manifest = nlohmann::json::parse(read_file(run_dir / "manifest.json"));
  EXPECT_EQ(manifest["status"], "complete");
  EXPECT_EQ(manifest["iterations"]["completed"], 1);
  EXPECT_FALSE(manifest["machine"]["kernel"]["release"].get<std::string>().empty());
  EXPECT_EQ(manifest["config"]["hash"].get<std::string>().size(), 16u);
  EXPECT_NE(manifest["tools"]["stress-ng"].get<std::string>().find("stress-ng"), std::string::npos);
  EXPECT_EQ(manifest["sysctls_set"]["vm.swappiness"], "60");
  // The harness's own peak memory, read from its /proc/self/status as the run
  // ended: a C++ process with its libraries and the BPF skeleton is well over 1 MiB.
  ASSERT_TRUE(manifest.contains("harness_peak_rss_kb")) << manifest.dump(2);
  EXPECT_GT(manifest["harness_peak_rss_kb"].get<std::int64_t>(), 1024);
  EXPECT_TRUE(std::filesystem::exists(run_dir / "config.toml"));

  auto record = nlohmann::json::parse(read_file(run_dir / "iterations" / "1" / "result.json"));
  EXPECT_EQ(record["status"], "complete");
  const auto& workload = record["phases"][0]["workloads"][0];
  EXPECT_TRUE(workload["succeeded"].get<bool>()) << workload.dump(2);
  EXPECT_GT(workload["process"]["user_s"].get<double>() + workload["process"]["sys_s"].get<double>(), 0.0);
  // stress-ng's YAML metrics were read. Not bogo-ops > 0: stress-ng counts vm
  // bogo-ops in large units and a loaded machine completed none in 50 s of
  // dirtying (a fresh-clone run failed here); the memcg figures below show
  // the pages dirtied.
  EXPECT_TRUE(workload["metrics"].contains("vm-bogo-ops")) << workload["metrics"].dump();
  // 512 MiB dirtied in a 256 MiB limit: the limit was hit, and the cgroup's
  // pages went to swap and came back.
  EXPECT_GT(record["memcg"]["events_delta"]["max"].get<std::int64_t>(), 0) << record["memcg"].dump(2);
  EXPECT_GT(record["memcg"]["stat_delta"]["workingset_refault_anon"].get<std::int64_t>(), 0) << record["memcg"].dump(2);
  EXPECT_GT(record["vmstat_delta"]["pswpout"].get<std::int64_t>(), 0);
  EXPECT_GT(record["vmstat_delta"]["pswpin"].get<std::int64_t>(), 0);
  EXPECT_GE(record["memcg"]["peak_bytes"].get<std::int64_t>(), 200 << 20);
  EXPECT_LE(record["memcg"]["peak_bytes"].get<std::int64_t>(), memcg_peak_allowance(256LL << 20));
  for (const char* f : {"snapshots/start/proc/vmstat", "snapshots/end/proc/buddyinfo",
                        "snapshots/end/proc/pagetypeinfo", "snapshots/end/cgroup/memory.stat",
                        "workloads/anon-dirty/stress-ng.yaml", "workloads/anon-dirty/stress-ng.log"})
    EXPECT_TRUE(std::filesystem::exists(run_dir / "iterations" / "1" / f)) << f;
  auto csv = read_file(run_dir / "iterations" / "1" / "timeseries.csv");
  EXPECT_EQ(csv.rfind("time_s,vmstat.nr_free_pages", 0), 0u);
  EXPECT_GE(std::count(csv.begin(), csv.end(), '\n'), 3);

  // Everything global is back as it was.
  EXPECT_EQ(swappiness(), original_swappiness_);
  EXPECT_FALSE(swap_active("memharness-swap-"));
  EXPECT_EQ(journals_in(tmp_.path() / "state"), 0);
  EXPECT_FALSE(std::filesystem::exists(record["cgroup"]["path"].get<std::string>()));
}

TEST_F(RunTest, SigintStopsTheRunRestoresEverythingAndMarksItIncomplete) {
  auto harness = start_long_run();
  ASSERT_GT(harness.pid, 0) << read_file(tmp_.path() / "log");
  EXPECT_EQ(swappiness(), test_swappiness_);  // the test's sysctl is in force
  EXPECT_TRUE(swap_active("memharness-swap-"));
  ::kill(harness.pid, SIGINT);
  auto result = harness.wait();
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_NE(result.output.find("SIGINT received"), std::string::npos) << result.output;

  auto run_dir = only_run_dir(tmp_.path() / "results");
  auto manifest = nlohmann::json::parse(read_file(run_dir / "manifest.json"));
  EXPECT_EQ(manifest["status"], "incomplete");
  EXPECT_NE(manifest["status_reason"].get<std::string>().find("interrupted"), std::string::npos);
  auto record = nlohmann::json::parse(read_file(run_dir / "iterations" / "1" / "result.json"));
  EXPECT_EQ(record["status"], "interrupted");
  EXPECT_TRUE(record["phases"][0]["workloads"][0]["process"]["stopped"].get<bool>());

  EXPECT_EQ(swappiness(), original_swappiness_);
  EXPECT_FALSE(swap_active("memharness-swap-"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / ("memharness-swap-" + std::to_string(harness.pid))));
  EXPECT_FALSE(std::filesystem::exists(record["cgroup"]["path"].get<std::string>()));
  EXPECT_EQ(journals_in(tmp_.path() / "state"), 0);
}

// After a crash the next state-changing command restores what the dead run
// left (saying so on stderr) before it starts: nobody has to run `restore`.
TEST_F(RunTest, AfterACrashTheNextRunRestoresWhatTheDeadRunLeftFirst) {
  auto harness = start_long_run();
  ASSERT_GT(harness.pid, 0) << read_file(tmp_.path() / "log");
  ::kill(harness.pid, SIGKILL);  // a crash: nothing is restored
  harness.wait();
  ASSERT_EQ(swappiness(), test_swappiness_);

  // The next run only has to start (restoring first) and complete: a short one
  // that ends at its duration, not anon-dirty-quick, whose 20000 swapping ops
  // can miss their phase timeout on a loaded machine (exit 4, seen once).
  write_file(tmp_.path() / "short.toml", long_config(tmp_.path(), test_swappiness_, 1, "2s"));
  auto next =
      run_memharness({"run", (tmp_.path() / "short.toml").string(), "--results", (tmp_.path() / "results2").string()},
                     env_, tmp_.path() / "log2");
  EXPECT_EQ(next.exit_code, 0) << next.output;
  EXPECT_NE(next.output.find("an earlier run ended without restoring this machine"), std::string::npos) << next.output;
  EXPECT_NE(next.output.find("memharness: restore: marked the run"), std::string::npos) << next.output;
  EXPECT_EQ(swappiness(), original_swappiness_);
  EXPECT_FALSE(swap_active("memharness-swap-"));
  EXPECT_EQ(journals_in(tmp_.path() / "state"), 0);

  // The crashed run is marked incomplete, saying why.
  auto manifest = nlohmann::json::parse(read_file(only_run_dir(tmp_.path() / "results") / "manifest.json"));
  EXPECT_EQ(manifest["status"], "incomplete");
  EXPECT_NE(manifest["status_reason"].get<std::string>().find("crashed or killed"), std::string::npos);
}

// Two runs at once would restore each other's values: the second is refused,
// naming the first; the first's lock dies with it (SIGKILL) and is taken over.
TEST_F(RunTest, ASecondRunIsRefusedWhileOneRunsAndTakesOverAStaleLock) {
  auto harness = start_long_run();
  ASSERT_GT(harness.pid, 0) << read_file(tmp_.path() / "log");
  auto refused = run_memharness({"run", "anon-dirty-quick", "--results", (tmp_.path() / "results2").string()}, env_,
                                tmp_.path() / "log2");
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("another memharness is changing this machine's state (pid " +
                                std::to_string(harness.pid) + ": "),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("long.toml"), std::string::npos) << refused.output;  // its command line
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "results2"));
  // Read-only commands need no lock.
  auto listed = run_memharness({"list"}, env_, tmp_.path() / "log-list");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;

  ::kill(harness.pid, SIGKILL);
  harness.wait();
  auto restored = run_memharness({"restore"}, env_, tmp_.path() / "log3");
  EXPECT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("took over the state lock of an ended memharness (pid " + std::to_string(harness.pid)),
            std::string::npos)
      << restored.output;
  EXPECT_EQ(swappiness(), original_swappiness_);
}

}  // namespace
}  // namespace memharness::testing
