// The end of an iteration: a cgroup that cannot be emptied (a killed process
// that does not go, like a dd in D state) is a sentence for the record, never
// an exception that would throw the finished iteration away.
#include "harness/runner/iteration_cleanup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../system/fake_system.h"

namespace memharness::runner {
namespace {

using system::testing::FakeKiller;
using system::testing::FakeSystem;
using ::testing::HasSubstr;

TEST(EndIterationCgroup, EmptiesAndRemovesTheCgroup) {
  FakeSystem fake;
  FakeKiller killer;
  fake.write("/sys/fs/cgroup/memory/memharness-1-1/cgroup.procs", "11\n12\n");
  auto cgroup = system::open_memory_cgroup(fake.root(), system::CgroupVersion::v1,
                                           "/sys/fs/cgroup/memory/memharness-1-1", killer.killer());
  EXPECT_EQ(end_iteration_cgroup(*cgroup, std::chrono::milliseconds(200)), "");
  EXPECT_FALSE(fake.root().exists("/sys/fs/cgroup/memory/memharness-1-1"));
}

TEST(EndIterationCgroup, AProcessThatDoesNotDieIsReportedNotThrown) {
  FakeSystem fake;
  FakeKiller killer;
  killer.immortal = {12};  // killed, but still listed: a process stuck in D state
  fake.write("/sys/fs/cgroup/memory/memharness-1-1/cgroup.procs", "11\n12\n");
  auto cgroup = system::open_memory_cgroup(fake.root(), system::CgroupVersion::v1,
                                           "/sys/fs/cgroup/memory/memharness-1-1", killer.killer());
  std::string problem;
  EXPECT_NO_THROW(problem = end_iteration_cgroup(*cgroup, std::chrono::milliseconds(200)));
  EXPECT_THAT(problem, HasSubstr("the iteration's cgroup was not cleaned up"));
  EXPECT_THAT(problem, HasSubstr("processes 12 of cgroup /sys/fs/cgroup/memory/memharness-1-1 are still alive"));
  EXPECT_TRUE(fake.root().exists("/sys/fs/cgroup/memory/memharness-1-1"));  // left for the journal's restore
}

}  // namespace
}  // namespace memharness::runner
