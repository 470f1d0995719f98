// A real run records tracepoints (root, BTF, stress-ng): anon-dirty-quick, one
// iteration, must leave iterations/1/tracepoints.json from the BPF recorder with
// the workload's memcg reclaim in it, the summary rows, and tracefs mounted or
// not exactly as before the run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "harness_process.h"
#include "memharness_features.h"
#include "require.h"

namespace memharness::testing {
namespace {

bool tracefs_mounted() {
  std::ifstream mounts("/proc/self/mounts");
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string device, mount_point, type;
    fields >> device >> mount_point >> type;
    if (mount_point == "/sys/kernel/tracing" && type == "tracefs") return true;
  }
  return false;
}

TEST(TracepointsRun, AnonDirtyRunWritesTracepointAggregatesAndRestoresTracefs) {
  MEMHARNESS_REQUIRE_ROOT();
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  MEMHARNESS_REQUIRE(MEMHARNESS_HAVE_BPF, "built without BPF (-Dbpf)");
  MEMHARNESS_REQUIRE(std::filesystem::exists("/sys/kernel/btf/vmlinux"), "needs kernel BTF");
  TempDir tmp("memharness-tracepoints-run");
  bool mounted_before = tracefs_mounted();
  std::map<std::string, std::string> env = {{"MEMHARNESS_STATE_DIR", (tmp.path() / "state").string()}};
  auto result =
      run_memharness({"run", std::string(MEMHARNESS_SOURCE_DIR) + "/configs/anon-dirty-quick.toml", "--kernel", "host",
                      "--iterations", "1", "--results", (tmp.path() / "results").string()},
                     env, tmp.path() / "log");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(tracefs_mounted(), mounted_before) << "the run did not restore tracefs' mount";
  EXPECT_NE(result.output.find("Time stalled memcg reclaim (ms)"), std::string::npos) << result.output;

  std::filesystem::path run_dir;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp.path() / "results"))
    if (entry.path().filename() == "manifest.json") run_dir = entry.path().parent_path();
  ASSERT_FALSE(run_dir.empty());
  auto manifest = nlohmann::json::parse(read_file(run_dir / "manifest.json"));
  EXPECT_EQ(manifest["tracepoint_recorder"]["used"]["kind"], "bpf") << manifest["tracepoint_recorder"].dump();
  auto doc = nlohmann::json::parse(read_file(run_dir / "iterations" / "1" / "tracepoints.json"));
  EXPECT_EQ(doc["recorder"], "bpf");
  const auto& memcg = doc["scopes"]["workload"]["contexts"]["memcg_reclaim"];
  EXPECT_GT(memcg["stalls"]["count"].get<std::uint64_t>(), 0U) << memcg.dump();
  EXPECT_GT(memcg["stalls"]["total_ns"].get<std::uint64_t>(), 0U);
  EXPECT_GT(memcg["reclaim"]["pages_scanned"].get<std::uint64_t>(), 0U);
  EXPECT_LE(memcg["stalls"]["count"].get<std::uint64_t>(),
            doc["scopes"]["system"]["contexts"]["memcg_reclaim"]["stalls"]["count"].get<std::uint64_t>());
  // Anonymous pages swapped out from memcg reclaim: never more than the
  // kernel's own count of reclaim writes over the (longer) snapshot window.
  auto record = nlohmann::json::parse(read_file(run_dir / "iterations" / "1" / "result.json"));
  EXPECT_LE(memcg["writes"]["anon"].get<std::uint64_t>(), record["vmstat_delta"].value("nr_vmscan_write", 0ULL));
  EXPECT_FALSE(record["tracepoints"]["memcg_reclaim_stall_ms"].is_null());
}

// The text fallback in a whole run (forced, as on a machine without BPF):
// anon-dirty-quick must leave tracepoints.json from the tracefs recorder with
// the workload's memcg reclaim, the lost-event count in result.json and the
// manifest, the aggregates' time series, and no tracefs instance behind.
TEST(TracepointsRun, ForcedTracefsFallbackRecordsTheSameDocumentAndSaysSo) {
  MEMHARNESS_REQUIRE_ROOT();
  MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
  TempDir tmp("memharness-tracepoints-fallback-run");
  std::map<std::string, std::string> env = {{"MEMHARNESS_STATE_DIR", (tmp.path() / "state").string()},
                                            {"MEMHARNESS_TRACEPOINT_RECORDER", "tracefs"}};
  // anon-dirty, not dd-writeback: cgroup v1 has no per-cgroup dirty throttling,
  // so a dd in the 128 MiB limit is OOM-killed now and then (seen in CI), and
  // this test is about the recorder, not about dd surviving v1.
  auto harness = start_memharness({"run", std::string(MEMHARNESS_SOURCE_DIR) + "/configs/anon-dirty-quick.toml",
                                   "--kernel", "host", "--results", (tmp.path() / "results").string()},
                                  env, tmp.path() / "log");
  const pid_t pid = harness.pid;
  auto result = harness.wait();
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::filesystem::path run_dir;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp.path() / "results"))
    if (entry.path().filename() == "manifest.json") run_dir = entry.path().parent_path();
  ASSERT_FALSE(run_dir.empty());
  auto manifest = nlohmann::json::parse(read_file(run_dir / "manifest.json"));
  const auto& used = manifest["tracepoint_recorder"]["used"];
  EXPECT_EQ(used["kind"], "tracefs") << used.dump();
  EXPECT_NE(used.value("reason", "").find("BPF not used"), std::string::npos) << used.dump();
  EXPECT_TRUE(used.contains("lost_events")) << used.dump();
  auto doc = nlohmann::json::parse(read_file(run_dir / "iterations" / "1" / "tracepoints.json"));
  EXPECT_EQ(doc["recorder"], "tracefs");
  EXPECT_EQ(doc["capture"]["unparsable_lines"], 0) << doc["capture"].dump();
  const auto& memcg = doc["scopes"]["workload"]["contexts"]["memcg_reclaim"];
  EXPECT_GT(memcg["stalls"]["count"].get<std::uint64_t>(), 0U) << memcg.dump();
  EXPECT_GT(memcg["reclaim"]["pages_scanned"].get<std::uint64_t>(), 0U);
  // The aggregates' time series: a header and rows at start, per interval and at stop.
  auto series = read_file(run_dir / "iterations" / "1" / "tracepoints-timeseries.csv");
  EXPECT_EQ(series.rfind("time_s,direct_reclaim_stalls,", 0), 0U) << series.substr(0, 200);
  EXPECT_GE(std::count(series.begin(), series.end(), '\n'), 3) << series;
  auto record = nlohmann::json::parse(read_file(run_dir / "iterations" / "1" / "result.json"));
  EXPECT_GE(record["tracepoint_recorder"]["timeseries_rows"].get<int>(), 2) << record["tracepoint_recorder"].dump();
  // The run unmounts tracefs again when it mounted it: then nothing is left either.
  std::error_code unmounted;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/kernel/tracing/instances", unmounted))
    EXPECT_NE(entry.path().filename().string().rfind("memharness-" + std::to_string(pid), 0), 0U)
        << "left behind: " << entry.path();
}

}  // namespace
}  // namespace memharness::testing
