#include "harness/config/sysctl_policy.h"

#include <algorithm>

#include "harness/common/error.h"

namespace memharness::config {

bool sysctl_allowed_by_default(std::string_view name) {
  // NUMA balancing migrates pages between nodes: memory management, though
  // under kernel.*.
  return (name.starts_with("vm.") && name.size() > 3) || name == "kernel.numa_balancing" ||
         name.starts_with("kernel.numa_balancing_");
}

void check_sysctls_allowed(const TestPlan& plan, const std::vector<std::string>& allowed) {
  for (const SysctlSetting& sysctl : plan.sysctls) {
    if (sysctl_allowed_by_default(sysctl.name) ||
        std::find(allowed.begin(), allowed.end(), sysctl.name) != allowed.end())
      continue;
    throw usage_error(
        "{}: [sysctl] key \"{}\": only vm.* and kernel.numa_balancing* are set from a config by default; to let "
        "this config set {} as root, add `--allow-sysctl {}` to the command line",
        plan.source_file.string(), sysctl.name, sysctl.name, sysctl.name);
  }
}

}  // namespace memharness::config
