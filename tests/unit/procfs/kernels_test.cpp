// Every parser against every captured kernel (tests/fixtures/kernels/<version>/):
// properties that must hold on any real kernel, so a format change in a new
// kernel shows up here. Concrete values of one capture are pinned in the
// per-file tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/fragmentation.h"
#include "harness/system/procfs/meminfo.h"
#include "harness/system/procfs/pagetypeinfo.h"
#include "harness/system/procfs/psi.h"
#include "harness/system/procfs/vmstat.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

class CapturedKernel : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::kernel_root(GetParam()) / "proc"))
      GTEST_SKIP() << "no capture of Linux " << GetParam() << " in " << testing::kernel_root(GetParam()) << " yet";
  }
  SystemRoot root() const { return SystemRoot(testing::kernel_root(GetParam())); }
};

// Counters the harness records on every kernel (DESIGN.md, "Metrics"), after
// with_zone_sums() for the per-zone ones.
constexpr const char* required_vmstat_counters[] = {"nr_free_pages",
                                                    "pgfault",
                                                    "pgmajfault",
                                                    "pgalloc",
                                                    "pgfree",
                                                    "pgscan_kswapd",
                                                    "pgscan_direct",
                                                    "pgsteal_kswapd",
                                                    "pgsteal_direct",
                                                    "allocstall",
                                                    "pswpin",
                                                    "pswpout",
                                                    "nr_vmscan_write",
                                                    "oom_kill",
                                                    "compact_stall",
                                                    "compact_fail",
                                                    "compact_success",
                                                    "pgmigrate_success",
                                                    "thp_fault_alloc",
                                                    "thp_fault_fallback",
                                                    "workingset_refault_anon",
                                                    "workingset_refault_file"};

TEST_P(CapturedKernel, VmstatHasTheRecordedCounters) {
  CounterMap counters = read_vmstat(root());
  EXPECT_GT(counters.size(), 100u);
  for (const char* name : required_vmstat_counters) EXPECT_TRUE(counters.contains(name)) << name;
  std::int64_t pgalloc_per_zone = 0;
  for (std::string_view suffix : vmstat_zone_suffixes) {
    auto it = counters.find("pgalloc" + std::string(suffix));
    if (it != counters.end()) pgalloc_per_zone += it->second;
  }
  EXPECT_EQ(counters.at("pgalloc"), pgalloc_per_zone);
}

TEST_P(CapturedKernel, VmstatEndShowsTheCapturedActivity) {
  auto end_text = root().try_read("/proc/vmstat.end");
  ASSERT_TRUE(end_text.has_value()) << "capture has no proc/vmstat.end";
  CounterMap start = read_vmstat(root());
  CounterMap end = with_zone_sums(parse_vmstat(*end_text, "/proc/vmstat.end"));
  std::set<std::string> start_names, end_names;
  for (const auto& entry : start) start_names.insert(entry.first);
  for (const auto& entry : end) end_names.insert(entry.first);
  EXPECT_EQ(start_names, end_names);
  CounterMap delta = counter_delta(start, end);
  EXPECT_GT(delta.at("pgfault"), 0);
  EXPECT_GT(delta.at("pgalloc"), 0);
  for (const char* event : {"pgfault", "pgalloc", "pgfree", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
                            "pgsteal_direct", "oom_kill", "compact_stall"})
    EXPECT_GE(delta.at(event), 0) << event << " went backwards";
}

TEST_P(CapturedKernel, Meminfo) {
  CounterMap fields = read_meminfo(root());
  for (const char* name : {"MemTotal", "MemFree", "MemAvailable", "Cached", "SwapTotal", "AnonPages", "Hugepagesize",
                           "HugePages_Total", "HugePages_Free"})
    EXPECT_TRUE(fields.contains(name)) << name;
  EXPECT_GT(fields.at("MemTotal"), 0);
  EXPECT_EQ(fields.at("MemTotal") % 1024, 0);
  EXPECT_LE(fields.at("MemFree"), fields.at("MemTotal"));
  EXPECT_EQ(fields.at("Hugepagesize"), 2 * 1024 * 1024);  // x86-64
  EXPECT_LE(fields.at("HugePages_Free"), fields.at("HugePages_Total"));
}

TEST_P(CapturedKernel, BuddyinfoAndPagetypeinfoDescribeTheSameZones) {
  auto zones = read_buddyinfo(root());
  ASSERT_FALSE(zones.empty());
  PageTypeInfo types = read_pagetypeinfo(root());
  EXPECT_EQ(types.page_block_order, 9);  // x86-64 with THP: pageblock = PMD size
  EXPECT_EQ(types.pages_per_block, 512);
  ASSERT_GE(types.migrate_types.size(), 3u);
  EXPECT_EQ(types.migrate_types[0], "Unmovable");
  EXPECT_EQ(types.migrate_types[1], "Movable");
  EXPECT_EQ(types.migrate_types[2], "Reclaimable");

  std::vector<std::pair<int, std::string>> buddy_zones, block_zones;
  for (const auto& zone : zones) {
    EXPECT_EQ(zone.free_blocks_per_order.size(), 11u) << zone.zone;
    buddy_zones.emplace_back(zone.node, zone.zone);
  }
  for (const auto& zone : types.pageblocks) block_zones.emplace_back(zone.node, zone.zone);
  EXPECT_EQ(buddy_zones, block_zones);
  EXPECT_EQ(types.free_blocks.size(), zones.size() * types.migrate_types.size());
  for (const auto& row : types.free_blocks) EXPECT_EQ(row.free_blocks_per_order.size(), 11u);
}

TEST_P(CapturedKernel, FragmentationIndicesStayInTheKernelsRange) {
  for (const auto& zone : fragmentation_indices(read_buddyinfo(root()))) {
    bool succeeded_above = false;
    for (std::size_t order = zone.unusable_free_index.size(); order-- > 0;) {
      double unusable = zone.unusable_free_index[order];
      double fragmentation = zone.fragmentation_index[order];
      EXPECT_GE(unusable, 0.0);
      EXPECT_LE(unusable, 1.0);
      if (order > 0) {
        EXPECT_LE(zone.unusable_free_index[order - 1], unusable);
      }
      EXPECT_TRUE(fragmentation == -1.0 || (fragmentation >= -0.5 && fragmentation <= 1.0))
          << zone.zone << " order " << order << ": " << fragmentation;
      // An allocation that succeeds at some order succeeds at every lower order.
      if (succeeded_above) {
        EXPECT_EQ(fragmentation, -1.0) << zone.zone << " order " << order;
      }
      succeeded_above = succeeded_above || fragmentation == -1.0;
    }
  }
}

TEST_P(CapturedKernel, MemoryPsiWhenCaptured) {
  auto psi = read_memory_psi(root());
  // Debian kernels build PSI but disable it by default (psi=1 enables it), so a
  // capture may lack the file; then the reader must say "no PSI", not fail.
  ASSERT_EQ(psi.has_value(), root().exists("/proc/pressure/memory"));
  if (!psi) return;
  ASSERT_TRUE(psi->full.has_value());
  EXPECT_GE(psi->some.total_us, psi->full->total_us);
  for (double average : {psi->some.avg10, psi->some.avg60, psi->some.avg300}) {
    EXPECT_GE(average, 0.0);
    EXPECT_LE(average, 100.0);
  }
}

// Values pinned from each capture, so that a parser change that silently drops or
// misreads a field shows up per kernel. 6.1 and 6.12 are Debian cloud kernels in
// 1 GiB TCG guests booted with psi=1, with swap and a workload in a 64 MiB cgroup
// v2 memory.max: kswapd reclaimed and pages were swapped out in between. 6.18 is
// the development host, a 128 MiB v1 memcg and no swap: only memcg reclaim (which
// pgscan_kswapd/direct do not count) and the OOM killer acted.
struct KnownValues {
  std::size_t vmstat_lines;
  std::size_t zones;
  std::int64_t mem_total_kib;
  std::int64_t psi_some_total_us;
  std::int64_t psi_full_total_us;
  std::int64_t pgscan_kswapd_delta;
  std::int64_t pswpout_delta;
  std::int64_t oom_kill_delta;
};

const std::map<std::string, KnownValues, std::less<>> known_values = {
    {"6.1", {171, 2, 995372, 2879442, 2812608, 103730, 46893, 1}},
    {"6.12", {182, 2, 990072, 2289882, 2210807, 107200, 29293, 1}},
    {"6.18", {192, 3, 24684084, 8211, 6828, 0, 0, 27}},
};

TEST_P(CapturedKernel, KnownValues) {
  const KnownValues& known = known_values.at(GetParam());
  CounterMap start = parse_vmstat(root().read("/proc/vmstat"));
  EXPECT_EQ(start.size(), known.vmstat_lines);
  CounterMap delta =
      counter_delta(with_zone_sums(start), with_zone_sums(parse_vmstat(root().read("/proc/vmstat.end"))));
  EXPECT_EQ(delta.at("pgscan_kswapd"), known.pgscan_kswapd_delta);
  EXPECT_EQ(delta.at("pswpout"), known.pswpout_delta);
  EXPECT_EQ(delta.at("oom_kill"), known.oom_kill_delta);
  EXPECT_EQ(read_buddyinfo(root()).size(), known.zones);
  EXPECT_EQ(read_meminfo(root()).at("MemTotal"), known.mem_total_kib * 1024);
  auto psi = read_memory_psi(root());
  ASSERT_TRUE(psi.has_value());
  EXPECT_EQ(psi->some.total_us, known.psi_some_total_us);
  ASSERT_TRUE(psi->full.has_value());
  EXPECT_EQ(psi->full->total_us, known.psi_full_total_us);
}

INSTANTIATE_TEST_SUITE_P(Kernels, CapturedKernel, ::testing::Values("6.1", "6.12", "6.18"), [](const auto& param_info) {
  std::string name = std::string("Linux_") + param_info.param;
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
});

}  // namespace
}  // namespace memharness::system::procfs
