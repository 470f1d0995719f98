// Which [sysctl] keys a config may set as root without the command line's say-so.
#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/config/sysctl_policy.h"

namespace memharness::config {
namespace {

TEST(SysctlPolicy, MemoryManagementSysctlsAreAllowedByDefault) {
  for (const char* name : {"vm.swappiness", "vm.dirty_ratio", "vm.nr_hugepages", "kernel.numa_balancing",
                           "kernel.numa_balancing_promote_rate_limit_MBps"})
    EXPECT_TRUE(sysctl_allowed_by_default(name)) << name;
  for (const char* name : {"kernel.core_pattern", "kernel.modprobe", "fs.suid_dumpable", "net.ipv4.ip_forward", "vm.",
                           "kernel.numa_balancingx", "vmx.swappiness"})
    EXPECT_FALSE(sysctl_allowed_by_default(name)) << name;
}

TEST(SysctlPolicy, OthersNeedToBeAllowedOnTheCommandLine) {
  TestPlan plan;
  plan.source_file = "/cfg/core.toml";
  plan.sysctls = {{"vm.swappiness", "10"}, {"kernel.core_pattern", "|/tmp/x"}};
  try {
    check_sysctls_allowed(plan, {});
    ADD_FAILURE() << "kernel.core_pattern accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_STREQ(e.what(),
                 "/cfg/core.toml: [sysctl] key \"kernel.core_pattern\": only vm.* and kernel.numa_balancing* are set "
                 "from a config by default; to let this config set kernel.core_pattern as root, add "
                 "`--allow-sysctl kernel.core_pattern` to the command line");
  }
  EXPECT_NO_THROW(check_sysctls_allowed(plan, {"kernel.core_pattern"}));
  EXPECT_THROW(check_sysctls_allowed(plan, {"kernel.core_pattern_x"}), Error);
}

}  // namespace
}  // namespace memharness::config
