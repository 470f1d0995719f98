// highalloc's THP attempts are made by a child in the test cgroup: the memory
// they fault is charged there, under the test's limit, and not to the
// harness (which is mlocked and OOM-protected: faulting it there pinned it
// outside every limit). Real kernel, root.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <fmt/core.h>

#include "harness/system/cgroup.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"
#include "harness_process.h"
#include "live_state.h"
#include "require.h"
#include "workloads/highalloc/thp_child.h"

namespace memharness::testing {
namespace {

constexpr const char* kPmdSize = "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size";

TEST(ThpChildLive, AttemptsAreChargedToTheTestCgroupNotTheHarness) {
  MEMHARNESS_REQUIRE_ROOT();
  MEMHARNESS_REQUIRE(std::filesystem::exists(kPmdSize), "needs transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE)");
  system::SystemRoot root("/");
  system::MemoryController controller;
  MEMHARNESS_REQUIRE_MEMORY_CONTROLLER(root, controller);
  ScopedStateDir state("thp-child");
  auto journal = system::Journal::begin(root, system::Journal::default_directory());
  auto cgroup = system::create_memory_cgroup(root, controller, fmt::format("memharness-{}-thp", ::getpid()), journal);
  const std::int64_t page_bytes = std::stoll(root.read_value(kPmdSize));
  TempDir tmp("memharness-thp-child-test");

  system::SpawnOptions options;
  options.cgroup_procs_file = root.resolve(cgroup->procs_file());
  options.log_file = tmp.path() / "thp-attempts.log";
  options.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  workloads::highalloc::ThpAttemptChild child(memharness_binary(), page_bytes, options);

  child.attempt();  // the child runs, with its own start-up memory charged
  auto pids = cgroup->pids();
  ASSERT_EQ(pids.size(), 1u) << "the attempt process, alone, is in the test cgroup";
  EXPECT_NE(pids.front(), ::getpid());
  const auto usage_before = cgroup->usage_bytes();
  ASSERT_TRUE(usage_before.has_value());

  constexpr int kAttempts = 8;
  std::int64_t faulted = 0;  // at least: a huge page, or the base page a fallback faults
  int huge = 0;
  for (int i = 0; i < kAttempts; ++i) {
    auto attempt = child.attempt();
    EXPECT_GT(attempt.fault_ms, 0.0);
    huge += attempt.huge ? 1 : 0;
    faulted += attempt.huge ? page_bytes : ::sysconf(_SC_PAGESIZE);
  }
  const auto usage_after = cgroup->usage_bytes();
  ASSERT_TRUE(usage_after.has_value());
  EXPECT_GE(*usage_after - *usage_before, faulted)
      << huge << " of " << kAttempts << " attempts got a huge page; the test cgroup's charge grew by "
      << (*usage_after - *usage_before) << " bytes";

  auto outcome = child.finish();
  EXPECT_TRUE(outcome.exited_zero()) << outcome.failure_sentence() << "\n" << read_file(options.log_file);
  EXPECT_TRUE(cgroup->pids().empty());
  cgroup->kill_all();
  cgroup->remove();
  EXPECT_TRUE(journal.restore().empty());
}

}  // namespace
}  // namespace memharness::testing
