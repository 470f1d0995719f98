// The proof: Debian's 6.1 and 6.12 cloud kernels, each booted in a
// 1 GiB guest under qemu, run the quick highalloc and anon-dirty configs; both
// run directories come back complete and verified, with tracepoint aggregates
// recorded inside the guests, and `run` ends with the comparison.
#include <gtest/gtest.h>

#include "harness_process.h"
#include "require.h"
#include "vm_kernels.h"

namespace memharness::testing {
namespace {

const std::string release_6_1 = "6.1.0-50-cloud-amd64";
const std::string release_6_12 = "6.12.111+deb12-cloud-amd64";

void check_run(const std::filesystem::path& results, const std::string& release, const std::string& test) {
  auto runs = run_directories(results, release, test);
  ASSERT_EQ(runs.size(), 1u) << release << " " << test;
  const auto& run = runs.front();
  auto manifest = read_json(run / "manifest.json");
  EXPECT_EQ(manifest["status"], "complete") << manifest.value("status_reason", "");
  EXPECT_EQ(manifest["target"], "vm");
  EXPECT_EQ(manifest["machine"]["kernel"]["release"], release);
  EXPECT_EQ(manifest["cgroup"]["version"], "v2");  // the guest's own cgroup2
  EXPECT_EQ(manifest["vm"]["memory_bytes"], 1LL << 30);
  EXPECT_TRUE(manifest["vm"]["checksums"]["verified"].get<bool>()) << manifest["vm"]["checksums"].dump();
  EXPECT_TRUE(std::filesystem::exists(run / "console.log"));
  EXPECT_NE(read_file(run / "console.log").find("memharness-guest: end"), std::string::npos);
  auto result = read_json(run / "iterations" / "1" / "result.json");
  EXPECT_EQ(result["status"], "complete");
  // Tracepoints: the BPF recorder loads against each guest kernel's own BTF
  // (6.1's older verifier included: see the barrier_var in reclaim.bpf.c).
  const auto& recorder = result["tracepoint_recorder"];
  EXPECT_EQ(recorder["kind"], "bpf") << release << ": " << recorder.dump();
  auto doc = read_json(run / "iterations" / "1" / "tracepoints.json");
  EXPECT_EQ(doc["recorder"], "bpf");
  EXPECT_TRUE(doc["tracepoints"]["vmscan/mm_vmscan_memcg_reclaim_begin"].get<bool>());
  // anon-dirty maps beyond its limit: both guests' memcg stall pairs are counted.
  if (test.find("anon-dirty") != std::string::npos) {
    EXPECT_GT(result["tracepoints"].value("memcg_reclaims", 0), 0) << release << ": " << result["tracepoints"].dump();
    // The tracepoints agree with the cgroup's own counters where the kernel
    // counts the same thing. In the guest only the workloads live in the test
    // cgroup, and its limit reclaim is "direct" in memory.stat. Pages reclaimed
    // are nr_reclaimed of lru_shrink_inactive on both LRUs; pages scanned equal
    // pgscan_direct on the classic LRU only (6.1): MGLRU's evict_folios (6.12)
    // traces folios it skipped or moved between generations as scanned too.
    EXPECT_EQ(doc["attribution"]["method"], "cgroup-id");
    const auto& contexts = doc["scopes"]["workload"]["contexts"];
    auto traced = [&](const char* field) {
      return contexts["memcg_reclaim"]["reclaim"][field].get<long long>() +
             contexts["direct_reclaim"]["reclaim"][field].get<long long>();
    };
    const auto& stat = result["memcg"]["stat_delta"];
    EXPECT_EQ(traced("pages_reclaimed"), stat["pgsteal_direct"].get<long long>()) << release;
    if (release == release_6_1) {
      EXPECT_EQ(traced("pages_scanned"), stat["pgscan_direct"].get<long long>()) << release;
    } else {
      EXPECT_GE(traced("pages_scanned"), stat["pgscan_direct"].get<long long>()) << release;
    }
  }
}

class TwoDebianKernels : public VmTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(TwoDebianKernels, BothRunInVmsAndAreCompared) {
  const std::string test = GetParam();
  auto result = run_memharness({"run", source_config(test), "--kernel", kernels.v6_1.string(), "--kernel",
                                kernels.v6_12.string(), "--results", (scratch() / "results").string()},
                               env, scratch() / "log");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  check_run(scratch() / "results", release_6_1, test);
  check_run(scratch() / "results", release_6_12, test);
  // compare's table, both kernels as columns, and its closing verdict line.
  EXPECT_NE(result.output.find(release_6_1 + "   " + release_6_12), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Result: no gating metric regressed."), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(QuickConfigs, TwoDebianKernels,
                         ::testing::Values("vm-stress-highalloc-quick", "vm-anon-dirty-quick"),
                         [](const auto& param_info) { return param_info.param == "vm-anon-dirty-quick" ? "AnonDirty" : "Highalloc"; });

}  // namespace
}  // namespace memharness::testing
