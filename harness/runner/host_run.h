#pragma once
// A whole run on the host kernel: preconditions, the journal of global changes
// (sysctls, swapfile, cgroups), the run directory and manifest, every iteration,
// and the summary. Restores the system on every way out.
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stop_token>
#include <string>

#include "harness/common/error.h"
#include "harness/config/test_plan.h"
#include "harness/system/cgroup.h"

namespace memharness::system { class SystemRoot; }

namespace memharness::runner {

struct HostRunRequest {
  config::TestPlan plan;
  std::filesystem::path config_file;   // copied into the run directory
  std::string label;                   // empty: the kernel release
  std::optional<int> iterations;       // overrides the config's
  std::filesystem::path results_root;  // "results" by default
  std::filesystem::path state_dir;     // where the journal lives
  bool terminal = false;               // progress as an updating line
};

struct HostRunOutcome {
  ExitCode exit_code = ExitCode::success;
  std::filesystem::path run_directory;
};

// Checks what a host run needs (root, a memory controller, the workloads'
// programs, no unrestored journal) and throws Error(environment) naming what is
// missing; nothing is created before these checks pass. Returns the memory
// controller it found.
system::MemoryController check_host_preconditions(const system::SystemRoot& system, const config::TestPlan& plan,
                              const std::filesystem::path& state_dir);

HostRunOutcome run_on_host(const system::SystemRoot& system, const HostRunRequest& request,
                           std::stop_token stop, std::ostream& out);

}  // namespace memharness::runner
