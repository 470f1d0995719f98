// A harness in a cgroup v2 cgroup of its own, not the root: what
// `systemd-run --scope -p Delegate=yes memharness ...` gives on a systemd host,
// where every shell sits in a session scope. The guest's init starts the
// harness alone in /sys/fs/cgroup/run-memharness.scope (memharness.cgroup= on
// the command line); the harness moves itself into a leaf below it so the
// scope can pass the memory controller on to the test cgroup, runs, and
// restores all of it.
#include <gtest/gtest.h>

#include "harness_process.h"
#include "require.h"
#include "vm_kernels.h"

namespace memharness::testing {
namespace {

class DelegatedCgroup : public VmTest {};

TEST_F(DelegatedCgroup, TheHarnessRunsFromAScopeOfItsOwnAndLeavesItAsItWas) {
  const std::string test = "vm-anon-dirty-quick";
  auto result = run_memharness({"run", source_config(test), "--kernel",
                                "scoped=" + kernels.v6_12.string() + ",cmdline=memharness.cgroup=run-memharness.scope",
                                "--results", (scratch() / "results").string()},
                               env, scratch() / "log");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto runs = run_directories(scratch() / "results", "scoped", test);
  ASSERT_EQ(runs.size(), 1u) << result.output;
  auto manifest = read_json(runs.front() / "manifest.json");
  EXPECT_EQ(manifest["status"], "complete") << manifest.value("status_reason", "");
  EXPECT_EQ(manifest["cgroup"]["version"], "v2");
  EXPECT_EQ(manifest["cgroup"]["parent"], "/run-memharness.scope");

  // The test cgroup below the scope had its limit and reclaimed under it.
  auto record = read_json(runs.front() / "iterations" / "1" / "result.json");
  EXPECT_EQ(record["status"], "complete");
  EXPECT_NE(record["cgroup"]["path"].get<std::string>().find("/sys/fs/cgroup/run-memharness.scope/memharness-"),
            std::string::npos)
      << record["cgroup"].dump();
  EXPECT_GT(record["memcg"]["events_delta"]["max"].get<long long>(), 0) << record["memcg"].dump();
  EXPECT_GT(record["memcg"]["stat_delta"]["pgsteal_direct"].get<long long>(), 0) << record["memcg"].dump();
  auto tracepoints = read_json(runs.front() / "iterations" / "1" / "tracepoints.json");
  EXPECT_EQ(tracepoints["attribution"]["method"], "cgroup-id");
  EXPECT_GT(
      tracepoints["scopes"]["workload"]["contexts"]["memcg_reclaim"]["reclaim"]["pages_reclaimed"].get<long long>(), 0);

  // After the run the scope holds no cgroup of the harness and passes no
  // controller on: the leaf, the test cgroup and +memory were all restored.
  auto console = read_file(runs.front() / "console.log");
  EXPECT_NE(console.find("memharness-guest: harness cgroup /sys/fs/cgroup/run-memharness.scope after the run: "
                         "children=[] subtree_control=[]"),
            std::string::npos)
      << console;
  EXPECT_EQ(result.output.find("could not"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace memharness::testing
