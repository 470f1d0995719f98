// The samplers against a captured 6.12 guest (tests/fixtures/kernels/6.12 is laid
// out like a root: proc/..., and its v2 test cgroup at /cgroup-v2/test).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stop_token>
#include <thread>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"
#include "probes/samplers/snapshot.h"
#include "probes/samplers/timeseries_sampler.h"

namespace memharness::probes {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kGuest = std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "kernels" / "6.12";

std::vector<std::string> split(const std::string& row) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (;;) {
    auto comma = row.find(',', start);
    cells.push_back(row.substr(start, comma - start));
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

TEST(TimeSeriesSampler, RowOfACapturedGuestHasOneCellPerColumn) {
  system::SystemRoot root(kGuest);
  auto cgroup = system::open_memory_cgroup(root, system::CgroupVersion::v2, "/cgroup-v2/test");
  TimeSeriesSampler sampler(root, cgroup.get(), "/dev/null", std::chrono::seconds(1));
  auto columns = TimeSeriesSampler::columns();
  auto cells = split(sampler.sample_row(2.5));
  ASSERT_EQ(cells.size(), columns.size());
  auto cell = [&](const std::string& column) {
    auto it = std::find(columns.begin(), columns.end(), column);
    EXPECT_NE(it, columns.end()) << column;
    return cells[static_cast<std::size_t>(it - columns.begin())];
  };
  EXPECT_EQ(cell("time_s"), "2.500");
  EXPECT_EQ(cell("vmstat.nr_free_pages"), "238346");
  EXPECT_EQ(cell("vmstat.pswpout"), "0");
  EXPECT_EQ(cell("vmstat.pgscan_anon"), "0");  // present (not empty): the scan-rate plot's source
  EXPECT_EQ(cell("vmstat.pgscan_file"), "0");
  EXPECT_EQ(cell("meminfo.MemFree_bytes"), std::to_string(765700LL * 1024));
  EXPECT_EQ(cell("meminfo.SwapFree_bytes"), std::to_string(195860LL * 1024));
  EXPECT_EQ(cell("psi.some_total_us"), "2289882");
  EXPECT_EQ(cell("psi.full_total_us"), "2210807");
  EXPECT_EQ(cell("psi.some_avg10"), "6.21");
  EXPECT_EQ(cell("memcg.usage_bytes"), "31735808");
}

TEST(TimeSeriesSampler, MissingFilesAreEmptyCellsNotZeros) {
  system::SystemRoot empty(std::filesystem::temp_directory_path() / "memharness-no-such-root");
  TimeSeriesSampler sampler(empty, nullptr, "/dev/null", std::chrono::seconds(1));
  auto cells = split(sampler.sample_row(0));
  ASSERT_EQ(cells.size(), TimeSeriesSampler::columns().size());
  for (std::size_t i = 1; i < cells.size(); ++i) EXPECT_EQ(cells[i], "") << TimeSeriesSampler::columns()[i];
}

TEST(Snapshot, CapturesRawFilesAndParsedCountersOfSystemAndCgroup) {
  system::SystemRoot root(kGuest);
  auto cgroup = system::open_memory_cgroup(root, system::CgroupVersion::v2, "/cgroup-v2/test");
  auto snapshot = take_snapshot(root, cgroup.get());
  for (const char* file :
       {"/proc/vmstat", "/proc/meminfo", "/proc/buddyinfo", "/proc/pagetypeinfo", "/proc/pressure/memory",
        "cgroup/memory.stat", "cgroup/memory.events", "cgroup/memory.pressure", "cgroup/memory.peak"})
    EXPECT_TRUE(snapshot.raw_files.count(file)) << file;
  EXPECT_EQ(snapshot.vmstat.at("nr_free_pages"), 238346);
  EXPECT_EQ(snapshot.meminfo.at("MemFree"), 765700LL * 1024);
  EXPECT_EQ(snapshot.memcg_events.at("max"), 574);
  EXPECT_EQ(snapshot.memcg_events.at("oom_kill"), 1);
  EXPECT_EQ(snapshot.memcg_usage_bytes, 31735808);
  EXPECT_TRUE(snapshot.memcg_stat.count("pgscan"));
  EXPECT_TRUE(snapshot.memcg_stat.count("swap"));  // from memory.swap.current on v2
  ASSERT_FALSE(snapshot.fragmentation.empty());
  auto json = fragmentation_json(snapshot.fragmentation);
  ASSERT_TRUE(json.contains("Node 0 DMA32")) << json.dump();
  EXPECT_EQ(json["Node 0 DMA32"]["unusable_free_index"].size(), 11u);
}

TEST(Snapshot, WritesRawFilesBelowADirectory) {
  system::SystemRoot root(kGuest);
  auto snapshot = take_snapshot(root, nullptr);
  auto dir = std::filesystem::temp_directory_path() / ("memharness-snapshot-" + std::to_string(::getpid()));
  write_snapshot_files(snapshot, dir);
  EXPECT_TRUE(std::filesystem::exists(dir / "proc" / "vmstat"));
  EXPECT_TRUE(std::filesystem::exists(dir / "proc" / "pressure" / "memory"));
  EXPECT_EQ(std::filesystem::file_size(dir / "proc" / "vmstat"),
            std::filesystem::file_size(kGuest / "proc" / "vmstat"));
  std::filesystem::remove_all(dir);
}

// Until the sampler asks the run to stop; bounded, so that a sampler that
// never reports fails its test instead of hanging it.
void wait_for_stop(const std::stop_source& run_stop) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!run_stop.stop_requested() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// A /proc file the parsers reject (here a PSI field this harness does not know)
// must end the sampling thread with the error kept and the run asked to stop,
// not call std::terminate from the thread and skip the journal's restore.
TEST(TimeSeriesSampler, ASampleThatThrowsStopsTheRunWithTheErrorKept) {
  auto root_dir = std::filesystem::temp_directory_path() / ("memharness-bad-psi-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root_dir / "proc" / "pressure");
  std::ofstream(root_dir / "proc" / "pressure" / "memory")
      << "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 future=1\n";
  system::SystemRoot root(root_dir);
  std::stop_source run_stop;
  {
    TimeSeriesSampler sampler(root, nullptr, "/dev/null", std::chrono::milliseconds(10));
    sampler.stop_on_failure(run_stop);
    sampler.start();
    wait_for_stop(run_stop);
    sampler.stop();
    EXPECT_TRUE(run_stop.stop_requested());
    EXPECT_THAT(sampler.error(), HasSubstr("unknown field 'future=1'"));
  }
  std::filesystem::remove_all(root_dir);
}

// A full disk: the header cannot be written, and the sampler says so (naming
// the file and why) instead of sampling into a stream that drops every row.
TEST(TimeSeriesSampler, AFileThatCannotBeWrittenIsAnErrorNamingIt) {
  system::SystemRoot root(kGuest);
  TimeSeriesSampler sampler(root, nullptr, "/dev/full", std::chrono::milliseconds(10));
  try {
    sampler.start();
    FAIL() << "writing to /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot write /dev/full: No space left on device"));
  }
}

// The test hook (docs/testing.md): the thread throws after N samples, and the
// failure takes the path of any other (the error kept, the run stopped).
TEST(TimeSeriesSampler, TheTestHookThrowsInTheThreadAfterTheSamplesItNames) {
  ::setenv("MEMHARNESS_TEST_SAMPLER_FAILURE", "3", 1);
  system::SystemRoot root(kGuest);
  TimeSeriesSampler sampler(root, nullptr, "/dev/null", std::chrono::milliseconds(5));
  ::unsetenv("MEMHARNESS_TEST_SAMPLER_FAILURE");
  std::stop_source run_stop;
  sampler.stop_on_failure(run_stop);
  sampler.start();
  wait_for_stop(run_stop);
  sampler.stop();
  EXPECT_TRUE(run_stop.stop_requested());
  EXPECT_EQ(sampler.samples_taken(), 3u);
  EXPECT_EQ(sampler.error(),
            "the time-series sampler stopped: failure injected after 3 samples (MEMHARNESS_TEST_SAMPLER_FAILURE)");
}

TEST(TimeSeriesSampler, ATestHookThatIsNotANumberIsAUsageError) {
  ::setenv("MEMHARNESS_TEST_SAMPLER_FAILURE", "soon", 1);
  system::SystemRoot root(kGuest);
  try {
    TimeSeriesSampler sampler(root, nullptr, "/dev/null", std::chrono::seconds(1));
    ADD_FAILURE() << "a hook of \"soon\" was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_THAT(e.what(), HasSubstr("MEMHARNESS_TEST_SAMPLER_FAILURE=soon: expected a number of samples"));
  }
  ::unsetenv("MEMHARNESS_TEST_SAMPLER_FAILURE");
}

// The zoneinfo probe against the captured 6.18 host (tests/fixtures/kernels/6.18):
// its columns follow every older one, its cells are the zones' figures summed
// over nodes, and a zone the machine lacks is an empty cell.
const std::filesystem::path kernel_618 = std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "kernels" / "6.18";

TEST(ZoneinfoProbe, SamplesFreePagesAndWatermarksPerZone) {
  system::SystemRoot root(kernel_618);
  TimeSeriesSampler sampler(root, nullptr, "/dev/null", std::chrono::seconds(1));
  auto columns = TimeSeriesSampler::columns();
  auto cells = split(sampler.sample_row(1));
  ASSERT_EQ(cells.size(), columns.size());
  auto cell = [&](const std::string& column) {
    auto it = std::find(columns.begin(), columns.end(), column);
    EXPECT_NE(it, columns.end()) << column;
    return it == columns.end() ? std::string("?") : cells[static_cast<std::size_t>(it - columns.begin())];
  };
  EXPECT_EQ(cell("zoneinfo.DMA.free_pages"), "3840");
  EXPECT_EQ(cell("zoneinfo.Normal.min_pages"), "13464");
  EXPECT_EQ(cell("zoneinfo.Normal.low_pages"), "16830");
  EXPECT_EQ(cell("zoneinfo.Normal.high_pages"), "20196");
  EXPECT_EQ(cell("zoneinfo.Movable.min_pages"), "32");  // an empty zone still has watermarks
  // After every column the time series had before the probe.
  EXPECT_GT(std::find(columns.begin(), columns.end(), "zoneinfo.DMA.free_pages") - columns.begin(),
            std::find(columns.begin(), columns.end(), "memcg.usage_bytes") - columns.begin());
}

TEST(ZoneinfoProbe, AMachineWithoutTheFileGivesEmptyCellsAndAReason) {
  // The 6.12 capture has no zoneinfo.
  system::SystemRoot root(kGuest);
  const auto* probe = ProbeRegistry::instance().find("zoneinfo");
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->unavailable_reason(root), "no /proc/zoneinfo");
  for (const auto& cell : probe->sample(root, nullptr)) EXPECT_EQ(cell, "");
  EXPECT_EQ(probe->unavailable_reason(system::SystemRoot(kernel_618)), "");
}

TEST(ZoneinfoProbe, TheSnapshotsKeepTheFile) {
  auto snapshot = take_snapshot(system::SystemRoot(kernel_618), nullptr);
  EXPECT_TRUE(snapshot.raw_files.count("/proc/zoneinfo"));
}

}  // namespace
}  // namespace memharness::probes
