#pragma once
// Which sysctls a config may set. A config file is data that anyone with write
// access to it controls, but memharness applies it as root: `[sysctl]
// kernel.core_pattern = "|/tmp/x"` would make the kernel run a program. The
// memory-management sysctls (vm.*, and the few MM knobs elsewhere) are what
// tests are about and are allowed; any other key needs the person running
// memharness to say so with `--allow-sysctl KEY`.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/config/test_plan.h"

namespace memharness::config {

// vm.*, kernel.numa_balancing*.
bool sysctl_allowed_by_default(std::string_view name);

// Throws Error(usage) naming the config file and the first [sysctl] key that is
// neither allowed by default nor listed in `allowed`.
void check_sysctls_allowed(const TestPlan& plan, const std::vector<std::string>& allowed);

}  // namespace memharness::config
