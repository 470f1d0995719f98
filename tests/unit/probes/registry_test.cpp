// The probe registry drives the snapshots, the time series and `list`: the
// probes that were hard-coded before it keep their files and their columns
// in their places, and each says what it records and when it cannot.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "harness/system/system_root.h"
#include "probes/registry.h"
#include "probes/samplers/timeseries_sampler.h"

namespace memharness::probes {
namespace {

TEST(ProbeRegistry, TheTimeSeriesStartsWithTheColumnsItAlwaysHad) {
  const std::vector<std::string> before_the_registry = {"time_s",
                                                        "vmstat.nr_free_pages",
                                                        "vmstat.nr_dirty",
                                                        "vmstat.nr_writeback",
                                                        "vmstat.pgscan_kswapd",
                                                        "vmstat.pgscan_direct",
                                                        "vmstat.pgscan_anon",
                                                        "vmstat.pgscan_file",
                                                        "vmstat.pgsteal_kswapd",
                                                        "vmstat.pgsteal_direct",
                                                        "vmstat.allocstall_normal",
                                                        "vmstat.allocstall_movable",
                                                        "vmstat.pswpin",
                                                        "vmstat.pswpout",
                                                        "vmstat.nr_vmscan_write",
                                                        "vmstat.compact_stall",
                                                        "vmstat.compact_success",
                                                        "vmstat.compact_fail",
                                                        "vmstat.workingset_refault_anon",
                                                        "vmstat.workingset_refault_file",
                                                        "vmstat.pgmajfault",
                                                        "vmstat.oom_kill",
                                                        "meminfo.MemFree_bytes",
                                                        "meminfo.MemAvailable_bytes",
                                                        "meminfo.Cached_bytes",
                                                        "meminfo.Dirty_bytes",
                                                        "meminfo.Writeback_bytes",
                                                        "meminfo.SwapFree_bytes",
                                                        "psi.some_total_us",
                                                        "psi.full_total_us",
                                                        "psi.some_avg10",
                                                        "psi.full_avg10",
                                                        "memcg.usage_bytes"};
  auto columns = TimeSeriesSampler::columns();
  ASSERT_GE(columns.size(), before_the_registry.size());
  EXPECT_EQ(std::vector<std::string>(columns.begin(), columns.begin() + static_cast<long>(before_the_registry.size())),
            before_the_registry);
  std::set<std::string> unique(columns.begin(), columns.end());
  EXPECT_EQ(unique.size(), columns.size()) << "a column name is used twice";
}

TEST(ProbeRegistry, SnapshotsKeepTheFilesTheyAlwaysKept) {
  std::set<std::string> system_files, cgroup_files;
  for (const auto* probe : ProbeRegistry::instance().all()) {
    system_files.insert(probe->snapshot_files.begin(), probe->snapshot_files.end());
    cgroup_files.insert(probe->cgroup_snapshot_files.begin(), probe->cgroup_snapshot_files.end());
  }
  for (const char* file :
       {"/proc/vmstat", "/proc/meminfo", "/proc/buddyinfo", "/proc/pagetypeinfo", "/proc/pressure/memory"})
    EXPECT_TRUE(system_files.count(file)) << file;
  for (const char* file : {"memory.stat", "memory.events", "memory.pressure", "memory.current", "memory.peak",
                           "memory.swap.current", "memory.usage_in_bytes", "memory.max_usage_in_bytes",
                           "memory.failcnt", "memory.memsw.failcnt", "memory.oom_control"})
    EXPECT_TRUE(cgroup_files.count(file)) << file;
}

TEST(ProbeRegistry, EveryProbeSaysWhatItRecordsAndWhyItCannot) {
  system::SystemRoot empty(std::filesystem::temp_directory_path() / "memharness-no-such-root");
  auto probes = ProbeRegistry::instance().all();
  for (const char* name : {"vmstat", "meminfo", "psi", "memcg", "buddyinfo", "pagetypeinfo", "tracepoints"})
    EXPECT_TRUE(ProbeRegistry::instance().find(name)) << name;
  for (const auto* probe : probes) {
    EXPECT_FALSE(probe->description.empty()) << probe->name;
    EXPECT_FALSE(probe->records.empty()) << probe->name;
    ASSERT_TRUE(probe->unavailable_reason) << probe->name;
    // A probe that reads a system file names it when the file is missing.
    if (!probe->snapshot_files.empty()) {
      EXPECT_NE(probe->unavailable_reason(empty).find(probe->snapshot_files.front()), std::string::npos)
          << probe->name << ": " << probe->unavailable_reason(empty);
    }
  }
  EXPECT_EQ(ProbeRegistry::instance().find("psi")->unavailable_reason(empty),
            "no /proc/pressure/memory: the kernel has PSI off (CONFIG_PSI, psi=0)");
  // Ordered by `order`: the time series' column groups follow it.
  EXPECT_TRUE(std::is_sorted(probes.begin(), probes.end(), [](auto* a, auto* b) { return a->order < b->order; }));
}

TEST(ProbeRegistry, AProbeIsRegisteredOnce) {
  ProbeSpec twice;
  twice.name = "vmstat";
  EXPECT_THROW(ProbeRegistry::instance().add(twice), std::logic_error);
}

}  // namespace
}  // namespace memharness::probes
