#include "harness/system/procfs/vmstat.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;
using testing::procfs_fixture;
using testing::TempRoot;

TEST(ParseVmstat, ReadsNameValuePairs) {
  CounterMap counters = parse_vmstat("nr_free_pages 942087\npgscan_kswapd 0\npgfault 1608759\n");
  EXPECT_EQ(counters, (CounterMap{{"nr_free_pages", 942087}, {"pgscan_kswapd", 0}, {"pgfault", 1608759}}));
}

TEST(ParseVmstat, ToleratesBlankLinesAndMissingFinalNewline) {
  CounterMap counters = parse_vmstat("\npgfault 7\n\npgmajfault 2");
  EXPECT_EQ(counters, (CounterMap{{"pgfault", 7}, {"pgmajfault", 2}}));
}

TEST(ParseVmstat, MalformedLineNamesLineNumberAndContent) {
  try {
    parse_vmstat(procfs_fixture("vmstat-malformed"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_STREQ(e.what(), "/proc/vmstat:3: expected 'name value', got 'pgmajfault 321 extra'");
  }
}

TEST(ParseVmstat, NonIntegerValueIsAnError) {
  try {
    parse_vmstat("pgfault 12\npgmajfault 3x\n", "fixture/vmstat");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "fixture/vmstat:2: expected an integer value for pgmajfault, got '3x'");
  }
}

TEST(ParseVmstat, DuplicateNameIsAnError) { EXPECT_THROW(parse_vmstat("pgfault 1\npgfault 2\n"), Error); }

TEST(WithZoneSums, AddsBaseNamesOfPerZoneCountersOnOldKernels) {
  CounterMap counters = with_zone_sums(parse_vmstat(procfs_fixture("vmstat-3.10-per-zone")));
  EXPECT_EQ(counters.at("pgsteal_kswapd"), 0 + 1200 + 34000 + 0);
  EXPECT_EQ(counters.at("pgsteal_direct"), 300 + 4700);
  EXPECT_EQ(counters.at("pgscan_kswapd"), 1500 + 41000);
  EXPECT_EQ(counters.at("pgscan_direct"), 400 + 6100);
  EXPECT_EQ(counters.at("pgrefill"), 1500 + 8500);
  EXPECT_EQ(counters.at("pgalloc"), 16 + 250000 + 1750000);
  // Not per zone: left alone, and no "pgscan_direct" contribution from it.
  EXPECT_EQ(counters.at("pgscan_direct_throttle"), 0);
  EXPECT_EQ(counters.at("allocstall"), 55);
  // The per-zone counters stay.
  EXPECT_EQ(counters.at("pgsteal_kswapd_normal"), 34000);
}

TEST(WithZoneSums, KeepsTheKernelsOwnBaseCounter) {
  CounterMap counters =
      with_zone_sums({{"allocstall", 9}, {"allocstall_normal", 4}, {"allocstall_movable", 1}, {"pgskip_dma32", 3}});
  EXPECT_EQ(counters.at("allocstall"), 9);
  EXPECT_EQ(counters.at("pgskip"), 3);
  EXPECT_EQ(counters.size(), 5u);
}

TEST(WithZoneSums, DistinguishesDmaFromDma32) {
  CounterMap counters = with_zone_sums({{"pgalloc_dma", 1}, {"pgalloc_dma32", 10}});
  EXPECT_EQ(counters.at("pgalloc"), 11);
}

TEST(ReadVmstat, Linux618Capture) {
  CounterMap counters = read_vmstat(SystemRoot(kernel_root("6.18")));
  EXPECT_EQ(counters.at("pgscan_kswapd"), 0);
  EXPECT_EQ(counters.at("pgscan_direct"), 0);
  EXPECT_EQ(counters.at("pgfault"), 1608759);
  EXPECT_EQ(counters.at("nr_free_pages"), 942087);
  EXPECT_EQ(counters.at("oom_kill"), 0);
  // 6.18 has per-zone allocation counters only: the sum is added.
  EXPECT_EQ(counters.at("pgalloc_normal"), 1637021);
  EXPECT_EQ(counters.at("pgalloc"), 1637021);
  EXPECT_EQ(counters.at("allocstall"), 0);
  // 192 lines in the file plus pgalloc, allocstall and pgskip.
  EXPECT_EQ(counters.size(), 192u + 3u);
}

TEST(ReadVmstat, Linux618ActivityUnderA128MiBCgroup) {
  // vmstat.end was taken after stress-ng --vm 1 --vm-bytes 256M ran in a 128 MiB
  // v1 memory cgroup without swap: the OOM killer fired, and memcg limit reclaim
  // scanned file pages -- visible in pgscan_file but not in pgscan_kswapd/direct.
  SystemRoot root(kernel_root("6.18"));
  CounterMap start = read_vmstat(root);
  CounterMap end = with_zone_sums(parse_vmstat(root.read("/proc/vmstat.end"), "/proc/vmstat.end"));
  CounterMap delta = counter_delta(start, end);
  EXPECT_EQ(delta.at("oom_kill"), 27);
  EXPECT_EQ(delta.at("pgscan_file"), 329);
  EXPECT_EQ(delta.at("pgsteal_file"), 303);
  EXPECT_EQ(delta.at("pgscan_kswapd"), 0);
  EXPECT_EQ(delta.at("pgscan_direct"), 0);
  EXPECT_EQ(delta.at("pgalloc"), 2496949 - 1637021);
}

TEST(ReadVmstat, MalformedFileUnderARootIsAnEnvironmentError) {
  TempRoot root;
  root.write("/proc/vmstat", "pgfault 1\nbogus\n");
  try {
    read_vmstat(SystemRoot(root.path()));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_STREQ(e.what(), "/proc/vmstat:2: expected 'name value', got 'bogus'");
  }
}

TEST(ReadVmstat, MissingFileIsAnEnvironmentError) {
  TempRoot root;
  try {
    read_vmstat(SystemRoot(root.path()));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_NE(std::string(e.what()).find("proc/vmstat"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace memharness::system::procfs
