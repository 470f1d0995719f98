// A workload's own OOM-kill and swap counters, on fake trees shaped like the
// v1 and v2 memory controllers of real kernels.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "workloads/run_counters.h"

namespace memharness::workloads {
namespace {

class FakeTree {
 public:
  FakeTree() {
    root_ = std::filesystem::temp_directory_path() / ("memharness-run-counters-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "proc");
    std::filesystem::create_directories(root_ / cgroup_path.substr(1));
  }
  ~FakeTree() { std::filesystem::remove_all(root_); }
  void write(const std::filesystem::path& relative, const std::string& text) const {
    std::ofstream(root_ / relative) << text;
  }
  system::SystemRoot system() const { return system::SystemRoot(root_); }
  // The test cgroup as the runner hands it to workloads, read through the fake root.
  std::unique_ptr<system::MemoryCgroup> cgroup(system::CgroupVersion version) const {
    return system::open_memory_cgroup(system(), version, std::string(cgroup_path));
  }
  static constexpr std::string_view cgroup_path = "/sys/fs/cgroup/memory/test";

 private:
  std::filesystem::path root_;
};

TEST(RunCounters, CgroupV2CountsOomKillsAndSwapOfTheCgroup) {
  FakeTree tree;
  tree.write("proc/vmstat", "pswpin 10\npswpout 20\noom_kill 1\n");
  tree.write("sys/fs/cgroup/memory/test/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
  tree.write("sys/fs/cgroup/memory/test/memory.stat", "anon 4096\npswpin 3\npswpout 7\n");
  auto root = tree.system();
  auto cgroup = tree.cgroup(system::CgroupVersion::v2);
  RunCounters counters(root, cgroup.get());
  tree.write("proc/vmstat", "pswpin 110\npswpout 420\noom_kill 4\n");
  tree.write("sys/fs/cgroup/memory/test/memory.events", "low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n");
  tree.write("sys/fs/cgroup/memory/test/memory.stat", "anon 4096\npswpin 53\npswpout 307\n");
  CounterMap expected = {{"memcg.oom_kill", 2},  {"memcg.pswpin", 50},   {"memcg.pswpout", 300},
                         {"vmstat.oom_kill", 3}, {"vmstat.pswpin", 100}, {"vmstat.pswpout", 400}};
  EXPECT_EQ(counters.delta(), expected);
}

TEST(RunCounters, CgroupV1HasOomKillsInOomControlAndNoSwapCounters) {
  FakeTree tree;
  tree.write("proc/vmstat", "pswpin 0\npswpout 0\noom_kill 0\n");
  // As 6.18 writes it (tests/fixtures/kernels/6.18/cgroup-v1).
  tree.write("sys/fs/cgroup/memory/test/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  tree.write("sys/fs/cgroup/memory/test/memory.stat", "cache 0\nrss 4096\nswap 0\n");
  tree.write("sys/fs/cgroup/memory/test/memory.failcnt", "0\n");
  auto root = tree.system();
  auto cgroup = tree.cgroup(system::CgroupVersion::v1);
  RunCounters counters(root, cgroup.get());
  tree.write("sys/fs/cgroup/memory/test/memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 2\n");
  auto delta = counters.delta();
  EXPECT_EQ(delta.at("memcg.oom_kill"), 2);
  EXPECT_EQ(delta.count("memcg.pswpin"), 0u);  // not available is not zero
  EXPECT_EQ(delta.count("memcg.under_oom"), 0u);
  EXPECT_EQ(delta.at("vmstat.pswpout"), 0);
}

TEST(RunCounters, AKernelWithoutTheCountersYieldsNone) {
  FakeTree tree;
  tree.write("proc/vmstat", "nr_free_pages 100\n");  // pre-4.13: no oom_kill
  auto root = tree.system();
  EXPECT_TRUE(read_run_counters(root, tree.cgroup(system::CgroupVersion::v2).get()).empty());
  EXPECT_TRUE(read_run_counters(root, tree.cgroup(system::CgroupVersion::v1).get()).empty());
  EXPECT_TRUE(read_run_counters(root, nullptr).empty());
}

TEST(RunCounters, MetricNamesUseDashes) {
  EXPECT_EQ(counter_metric_name("memcg.oom_kill"), "memcg-oom-kill");
  EXPECT_EQ(counter_metric_name("vmstat.pswpout"), "vmstat-pswpout");
}

}  // namespace
}  // namespace memharness::workloads
