// Decoding of the recorder's aggregates (per-CPU sums, JSON, "not available"),
// tracepoint availability read from a captured 6.18 tracefs tree, recorder
// selection and the aggregates' time series.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "harness/system/system_root.h"
#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/recorder.h"
#include "probes/tracepoints/tracefs.h"
#include "probes/tracepoints/tracepoint_timeseries.h"

namespace memharness::probes {
namespace {

std::filesystem::path fixture_618() { return std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "tracepoints" / "6.18"; }

std::map<std::string, bool> all_available() {
  std::map<std::string, bool> available;
  for (const auto& spec : reclaim_tracepoints()) available[spec.name()] = true;
  return available;
}

TEST(TracepointAggregates, PerCpuSumsAddCountsAndKeepTheLargestMaximum) {
  std::vector<mh_context_stats> cpus(3);
  cpus[0].stalls = 2;
  cpus[0].stall_ns_total = 300;
  cpus[0].stall_ns_max = 200;
  cpus[0].stall_hist[7] = 2;
  cpus[1].stalls = 1;
  cpus[1].stall_ns_total = 5000;
  cpus[1].stall_ns_max = 5000;
  cpus[1].stall_hist[12] = 1;
  cpus[2].pages_scanned = 32;
  cpus[2].pages_reclaimed = 31;
  cpus[2].write_file = 4;
  auto total = sum_per_cpu(std::span<const mh_context_stats>(cpus));
  EXPECT_EQ(total.stalls, 3U);
  EXPECT_EQ(total.stall_ns_total, 5300U);
  EXPECT_EQ(total.stall_ns_max, 5000U);
  EXPECT_EQ(total.stall_hist[7], 2U);
  EXPECT_EQ(total.stall_hist[12], 1U);
  EXPECT_EQ(total.pages_scanned, 32U);
  EXPECT_EQ(total.pages_reclaimed, 31U);
  EXPECT_EQ(total.write_file, 4U);

  std::vector<mh_scope_stats> scopes(2);
  scopes[0].kswapd_wakeups = 3;
  scopes[1].kswapd_wakeups = 4;
  scopes[1].throttled[2] = 9;
  scopes[0].dirty_throttle_pause_ms = 12;
  auto s = sum_per_cpu(std::span<const mh_scope_stats>(scopes));
  EXPECT_EQ(s.kswapd_wakeups, 7U);
  EXPECT_EQ(s.throttled[2], 9U);
  EXPECT_EQ(s.dirty_throttle_pause_ms, 12U);
}

TEST(TracepointAggregates, JsonHasBothScopesPerContextFiguresAndHistogramBounds) {
  RawAggregates raw;
  auto& memcg = raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM];
  memcg.stalls = 3;
  memcg.begins = 3;
  memcg.stall_ns_total = 3000;
  memcg.stall_ns_max = 1500;
  memcg.stall_hist[9] = 2;   // 512..1023 ns
  memcg.stall_hist[10] = 1;  // 1024..2047 ns
  raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_KSWAPD].pages_scanned = 100;
  raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_DIRECT_RECLAIM].write_anon = 5;
  raw.scopes[MH_SCOPE_SYSTEM].kswapd_awake_ns = 7'000'000;
  raw.scopes[MH_SCOPE_SYSTEM].throttled[0] = 2;
  raw.scopes[MH_SCOPE_SYSTEM].throttled_delay_us[0] = 200;
  auto doc = aggregates_json(raw, all_available(),
                             {.recorder = "bpf",
                              .attribution = "tgid-tree",
                              .root_tgid = 42,
                              .workload_cgroup_id = std::nullopt,
                              .recorded_s = 1.5});
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["attribution"]["root_tgid"], 42);
  const auto& stalls = doc["scopes"]["workload"]["contexts"]["memcg_reclaim"]["stalls"];
  EXPECT_TRUE(stalls["available"].get<bool>());
  EXPECT_EQ(stalls["count"], 3);
  EXPECT_EQ(stalls["total_ns"], 3000);
  EXPECT_EQ(stalls["max_ns"], 1500);
  ASSERT_EQ(stalls["histogram"].size(), 2U);
  EXPECT_EQ(stalls["histogram"][0]["low_ns"], 512);
  EXPECT_EQ(stalls["histogram"][0]["high_ns"], 1023);
  EXPECT_EQ(stalls["histogram"][0]["count"], 2);
  EXPECT_EQ(stalls["histogram"][1]["low_ns"], 1024);
  EXPECT_EQ(doc["scopes"]["system"]["contexts"]["kswapd"]["reclaim"]["pages_scanned"], 100);
  EXPECT_FALSE(doc["scopes"]["system"]["contexts"]["kswapd"].contains("stalls"));  // kswapd has no begin/end
  EXPECT_EQ(doc["scopes"]["system"]["contexts"]["direct_reclaim"]["writes"]["anon"], 5);
  EXPECT_EQ(doc["scopes"]["system"]["kswapd"]["awake"]["total_ns"], 7'000'000);
  EXPECT_EQ(doc["scopes"]["system"]["throttled"]["by_reason"]["WRITEBACK"]["delay_us"], 200);
  // kswapd's work is never a workload's.
  EXPECT_FALSE(doc["scopes"]["workload"]["contexts"]["kswapd"]["available"].get<bool>());
  EXPECT_FALSE(doc["scopes"]["workload"]["kswapd"].contains("awake"));
}

TEST(TracepointAggregates, MissingEventsAreMarkedNotAvailableNeverZero) {
  auto available = all_available();
  available["vmscan/mm_vmscan_throttled"] = false;
  available["vmscan/mm_vmscan_memcg_reclaim_end"] = false;
  available["vmscan/mm_vmscan_writepage"] = false;  // 6.x: write_folio alone is enough
  auto doc = aggregates_json(RawAggregates{}, available,
                             {.recorder = "bpf",
                              .attribution = "tgid-tree",
                              .root_tgid = 1,
                              .workload_cgroup_id = std::nullopt,
                              .recorded_s = 0});
  const auto& system = doc["scopes"]["system"];
  EXPECT_FALSE(system["throttled"]["available"].get<bool>());
  EXPECT_EQ(system["throttled"]["reason"], "not available on this kernel: vmscan/mm_vmscan_throttled");
  EXPECT_FALSE(system["throttled"].contains("by_reason"));
  EXPECT_FALSE(system["contexts"]["memcg_reclaim"]["stalls"]["available"].get<bool>());
  EXPECT_FALSE(system["contexts"]["memcg_reclaim"]["stalls"].contains("count"));
  EXPECT_TRUE(system["contexts"]["direct_reclaim"]["stalls"]["available"].get<bool>());
  EXPECT_TRUE(system["contexts"]["kswapd"]["writes"]["available"].get<bool>());
  EXPECT_FALSE(doc["tracepoints"]["vmscan/mm_vmscan_writepage"].get<bool>());

  available["vmscan/mm_vmscan_write_folio"] = false;
  auto without_writes = aggregates_json(RawAggregates{}, available, {});
  EXPECT_FALSE(without_writes["scopes"]["system"]["contexts"]["kswapd"]["writes"]["available"].get<bool>());
}

TEST(TracepointCatalog, AvailabilityComesFromTheRunningKernelsTracefs) {
  system::SystemRoot root(fixture_618());
  EXPECT_TRUE(tracefs_mounted(root));
  auto available = tracepoint_availability(root);
  EXPECT_EQ(available.size(), reclaim_tracepoints().size());
  for (const auto& [name, present] : available) {
    if (name == "vmscan/mm_vmscan_writepage")
      EXPECT_FALSE(present) << "6.18 has only mm_vmscan_write_folio";
    else
      EXPECT_TRUE(present) << name;
  }
}

TEST(TracepointCatalog, EveryTracepointHasAProgramAndAUniqueName) {
  std::set<std::string> names, programs;
  for (const auto& spec : reclaim_tracepoints()) {
    EXPECT_TRUE(names.insert(spec.name()).second) << spec.name();
    EXPECT_TRUE(programs.insert(std::string(spec.program)).second) << spec.program;
  }
}

TEST(TracepointRecorder, AFakeRootGetsNoRecorderAndSaysWhy) {
  system::SystemRoot root(fixture_618());
  auto start = start_tracepoint_recorder(root, {.root_tgid = 1, .workload_cgroup_id = std::nullopt});
  EXPECT_FALSE(start.recorder);
  EXPECT_FALSE(start.reason.empty());
}

}  // namespace
}  // namespace memharness::probes

namespace memharness::probes {
namespace {

TEST(TracepointSummary, HeadlineFiguresInMillisecondsAndNullWhenNotAvailable) {
  RawAggregates raw;
  raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_DIRECT_RECLAIM].stalls = 4;
  raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_DIRECT_RECLAIM].stall_ns_total = 2'500'000;
  raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM].stalls = 7;
  raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM].stall_ns_total = 1'000'000;
  raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_KSWAPD].write_file = 11;
  raw.scopes[MH_SCOPE_SYSTEM].kswapd_wakeups = 2;
  auto available = all_available();
  available["vmscan/mm_vmscan_kswapd_sleep"] = false;
  nlohmann::json summary =
      tracepoint_summary(results::parse_tracepoints_document(aggregates_json(raw, available, {}), "tracepoints.json"));
  EXPECT_EQ(summary["direct_reclaims"], 4);
  EXPECT_DOUBLE_EQ(summary["direct_reclaim_stall_ms"].get<double>(), 2.5);
  EXPECT_EQ(summary["memcg_reclaims"], 7);
  EXPECT_DOUBLE_EQ(summary["memcg_reclaim_stall_ms"].get<double>(), 1.0);
  EXPECT_EQ(summary["kswapd_wakeups"], 2);
  EXPECT_TRUE(summary["kswapd_awake_ms"].is_null());  // needs kswapd_sleep too
  EXPECT_EQ(summary["kswapd_reclaim_write_file"], 11);
  EXPECT_EQ(summary["direct_reclaim_write_anon"], 0);
}

}  // namespace
}  // namespace memharness::probes

namespace memharness::probes {
namespace {

TEST(TracepointRecorder, CgroupV2IdIsTheDirectorysInodeNumber) {
  auto dir = std::filesystem::temp_directory_path() / ("memharness-cgid-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sys/fs/cgroup/test");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "sys/fs/cgroup/test").c_str(), &st), 0);
  system::SystemRoot root(dir);
  EXPECT_EQ(cgroup_v2_id(root, "/sys/fs/cgroup/test"), static_cast<std::uint64_t>(st.st_ino));
  EXPECT_FALSE(cgroup_v2_id(root, "/sys/fs/cgroup/gone"));
  std::filesystem::remove_all(dir);
}

TEST(TracepointRecorder, KindsByNameAndABadForcedKindSaysWhy) {
  EXPECT_EQ(parse_recorder_kind("bpf"), RecorderKind::bpf);
  EXPECT_EQ(parse_recorder_kind("tracefs"), RecorderKind::tracefs);
  EXPECT_EQ(parse_recorder_kind("auto"), RecorderKind::automatic);
  EXPECT_FALSE(parse_recorder_kind("perf"));
  ::setenv("MEMHARNESS_TRACEPOINT_RECORDER", "perf", 1);
  auto start = start_tracepoint_recorder(system::SystemRoot("/"), {.root_tgid = 1, .workload_cgroup_id = std::nullopt});
  ::unsetenv("MEMHARNESS_TRACEPOINT_RECORDER");
  EXPECT_FALSE(start.recorder);
  EXPECT_EQ(start.reason, "MEMHARNESS_TRACEPOINT_RECORDER=perf: expected bpf, tracefs or auto");
}

}  // namespace
}  // namespace memharness::probes

namespace memharness::probes {
namespace {

// A recorder whose figures grow by one memcg stall of 1 ms per call.
class CountingRecorder final : public TracepointRecorder {
 public:
  std::string_view kind() const override { return "counting"; }
  nlohmann::json finish() override { return {}; }
  RawAggregates current() override {
    RawAggregates raw;
    ++calls_;
    raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM].stalls = calls_;
    raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM].stall_ns_total = calls_ * 1'000'000;
    raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_KSWAPD].pages_scanned = 32 * calls_;
    return raw;
  }

 private:
  std::uint64_t calls_ = 0;
};

TEST(TracepointTimeSeries, RowsAtStartEveryIntervalAndAtStopWithCumulativeFigures) {
  auto file = std::filesystem::temp_directory_path() / ("memharness-tp-series-" + std::to_string(::getpid()) + ".csv");
  CountingRecorder recorder;
  {
    TracepointTimeSeries series(recorder, file, std::chrono::milliseconds(5));
    series.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    series.stop();
    EXPECT_GE(series.rows(), 2U);  // start and stop at least, whatever the machine's load
  }
  std::ifstream in(file);
  std::string header, first, line, last;
  std::getline(in, header);
  std::getline(in, first);
  while (std::getline(in, line)) last = line;
  EXPECT_EQ(header.substr(0, 30), "time_s,direct_reclaim_stalls,d");
  EXPECT_EQ(first.substr(first.find(',')), ",0,0,1,1000000,0,0,32,0,0,0,0,0");
  EXPECT_FALSE(last.empty());
  EXPECT_EQ(TracepointTimeSeries::columns().size(),
            static_cast<std::size_t>(std::count(first.begin(), first.end(), ',') + 1));
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace memharness::probes
