// find_memory_controller on the layouts memharness meets: hybrid v1 hosts (the
// development machines), pure v2 guests (hand-made and captured from 6.1/6.12).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_system.h"
#include "harness/common/error.h"
#include "harness/system/cgroup.h"

namespace memharness::system {
namespace {

using testing::FakeSystem;
using ::testing::HasSubstr;

std::string error_of(const FakeSystem& fake) {
  try {
    find_memory_controller(fake.root());
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    return e.what();
  }
  ADD_FAILURE() << "find_memory_controller did not throw";
  return "";
}

TEST(CgroupDetect, HybridHostUsesTheV1MemoryHierarchy) {
  FakeSystem fake;
  testing::make_hybrid_v1_host(fake, "/process_api/11eb6c64");
  auto controller = find_memory_controller(fake.root());
  EXPECT_EQ(controller.version, CgroupVersion::v1);
  EXPECT_EQ(controller.mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(controller.own_path, "/process_api/11eb6c64");
  EXPECT_EQ(controller.own_cgroup(), "/sys/fs/cgroup/memory/process_api/11eb6c64");
}

TEST(CgroupDetect, HybridHostWithMemoryAmongOtherControllersOfOneHierarchy) {
  FakeSystem fake;
  fake.write("/proc/mounts", "cgroup /sys/fs/cgroup/memory,cpu cgroup rw,nosuid,cpu,memory 0 0\n");
  fake.write("/proc/self/cgroup", "3:cpu,memory:/user/42\n0::/\n");
  fake.mkdir("/sys/fs/cgroup/memory,cpu/user/42");
  auto controller = find_memory_controller(fake.root());
  EXPECT_EQ(controller.version, CgroupVersion::v1);
  EXPECT_EQ(controller.own_cgroup(), "/sys/fs/cgroup/memory,cpu/user/42");
}

TEST(CgroupDetect, PureV2GuestInTheRootCgroup) {
  FakeSystem fake;
  testing::make_pure_v2_guest(fake);
  auto controller = find_memory_controller(fake.root());
  EXPECT_EQ(controller.version, CgroupVersion::v2);
  EXPECT_EQ(controller.mount_point, "/sys/fs/cgroup");
  EXPECT_EQ(controller.own_path, "/");
  EXPECT_EQ(controller.own_cgroup(), "/sys/fs/cgroup");
}

TEST(CgroupDetect, PureV2InANestedCgroup) {
  FakeSystem fake;
  testing::make_pure_v2_guest(fake, "/user.slice/session-1.scope");
  auto controller = find_memory_controller(fake.root());
  EXPECT_EQ(controller.version, CgroupVersion::v2);
  EXPECT_EQ(controller.own_cgroup(), "/sys/fs/cgroup/user.slice/session-1.scope");
}

TEST(CgroupDetect, MountPointsWithEscapedBlanks) {
  FakeSystem fake;
  fake.write("/proc/mounts", "cgroup2 /mnt/cg\\040two cgroup2 rw 0 0\n");
  fake.write("/proc/self/cgroup", "0::/\n");
  fake.write("/mnt/cg two/cgroup.controllers", "memory\n");
  EXPECT_EQ(find_memory_controller(fake.root()).mount_point, "/mnt/cg two");
}

TEST(CgroupDetect, NoMemoryControllerAnywhere) {
  FakeSystem fake;
  // A hybrid host whose v1 side lacks memory and whose v2 side has none either.
  fake.write("/proc/mounts",
             "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
             "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n");
  fake.write("/proc/self/cgroup", "1:cpu:/\n0::/\n");
  fake.write("/sys/fs/cgroup/unified/cgroup.controllers", "\n");
  EXPECT_EQ(error_of(fake),
            "no cgroup memory controller is mounted (looked in /proc/mounts for cgroup2 with memory in "
            "cgroup.controllers, or cgroup with the memory option)");
}

TEST(CgroupDetect, V2WithoutMemoryInTheRootControllers) {
  FakeSystem fake;
  testing::make_pure_v2_guest(fake);
  fake.write("/sys/fs/cgroup/cgroup.controllers", "cpu io pids\n");
  EXPECT_THAT(error_of(fake), HasSubstr("no cgroup memory controller is mounted"));
}

TEST(CgroupDetect, OwnCgroupNotVisibleBelowTheMount) {
  FakeSystem fake;
  testing::make_hybrid_v1_host(fake);
  fake.write("/proc/self/cgroup", "4:memory:/somewhere/else\n0::/\n");
  EXPECT_THAT(error_of(fake), HasSubstr("/somewhere/else"));
  EXPECT_THAT(error_of(fake), HasSubstr("cgroup namespace"));
}

// The guests' own files, captured under qemu (tests/fixtures/capture/).
class CapturedGuest : public ::testing::TestWithParam<const char*> {};

TEST_P(CapturedGuest, DetectsPureV2) {
  auto captured = testing::kernel_fixture(GetParam());
  if (!std::filesystem::exists(captured / "cgroup-v2")) GTEST_SKIP() << "no capture of " << GetParam();
  FakeSystem fake;
  fake.copy(captured / "proc/mounts", "/proc/mounts");
  fake.copy(captured / "proc/self/cgroup", "/proc/self/cgroup");
  fake.copy(captured / "cgroup-v2", "/sys/fs/cgroup");
  auto controller = find_memory_controller(fake.root());
  EXPECT_EQ(controller.version, CgroupVersion::v2);
  EXPECT_EQ(controller.mount_point, "/sys/fs/cgroup");
  EXPECT_EQ(controller.own_path, "/");
}

INSTANTIATE_TEST_SUITE_P(Kernels, CapturedGuest, ::testing::Values("6.1", "6.12"), testing::kernel_test_name);

}  // namespace
}  // namespace memharness::system
