// Deaths and failures other than SIGKILL (crash_test.cpp), each caused from
// outside as a user or the kernel would, against the real memharness binary
// (root): SIGTERM, the reader of stdout going away (SIGPIPE), an exception in
// the sampling thread (the test hook MEMHARNESS_TEST_SAMPLER_FAILURE,
// docs/testing.md), a workload OOM-killed in its small cgroup, and a results
// file system that fills up. After each: the machine as before (sysctls,
// THP and hugetlb knobs, swap, tracefs mounts, cgroups, tracefs instances,
// scratch directories, journals), no process of the run alive, and the run
// directory saying how the run ended.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/results/run_reader.h"
#include "machine_state_fixture.h"

namespace memharness::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = MEMHARNESS_SOURCE_DIR;

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(read_file(file)); }

// The lines of `text` that contain `needle`.
std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> found;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.find(needle) != std::string::npos) found.push_back(line);
  return found;
}

// A run with something of every kind to restore: a test sysctl, a swapfile in
// the scratch parent, a test cgroup; `phases` are its [[phase]] tables.
std::string config_with(const std::string& name, const std::string& test_swappiness, int iterations,
                        const std::string& sample_interval, const std::string& phases) {
  return fmt::format(
      "name = \"{}\"\n"
      "description = \"integration test: faults\"\n"
      "iterations = {}\n"
      "sample-interval = \"{}\"\n"
      "[cgroup]\nmemory-max = \"128M\"\n"
      "[swap]\nmode = \"swapfile\"\nswapfile-size = \"64M\"\nswapfile-directory = \"{}\"\n"
      "[sysctl]\n\"vm.swappiness\" = {}\n{}",
      name, iterations, sample_interval, kScratchParent.string(), test_swappiness, phases);
}

// One phase of one worker dirtying 32M (within the 128M limit) for `duration`.
std::string dirty_phase(const std::string& name, const std::string& duration) {
  return fmt::format(
      "[[phase]]\nname = \"{}\"\n"
      "[[phase.workload]]\ntype = \"anon-dirty\"\nworkers = 1\nvm-bytes = \"32M\"\nduration = \"{}\"\n",
      name, duration);
}

// A tmpfs of `size` mounted at `path` for the object's lifetime.
class ScopedTmpfs {
 public:
  ScopedTmpfs(fs::path path, const std::string& size) : path_(std::move(path)) {
    fs::create_directories(path_);
    std::string options = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
      throw std::runtime_error(
          fmt::format("mount tmpfs ({}) on {}: {}", options, path_.string(), std::strerror(errno)));
  }
  ~ScopedTmpfs() { ::umount2(path_.c_str(), MNT_DETACH); }
  ScopedTmpfs(const ScopedTmpfs&) = delete;
  ScopedTmpfs& operator=(const ScopedTmpfs&) = delete;

 private:
  fs::path path_;
};

// The runs of these tests change swappiness to a value other than the
// machine's, so that a missing restore is visible.
class FaultsTest : public MachineStateFixture {
 protected:
  FaultsTest() : MachineStateFixture("memharness-faults-test") {}
  void SetUp() override {
    MachineStateFixture::SetUp();
    MEMHARNESS_REQUIRE_PROGRAM("mkswap");
    test_swappiness_ = knobs_before_["/proc/sys/vm/swappiness"] == "33\n" ? "34" : "33";
  }

  fs::path write_config(const std::string& text) {
    auto file = tmp_.path() / "test.toml";
    write_file(file, text);
    return file;
  }

  // The run below `results` stopped by a signal: "incomplete" for that reason,
  // as the results reader (compare, report) reads it, its iteration "interrupted".
  void expect_interrupted_run(const fs::path& results) {
    auto run = results::read_run(only_run_dir(results));
    EXPECT_EQ(run.status(), "incomplete");
    EXPECT_NE(run.manifest.status_reason.value_or("").find("interrupted by a signal"), std::string::npos)
        << run.manifest.status_reason.value_or("(none)");
    ASSERT_EQ(run.iterations.size(), 1u);
    EXPECT_EQ(run.iterations[0].status(), "interrupted");
  }

  std::string test_swappiness_;
};

// `kill -TERM` (a service manager stopping it, a CI job cancelled) in the
// middle of a quick config's workload.
TEST_F(FaultsTest, SigtermStopsTheRunRestoresTheMachineAndMarksTheRunIncomplete) {
  const fs::path results = tmp_.path() / "results";
  auto harness = start_memharness(
      {"run", (kSourceDir / "configs" / "anon-dirty-quick.toml").string(), "--results", results.string()}, env_,
      tmp_.path() / "log");
  std::vector<ProcessIdentity> processes;
  bool loaded = false;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !loaded && std::chrono::steady_clock::now() < until && !harness.poll();) {
    note_processes_of_run(harness.pid, own_cgroup_, processes);
    loaded = file_named_below(results, "stress-ng.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(loaded) << "the workload never started:\n" << read_file(tmp_.path() / "log");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  note_processes_of_run(harness.pid, own_cgroup_, processes);
  ::kill(harness.pid, SIGTERM);
  auto result = wait_noting_processes(harness, own_cgroup_, processes);

  EXPECT_EQ(result.exit_code, 4) << result.output;  // docs/runs.md: started, but interrupted
  EXPECT_NE(result.output.find("SIGTERM received"), std::string::npos) << result.output;
  expect_interrupted_run(results);
  expect_machine_as_before(harness.pid, processes);
}

// `memharness run X | head -c1`: the reader of stdout reads one byte and goes
// away; the harness's next progress line finds no reader.
TEST_F(FaultsTest, WhenTheReaderOfStdoutGoesAwayTheRunEndsThroughItsRestore) {
  auto config = write_config(config_with("pipe-reader-gone", test_swappiness_, 1, "200ms",
                                         dirty_phase("first", "4s") + dirty_phase("second", "60s")));
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  const fs::path results = tmp_.path() / "results";
  auto harness = start_memharness({"run", config.string(), "--results", results.string()}, env_,
                                  tmp_.path() / "stderr.log", pipe_fds[1]);
  ::close(pipe_fds[1]);
  std::vector<ProcessIdentity> processes;
  pollfd readable{.fd = pipe_fds[0], .events = POLLIN, .revents = 0};
  char first = 0;
  ASSERT_EQ(::poll(&readable, 1, 60'000), 1) << "nothing on stdout for 60 s:\n"
                                             << read_file(tmp_.path() / "stderr.log");
  ASSERT_EQ(::read(pipe_fds[0], &first, 1), 1);
  note_processes_of_run(harness.pid, own_cgroup_, processes);
  ::close(pipe_fds[0]);  // head -c1 has what it wanted and exits
  auto result = wait_noting_processes(harness, own_cgroup_, processes);

  EXPECT_EQ(result.exit_code, 4) << "-1 is death by a signal:\n" << result.output;
  EXPECT_NE(result.output.find("SIGPIPE received"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("internal error"), std::string::npos) << result.output;
  expect_interrupted_run(results);
  expect_machine_as_before(harness.pid, processes);
}

// An exception in the time-series sampler's thread (a /proc file its parsers
// reject, here injected after 5 samples): the iteration is recorded as failed
// with the reason, its workloads are stopped, and the run ends through its
// restore, not std::terminate.
TEST_F(FaultsTest, AnExceptionInTheSamplerThreadFailsTheIterationWithItsReason) {
  auto config = write_config(config_with("sampler-failure", test_swappiness_, 2, "200ms", dirty_phase("dirty", "60s")));
  auto env = env_;
  env["MEMHARNESS_TEST_SAMPLER_FAILURE"] = "5";
  const fs::path results = tmp_.path() / "results";
  auto harness = start_memharness({"run", config.string(), "--results", results.string()}, env, tmp_.path() / "log");
  std::vector<ProcessIdentity> processes;
  auto result = wait_noting_processes(harness, own_cgroup_, processes);

  EXPECT_EQ(result.exit_code, 4) << "-1 is death by a signal (std::terminate aborts):\n" << result.output;
  const std::string reason = "the time-series sampler stopped: failure injected after 5 samples";
  // The summary says the run failed and why, in one line each.
  EXPECT_EQ(lines_with(result.output, ": failed, 0/2 iterations complete").size(), 1u) << result.output;
  EXPECT_EQ(lines_with(result.output, "  iteration 1: " + reason).size(), 1u) << result.output;
  auto run = results::read_run(only_run_dir(results));
  EXPECT_EQ(run.status(), "failed");
  EXPECT_NE(run.manifest.status_reason.value_or("").find("iteration 1: " + reason), std::string::npos)
      << run.manifest.status_reason.value_or("(none)");
  ASSERT_EQ(run.iterations.size(), 1u) << "a failed iteration ends the run";
  const auto& record = run.iterations[0].record;
  EXPECT_EQ(record.status, "failed");
  EXPECT_NE(record.error.value_or("").find(reason), std::string::npos) << record.error.value_or("(none)");
  EXPECT_EQ(record.timeseries_samples, 5u);
  ASSERT_EQ(record.phases.size(), 1u);
  ASSERT_EQ(record.phases[0].workloads.size(), 1u);
  ASSERT_TRUE(record.phases[0].workloads[0].process);
  EXPECT_TRUE(record.phases[0].workloads[0].process->stopped) << "the 60 s workload was not stopped";
  expect_machine_as_before(harness.pid, processes);
}

// A workload far larger than its cgroup, with no swap: the kernel's OOM killer
// kills in the test cgroup, never the harness (outside it), which records the
// kill in the iteration and restores.
TEST_F(FaultsTest, AWorkloadOomKilledInItsCgroupIsRecordedAndTheHarnessRestores) {
  auto config = write_config(
      fmt::format("name = \"oom-in-cgroup\"\n"
                  "description = \"integration test: an OOM kill in the test cgroup\"\n"
                  "iterations = 1\n"
                  "sample-interval = \"200ms\"\n"
                  "[cgroup]\nmemory-max = \"64M\"\n"
                  "[sysctl]\n\"vm.swappiness\" = {}\n"
                  "[[phase]]\nname = \"oom\"\n"
                  "[[phase.workload]]\ntype = \"anon-dirty\"\nworkers = 1\nvm-bytes = \"400%\"\nrate = \"512MiB/s\"\n"
                  "duration = \"10s\"\n",
                  test_swappiness_));
  const fs::path results = tmp_.path() / "results";
  auto harness = start_memharness({"run", config.string(), "--results", results.string()}, env_, tmp_.path() / "log");
  std::vector<ProcessIdentity> processes;
  auto result = wait_noting_processes(harness, own_cgroup_, processes);

  // The dirtier was killed, so the workload failed: the run ran to its end and
  // says so (exit 4), the harness was not the one killed (that is -1).
  EXPECT_EQ(result.exit_code, 4) << result.output;
  auto run = results::read_run(only_run_dir(results));
  EXPECT_EQ(run.status(), "failed");
  ASSERT_EQ(run.iterations.size(), 1u);
  const auto& record = run.iterations[0].record;
  ASSERT_TRUE(record.oom_kills && record.oom_kills->memcg) << "this kernel counts no memcg OOM kills";
  EXPECT_GE(*record.oom_kills->memcg, 1);
  ASSERT_EQ(record.phases.size(), 1u);
  ASSERT_EQ(record.phases[0].workloads.size(), 1u);
  const auto& workload = record.phases[0].workloads[0];
  EXPECT_FALSE(workload.succeeded);
  ASSERT_TRUE(workload.process);
  EXPECT_EQ(workload.process->term_signal.value_or(0), SIGKILL) << workload.failure.value_or("");
  expect_machine_as_before(harness.pid, processes);
}

// The results root on a small tmpfs that the run's iterations fill up: one
// error line saying so, no torn file in the run directory, the manifest
// saying the run failed and why (written into the space the run reserved at
// its start), and the machine restored.
TEST_F(FaultsTest, AResultsFileSystemThatFillsUpEndsTheRunWithOneErrorAndNoTornFile) {
  const fs::path results = tmp_.path() / "results";
  // Room for the run directory's first files and the reserve, and for a few
  // iterations of snapshots and time series: each takes ~300 KiB here.
  constexpr const char* kSize = "1m";
  ScopedTmpfs tmpfs(results, kSize);
  auto config = write_config(config_with("disk-full", test_swappiness_, 100, "100ms", dirty_phase("dirty", "1s")));
  // stdout (progress, the summary) to a file of its own: the log holds only stderr.
  int stdout_fd = ::open((tmp_.path() / "stdout.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(stdout_fd, 0);
  auto harness = start_memharness({"run", config.string(), "--results", results.string()}, env_,
                                  tmp_.path() / "stderr.log", stdout_fd);
  ::close(stdout_fd);
  std::vector<ProcessIdentity> processes;
  auto result = wait_noting_processes(harness, own_cgroup_, processes);

  EXPECT_EQ(result.exit_code, 4) << result.output;
  auto errors = lines_with(result.output, "memharness: ");
  ASSERT_EQ(errors.size(), 1u) << "stderr:\n" << result.output;
  EXPECT_NE(errors[0].find("No space left on device"), std::string::npos) << errors[0];

  auto run_dir = only_run_dir(results);
  std::vector<std::string> torn;
  for (const auto& entry : fs::recursive_directory_iterator(run_dir)) {
    auto name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos || name.ends_with(".partial") || name == ".space-reserve")
      torn.push_back(entry.path().string() + " (left over)");
    else if (entry.path().extension() == ".json" &&
             nlohmann::json::parse(read_file(entry.path()), nullptr, false).is_discarded())
      torn.push_back(entry.path().string() + " (not JSON)");
  }
  EXPECT_EQ(torn, std::vector<std::string>{});
  auto manifest = read_json(run_dir / "manifest.json");
  EXPECT_EQ(manifest["status"], "failed") << manifest.dump(2);
  EXPECT_NE(manifest.value("status_reason", "").find("No space left on device"), std::string::npos) << manifest.dump(2);
  EXPECT_NO_THROW(results::read_run(run_dir));
  expect_machine_as_before(harness.pid, processes);
}

}  // namespace
}  // namespace memharness::testing
