// The workloads' quick configs run for real (root): their metrics land in the
// run directory with plausible values, and bad set-ups are refused up front.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness_process.h"
#include "memcg_limit.h"
#include "require.h"

namespace memharness::testing {
namespace {

const std::filesystem::path kSourceDir = MEMHARNESS_SOURCE_DIR;

// kernbench's default tree (a macro: MEMHARNESS_REQUIRE skips or fails the test).
#define MEMHARNESS_REQUIRE_KERNEL_SOURCE()                                        \
  MEMHARNESS_REQUIRE(std::filesystem::exists("/usr/src/linux-source-6.1.tar.xz"), \
                     "needs Debian's linux-source-6.1 (ci/setup.sh installs it)")

class WorkloadRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MEMHARNESS_REQUIRE_ROOT();
    env_ = {{"MEMHARNESS_STATE_DIR", (tmp_.path() / "state").string()}};
  }
  void TearDown() override {
    if (std::filesystem::exists(tmp_.path() / "state"))
      run_memharness({"restore"}, env_, tmp_.path() / "teardown-restore.log");
  }
  // Runs one of the configs in configs/, as CI and users do.
  CommandResult run_shipped_config(const std::string& name) {
    return run_memharness(
        {"run", (kSourceDir / "configs" / (name + ".toml")).string(), "--results", (tmp_.path() / "results").string()},
        env_, tmp_.path() / "log");
  }
  // Runs a config given as text, as a user would from a file.
  CommandResult run_config(const std::string& toml) {
    write_file(tmp_.path() / "test.toml", toml);
    return run_memharness(
        {"run", (tmp_.path() / "test.toml").string(), "--results", (tmp_.path() / "results").string()}, env_,
        tmp_.path() / "log");
  }
  // iterations/N of the single run under results/.
  std::filesystem::path only_iteration_dir(int iteration = 1) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp_.path() / "results"))
      if (entry.path().filename() == "result.json" &&
          entry.path().parent_path().filename() == std::to_string(iteration))
        return entry.path().parent_path();
    ADD_FAILURE() << "no result.json";
    return {};
  }
  // The result.json of the single run under results/.
  nlohmann::json only_iteration_record(int iteration = 1) {
    auto dir = only_iteration_dir(iteration);
    return dir.empty() ? nlohmann::json() : nlohmann::json::parse(read_file(dir / "result.json"));
  }
  TempDir tmp_{"memharness-workload-test"};
  std::map<std::string, std::string> env_;
};

TEST_F(WorkloadRunTest, DdWritebackQuickRecordsThroughputPerThreadCountAndCleansUp) {
  MEMHARNESS_REQUIRE_PROGRAM("dd");
  auto result = run_shipped_config("dd-writeback-quick");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& workload = record["phases"][0]["workloads"][0];
  ASSERT_TRUE(workload["succeeded"].get<bool>()) << workload.dump(2);
  for (int threads : {2, 4, 8}) {
    auto prefix = "threads-" + std::to_string(threads);
    EXPECT_GT(workload["metrics"][prefix + "-mb-per-s"].get<double>(), 0.0) << prefix;
    EXPECT_GT(workload["metrics"][prefix + "-elapsed-s"].get<double>(), 0.0) << prefix;
  }
  EXPECT_EQ(workload["details"]["steps"].size(), 3u);
  EXPECT_EQ(workload["details"]["steps"][2]["bytes"].get<std::int64_t>(), 1024LL << 20);
  // 1 GiB of dirty page cache per step through a 128 MiB limit: the limit is hit.
  EXPECT_GT(record["memcg"]["events_delta"]["max"].get<std::int64_t>(), 0) << record["memcg"].dump(2);
  EXPECT_LE(record["memcg"]["peak_bytes"].get<std::int64_t>(), memcg_peak_allowance(128LL << 20));
  // Its scratch directory is gone. (Named in the record: other runs on a shared
  // machine may have theirs in /var/tmp at the same time.)
  auto scratch = workload["details"]["scratch_directory"].get<std::string>();
  EXPECT_EQ(std::filesystem::path(scratch).parent_path(), "/var/tmp");
  EXPECT_FALSE(std::filesystem::exists(scratch)) << scratch;
  EXPECT_NE(result.output.find("dd-writeback threads-8-mb-per-s"), std::string::npos) << result.output;
}

TEST_F(WorkloadRunTest, AKilledRunsScratchDirectoryIsRemovedByRestore) {
  MEMHARNESS_REQUIRE_PROGRAM("dd");
  const auto parent = tmp_.path() / "scratch";
  std::filesystem::create_directories(parent);
  write_file(tmp_.path() / "test.toml",
             "[cgroup]\nmemory-max = \"128M\"\n[[phase]]\n[[phase.workload]]\ntype = \"dd-writeback\"\n"
             "min-threads = 1\nmax-threads = 1\ntotal = \"800%\"\ndirectory = \"" +
                 parent.string() + "\"\n");
  auto harness =
      start_memharness({"run", (tmp_.path() / "test.toml").string(), "--results", (tmp_.path() / "results").string()},
                       env_, tmp_.path() / "log");
  // Wait until dd is writing into the workload's scratch directory.
  std::filesystem::path scratch;
  for (int i = 0; i < 300 && scratch.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (const auto& entry : std::filesystem::recursive_directory_iterator(parent))
      if (entry.is_regular_file()) scratch = entry.path().parent_path().parent_path();
  }
  ::kill(harness.pid, SIGKILL);  // a crash: the harness removes nothing itself
  auto killed = harness.wait();
  ASSERT_FALSE(scratch.empty()) << killed.output;
  EXPECT_EQ(scratch.parent_path(), parent);
  EXPECT_EQ(scratch.filename().string().rfind("memharness-dd-", 0), 0u) << scratch;
  ASSERT_TRUE(std::filesystem::exists(scratch));  // what a crash leaves behind

  auto restored = run_memharness({"restore"}, env_, tmp_.path() / "restore.log");
  EXPECT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("removed scratch directory " + scratch.string()), std::string::npos)
      << restored.output;
  EXPECT_FALSE(std::filesystem::exists(scratch));
  EXPECT_TRUE(std::filesystem::is_empty(parent));
}

TEST_F(WorkloadRunTest, DdWritebackRefusesToStartWithoutTheSpaceItNeeds) {
  // 100x MemTotal per step: no test machine has that much free disk.
  auto result = run_config(
      "[cgroup]\nmemory-max = \"128M\"\n[[phase]]\n[[phase.workload]]\ntype = \"dd-writeback\"\n"
      "min-threads = 1\nmax-threads = 1\ntotal = \"100x\"\ndirectory = \"" +
      tmp_.path().string() + "\"\n");
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("workload \"dd-writeback\": " + tmp_.path().string() + " has "), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("lower `total` or choose another `directory`"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "results"));  // nothing created
}

TEST_F(WorkloadRunTest, DdWritebackRejectsMoreMinThanMaxThreads) {
  auto result = run_config(
      "[cgroup]\nmemory-max = \"128M\"\n[[phase]]\n[[phase.workload]]\ntype = \"dd-writeback\"\n"
      "min-threads = 8\nmax-threads = 4\n");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("key \"min-threads\": expected at most max-threads (4), got 8"), std::string::npos)
      << result.output;
}

TEST_F(WorkloadRunTest, KernbenchQuickBuildsDebiansKernelUnderTheLimit) {
  MEMHARNESS_REQUIRE_PROGRAM("make");
  MEMHARNESS_REQUIRE_KERNEL_SOURCE();
  auto result = run_shipped_config("kernbench-quick");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& workload = record["phases"][0]["workloads"][0];
  ASSERT_TRUE(workload["succeeded"].get<bool>()) << workload.dump(2);
  EXPECT_GT(workload["metrics"]["build-1-elapsed-s"].get<double>(), 1.0);
  EXPECT_GT(workload["metrics"]["build-1-sys-s"].get<double>(), 0.0);
  // The compiler's children are counted: user time spans the whole make tree.
  // make itself spends 2.5 s of user time on mm/ when there is nothing to
  // compile, the 46 compiles of mm/ 42 s (measured here). CPU time, unlike a
  // share of the wall clock, does not depend on how loaded the machine is.
  EXPECT_GT(workload["metrics"]["build-1-user-s"].get<double>(), 10.0);
  // The preparation ran before the timed build and is recorded step by step:
  // the build compiled mm/ and none of what `make prepare` generates (the
  // asm-offsets header, modpost).
  const auto& preparation = workload["preparation"];
  ASSERT_TRUE(preparation["succeeded"].get<bool>()) << preparation.dump(2);
  std::vector<std::string> steps;
  for (const auto& step : preparation["steps"]) steps.push_back(step["step"].get<std::string>());
  EXPECT_EQ(steps, (std::vector<std::string>{"source tree", "build directory", "make tinyconfig", "make prepare"}));
  EXPECT_GT(preparation["user_s"].get<double>(), 0.0);
  EXPECT_GT(record["preparation_s"].get<double>(), 0.0);
  const auto log_dir = only_iteration_dir() / "workloads" / "kernbench";
  const auto build_log = read_file(log_dir / "make-build-1.log");
  EXPECT_NE(build_log.find("CC      mm/page_alloc.o"), std::string::npos) << build_log;
  const auto prepare_log = read_file(log_dir / "make-prepare.log");
  for (const char* generated : {"arch/x86/kernel/asm-offsets.s", "scripts/mod/modpost"}) {
    EXPECT_EQ(build_log.find(generated), std::string::npos) << generated << "\n" << build_log;
    EXPECT_NE(prepare_log.find(generated), std::string::npos) << generated << "\n" << prepare_log;
  }
  EXPECT_LE(record["memcg"]["peak_bytes"].get<std::int64_t>(), memcg_peak_allowance(512LL << 20));
  auto build_dir = workload["details"]["build_directory"].get<std::string>();
  EXPECT_EQ(std::filesystem::path(build_dir).parent_path(), "/var/tmp");
  EXPECT_FALSE(std::filesystem::exists(build_dir)) << build_dir;
}

TEST_F(WorkloadRunTest, KernbenchRejectsASourceThatIsNotAKernelTree) {
  auto result = run_config(
      "[cgroup]\nmemory-max = \"512M\"\n[[phase]]\n[[phase.workload]]\ntype = \"kernbench\"\n"
      "source = \"" +
      tmp_.path().string() + "\"\n");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("key \"source\": expected \"debian\" or a Linux source tree"), std::string::npos)
      << result.output;
}

std::int64_t nr_hugepages() { return std::stoll(read_file("/proc/sys/vm/nr_hugepages")); }

TEST_F(WorkloadRunTest, HighallocQuickRecordsEveryPassAndRestoresThePool) {
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  MEMHARNESS_REQUIRE(std::filesystem::exists("/proc/sys/vm/nr_hugepages"), "needs hugetlb (CONFIG_HUGETLBFS)");
  const auto pool_before = nr_hugepages();
  auto result = run_shipped_config("stress-highalloc-quick");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& workload = record["phases"][0]["workloads"][0];
  ASSERT_TRUE(workload["succeeded"].get<bool>()) << workload.dump(2);
  for (const char* pass : {"pass1", "pass2", "at-rest"}) {
    std::string p = pass;
    double success = workload["metrics"][p + "-success-pct"].get<double>();
    EXPECT_GE(success, 0.0) << p;
    EXPECT_LE(success, 100.0) << p;
    EXPECT_GT(workload["metrics"][p + "-latency-p50-ms"].get<double>(), 0.0) << p;
    EXPECT_LE(workload["metrics"][p + "-latency-p50-ms"].get<double>(),
              workload["metrics"][p + "-latency-p99-ms"].get<double>())
        << p;
    EXPECT_LE(workload["metrics"][p + "-latency-p99-ms"].get<double>(),
              workload["metrics"][p + "-latency-max-ms"].get<double>())
        << p;
  }
  EXPECT_EQ(workload["details"]["method"], "hugetlb");
  EXPECT_EQ(workload["details"]["passes"][0]["attempts"].get<int>(), 32);  // 64 MiB of 2 MiB pages
  EXPECT_EQ(nr_hugepages(), pool_before);
}

TEST_F(WorkloadRunTest, HighallocThpQuickVerifiesHugeMappingsPerPass) {
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  MEMHARNESS_REQUIRE(std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"),
                     "needs transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE)");
  const auto enabled_before = read_file("/sys/kernel/mm/transparent_hugepage/enabled");
  const auto defrag_before = read_file("/sys/kernel/mm/transparent_hugepage/defrag");
  auto result = run_shipped_config("stress-highalloc-thp-quick");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& workload = record["phases"][0]["workloads"][0];
  ASSERT_TRUE(workload["succeeded"].get<bool>()) << workload.dump(2);
  EXPECT_EQ(workload["details"]["method"], "thp");
  for (const auto& pass : workload["details"]["passes"]) {
    EXPECT_EQ(pass["attempts"].get<int>(), 32) << pass.dump();  // 64 MiB of 2 MiB pages
    EXPECT_LE(pass["successes"].get<int>(), 32) << pass.dump();
    EXPECT_GT(pass["elapsed_s"].get<double>(), 0.0) << pass.dump();
    std::string p = pass["pass"];
    EXPECT_DOUBLE_EQ(workload["metrics"][p + "-success-pct"].get<double>(), 100.0 * pass["successes"].get<int>() / 32.0)
        << p;
    EXPECT_GT(workload["metrics"][p + "-latency-p50-ms"].get<double>(), 0.0) << p;
  }
  // The knobs were written through the journal and are as they were.
  EXPECT_NE(workload["details"]["thp_enabled"].get<std::string>().find("[madvise]"), std::string::npos);
  EXPECT_EQ(read_file("/sys/kernel/mm/transparent_hugepage/enabled"), enabled_before);
  EXPECT_EQ(read_file("/sys/kernel/mm/transparent_hugepage/defrag"), defrag_before);
}

TEST_F(WorkloadRunTest, InterruptedHighallocLeavesNrHugepagesAsItFoundIt) {
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  const auto pool_before = nr_hugepages();
  auto harness = start_memharness({"run", (kSourceDir / "configs" / "stress-highalloc-quick.toml").string(),
                                   "--results", (tmp_.path() / "results").string()},
                                  env_, tmp_.path() / "log");
  // Wait until Pass 1 has grown the pool, then interrupt.
  bool grown = false;
  for (int i = 0; i < 300 && !grown; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    grown = nr_hugepages() > pool_before + 2;
  }
  ::kill(harness.pid, SIGINT);
  auto result = harness.wait();
  ASSERT_TRUE(grown) << result.output;
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_EQ(nr_hugepages(), pool_before);
  auto record = only_iteration_record();
  auto scratch = record["phases"][0]["workloads"][0]["details"]["scratch_directory"].get<std::string>();
  EXPECT_FALSE(std::filesystem::exists(scratch)) << scratch;
}

// The load's directory is data: a name with quotes and a command substitution
// in it is written into as it is, never run (it ran as root through `sh -c`).
TEST_F(WorkloadRunTest, HighallocsFileLoadTakesTheDirectoryAsDataNotAsShell) {
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  MEMHARNESS_REQUIRE(std::filesystem::exists("/proc/sys/vm/nr_hugepages"), "needs hugetlb (CONFIG_HUGETLBFS)");
  const auto parent = tmp_.path() / "it's a \"$(touch pwned)\" dir";
  std::filesystem::create_directories(parent);
  std::string toml_path;  // a TOML basic string: quotes and backslashes escaped
  for (char c : parent.string()) toml_path += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  auto result = run_config(
      "[cgroup]\nmemory-max = \"256M\"\n[[phase]]\n[[phase.workload]]\ntype = \"highalloc\"\n"
      "attempt = \"8M\"\nload = \"100%\"\nload-anon-percent = 0\nload-warmup = \"2s\"\n"
      "directory = \"" +
      toml_path + "\"\n");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp_.path()))
    EXPECT_NE(entry.path().filename(), "pwned") << "the directory name ran as a command: " << entry.path();
  auto dir = only_iteration_dir();
  std::filesystem::path log;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.path().filename() == "load-dd.log") log = entry.path();
  ASSERT_FALSE(log.empty()) << "the dd load never ran";
  EXPECT_EQ(read_file(log), "") << "dd failed to write into " << parent;
  auto record = only_iteration_record();
  auto scratch = record["phases"][0]["workloads"][0]["details"]["scratch_directory"].get<std::string>();
  EXPECT_EQ(std::filesystem::path(scratch).parent_path(), parent);
  EXPECT_FALSE(std::filesystem::exists(scratch)) << scratch;
}

// The phase timeout bounds highalloc too: a warm-up longer than the phase
// ends at it, no pass begins after it, and the workload fails saying so
// (the warm-up ran on past it, then every pass, with the load already killed).
TEST_F(WorkloadRunTest, HighallocStopsAtThePhaseTimeoutAndSaysSo) {
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  MEMHARNESS_REQUIRE(std::filesystem::exists("/proc/sys/vm/nr_hugepages"), "needs hugetlb (CONFIG_HUGETLBFS)");
  const auto pool_before = nr_hugepages();
  auto result = run_config(
      "timeout = \"3s\"\n[cgroup]\nmemory-max = \"256M\"\n[[phase]]\n[[phase.workload]]\ntype = \"highalloc\"\n"
      "attempt = \"8M\"\nload = \"100%\"\nload-warmup = \"10m\"\n");
  EXPECT_NE(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& workload = record["phases"][0]["workloads"][0];
  EXPECT_FALSE(workload["succeeded"].get<bool>()) << workload.dump(2);
  EXPECT_NE(workload.value("failure", "").find("the phase timeout came before the passes were done"), std::string::npos)
      << workload.dump(2);
  EXPECT_EQ(workload["details"]["warmup"].value("ended_by", ""), "deadline") << workload["details"].dump(2);
  EXPECT_TRUE(workload["details"]["passes"].empty()) << workload["details"].dump(2);
  EXPECT_EQ(nr_hugepages(), pool_before);
}

TEST_F(WorkloadRunTest, HighallocRefusesALargeAttemptUnlessTheScopeIsTheMachine) {
  auto result = run_config(
      "[cgroup]\nmemory-max = \"256M\"\n[[phase]]\n[[phase.workload]]\ntype = \"highalloc\"\n"
      "attempt = \"0.5x\"\n");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("a cgroup limit does not confine it"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("set scope = \"machine\""), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "results"));
}

// Journals left in a state directory: none once a run restored everything it
// changed (its swapfile, sysctls, cgroups).
int journals_in(const std::filesystem::path& state_dir) {
  int n = 0;
  if (std::filesystem::exists(state_dir))
    for (const auto& entry : std::filesystem::directory_iterator(state_dir))
      n += entry.path().filename().string().starts_with("journal-") ? 1 : 0;
  return n;
}

TEST_F(WorkloadRunTest, PressureOomQuickRunsTheMixAndCountsOomKills) {
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  MEMHARNESS_REQUIRE_PROGRAM("make");
  MEMHARNESS_REQUIRE_PROGRAM("mkswap");
  MEMHARNESS_REQUIRE_KERNEL_SOURCE();
  auto result = run_shipped_config("pressure-oom-quick");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& workload = record["phases"][0]["workloads"][0];
  ASSERT_TRUE(workload["succeeded"].get<bool>()) << workload.dump(2);
  const auto& metrics = workload["metrics"];
  // One build per CPU, two dd writers and two dirtiers per CPU.
  const auto cpus = workload["details"]["cpus"].get<int>();
  const auto& components = workload["details"]["components"];
  EXPECT_EQ(components.size(), static_cast<std::size_t>(cpus) + 2) << components.dump(2);
  for (int i = 1; i <= cpus; ++i) {
    auto name = "kernbench-" + std::to_string(i);
    ASSERT_TRUE(components.contains(name)) << name;
    EXPECT_TRUE(metrics.contains(name + "-survived")) << name;
  }
  EXPECT_EQ(components["dd-writeback"]["details"]["steps"][0]["threads"].get<int>(), 2 * cpus);
  EXPECT_NE(std::find(components["anon-dirty"]["details"]["command"].begin(),
                      components["anon-dirty"]["details"]["command"].end(), std::to_string(2 * cpus)),
            components["anon-dirty"]["details"]["command"].end());
  // Each component really ran: dd wrote, stress-ng dirtied, the builds used CPU.
  EXPECT_GT(metrics["dd-writeback-bytes-written-mib"].get<double>(), 0.0);
  // (Not vm bogo-ops > 0: stress-ng counts them in large units, and a loaded
  // machine completed none while dirtying for 50 s. The dirtiers' CPU time is
  // their work.)
  EXPECT_GT(components["anon-dirty"]["user_s"].get<double>() + components["anon-dirty"]["sys_s"].get<double>(), 0.0)
      << components["anon-dirty"].dump(2);
  EXPECT_GT(components["kernbench-1"]["user_s"].get<double>() + components["kernbench-1"]["sys_s"].get<double>(), 0.0);
  // The builds were prepared before the window (tree, tinyconfig, make
  // prepare), so each really compiled in it: a build completed or was cut short.
  for (int i = 1; i <= cpus; ++i) {
    const auto& kernbench = components["kernbench-" + std::to_string(i)];
    EXPECT_TRUE(kernbench["succeeded"].get<bool>()) << kernbench.dump(2);
    ASSERT_EQ(kernbench["preparation"].size(), 4u) << kernbench.dump(2);
    EXPECT_EQ(kernbench["preparation"][3]["step"], "kernbench-" + std::to_string(i) + ": make prepare");
    EXPECT_TRUE(metrics["kernbench-" + std::to_string(i) + "-builds-completed"].get<int>() > 0 ||
                kernbench["details"].contains("build_cut_short"))
        << kernbench.dump(2);
  }
  EXPECT_EQ(workload["preparation"]["steps"].size(), 4u * static_cast<std::size_t>(cpus));
  // Survival and OOM kills, for the run and for the iteration.
  EXPECT_GE(metrics["survived-pct"].get<double>(), 0.0);
  EXPECT_LE(metrics["survived-pct"].get<double>(), 100.0);
  EXPECT_EQ(metrics["all-survived"].get<int>(), metrics["survived-pct"].get<double>() == 100.0 ? 1 : 0);
  // vmstat's oom_kill counts every OOM kill, the cgroup's among them.
  EXPECT_GE(metrics["vmstat-oom-kill"].get<std::int64_t>(), metrics["memcg-oom-kill"].get<std::int64_t>());
  ASSERT_TRUE(record["oom_kills"]["memcg"].is_number()) << record["oom_kills"].dump();
  EXPECT_GE(record["oom_kills"]["memcg"].get<std::int64_t>(), metrics["memcg-oom-kill"].get<std::int64_t>());
  // Anonymous memory of the whole limit beside builds and page cache: it swaps.
  EXPECT_GT(metrics["vmstat-pswpout"].get<std::int64_t>(), 0);
  EXPECT_LE(record["memcg"]["peak_bytes"].get<std::int64_t>(), memcg_peak_allowance(512LL << 20));
  EXPECT_EQ(journals_in(tmp_.path() / "state"), 0);  // the swapfile was removed
  EXPECT_FALSE(std::filesystem::exists(components["dd-writeback"]["details"]["scratch_directory"].get<std::string>()));
  EXPECT_FALSE(std::filesystem::exists(components["kernbench-1"]["details"]["build_directory"].get<std::string>()));
}

// A load that ran but did nothing is not a result: the iteration fails and
// says which workload and why. A dirtier paced at 1 KiB/s for 2 s never has a
// page's worth of budget, whatever the machine.
TEST_F(WorkloadRunTest, AWorkloadThatDidNoWorkFailsTheIteration) {
  auto result = run_config(
      "[cgroup]\nmemory-max = \"64M\"\n[[phase]]\n[[phase.workload]]\ntype = \"anon-dirty\"\n"
      "workers = 1\nvm-bytes = \"4M\"\nrate = \"1K/s\"\nduration = \"2s\"\n");
  EXPECT_EQ(result.exit_code, 4) << result.output;
  auto record = only_iteration_record();
  EXPECT_EQ(record["status"], "failed");
  const auto& workload = record["phases"][0]["workloads"][0];
  EXPECT_FALSE(workload["succeeded"].get<bool>()) << workload.dump(2);
  EXPECT_EQ(workload["failure"].get<std::string>().rfind("did no work: the dirtier dirtied no page in ", 0), 0u)
      << workload.dump(2);
  EXPECT_TRUE(workload["details"].contains("no_work")) << workload.dump(2);
  EXPECT_EQ(workload["metrics"]["pages-dirtied"].get<std::int64_t>(), 0);
  EXPECT_NE(result.output.find("did no work"), std::string::npos) << result.output;
}

TEST_F(WorkloadRunTest, PressureOomRejectsAHeadStartAsLongAsTheRun) {
  auto result = run_config(
      "[cgroup]\nmemory-max = \"512M\"\n[[phase]]\n[[phase.workload]]\ntype = \"pressure-oom\"\n"
      "duration = \"30s\"\ncompile-head-start = \"30s\"\n");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("workload \"pressure-oom\": key \"compile-head-start\": expected less than `duration`"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "results"));
}

}  // namespace
}  // namespace memharness::testing

namespace memharness::testing {
namespace {

TEST_F(WorkloadRunTest, AnonDirtyWithARateDirtiesAtItAndReclaimsBeyondTheLimit) {
  MEMHARNESS_REQUIRE_PROGRAM("mkswap");
  auto result = run_shipped_config("anon-dirty-rate-quick");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto record = only_iteration_record();
  const auto& within = record["phases"][0]["workloads"][0];
  const auto& beyond = record["phases"][1]["workloads"][0];
  ASSERT_TRUE(within["succeeded"].get<bool>()) << within.dump(2);
  ASSERT_TRUE(beyond["succeeded"].get<bool>()) << beyond.dump(2);
  // Our dirtier ran, not stress-ng, inside the test cgroup with its rusage counted.
  EXPECT_EQ(within["details"]["command"][1], "internal-dirty-anon");
  EXPECT_GT(within["process"]["user_s"].get<double>() + within["process"]["sys_s"].get<double>(), 0.0);
  // Within the limit nothing holds it back: the achieved rate is the target's.
  const auto& paced = within["metrics"];
  EXPECT_EQ(paced["target-rate-mib-per-s"].get<double>(), 64.0);
  EXPECT_NEAR(paced["dirty-rate-mib-per-s"].get<double>(), 64.0, 6.4) << paced.dump(2);
  EXPECT_GT(paced["dirty-passes"].get<double>(), 2.0);  // 64 MiB mapped, re-dirtied in a loop
  EXPECT_EQ(paced["pages-dirtied"].get<std::int64_t>() * 4096,
            static_cast<std::int64_t>(paced["dirtied-mib"].get<double>() * 1048576.0));
  // Beyond the limit: more than the limit dirtied, pages pushed to swap, the
  // limit hit and kept, and the time behind schedule recorded (reclaim stalls
  // may slow the dirtier, so its rate is not asserted here).
  const auto& reclaimed = beyond["metrics"];
  EXPECT_GT(reclaimed["dirtied-mib"].get<double>(), 256.0) << reclaimed.dump(2);
  EXPECT_GT(reclaimed["vmstat-pswpout"].get<std::int64_t>(), 0) << reclaimed.dump(2);
  // Behind schedule by at most the time it ran (per worker).
  EXPECT_GE(reclaimed["behind-schedule-s"].get<double>(), 0.0);
  EXPECT_LE(reclaimed["behind-schedule-s"].get<double>(), reclaimed["dirty-elapsed-s"].get<double>())
      << reclaimed.dump(2);
  EXPECT_GT(record["memcg"]["events_delta"]["max"].get<std::int64_t>(), 0) << record["memcg"].dump(2);
  EXPECT_GT(record["memcg"]["stat_delta"]["workingset_refault_anon"].get<std::int64_t>(), 0) << record["memcg"].dump(2);
  EXPECT_LE(record["memcg"]["peak_bytes"].get<std::int64_t>(), memcg_peak_allowance(256LL << 20));
  EXPECT_EQ(journals_in(tmp_.path() / "state"), 0);  // the swapfile was removed
}

}  // namespace
}  // namespace memharness::testing
