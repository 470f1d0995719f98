#pragma once
// A whole run on the host kernel: preconditions, the journal of global changes
// (sysctls, swapfile, cgroups), the run directory and manifest, every iteration,
// and the summary. Restores the system on every way out.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "harness/common/error.h"
#include "harness/config/test_plan.h"
#include "harness/results/run_manifest.h"
#include "harness/system/cgroup.h"

namespace memharness::system {
class SystemRoot;
}

namespace memharness::runner {

struct HostRunRequest {
  config::TestPlan plan;
  std::filesystem::path config_file;  // copied into the run directory
  std::optional<int> iterations;      // overrides the config's
  // The number of the first iteration (iterations/N): a VM run boots a fresh
  // guest for each iteration (runner/vm_rounds.h) and tells it which one it runs.
  int first_iteration = 1;
  std::filesystem::path results_root;  // "results" by default
  std::filesystem::path state_dir;     // where the journal lives
  bool terminal = false;               // progress as an updating line
  // Asked after each round in which every variant completed its iteration
  // (`--iterations auto`): a reason ends the run there, complete, and is
  // recorded in each manifest's "iterations"; `iterations` is then the maximum.
  std::function<std::optional<std::string>(int rounds, const std::vector<std::filesystem::path>& run_directories)>
      stop_after_round;
  // How stop_after_round looks (`--iterations auto`), for each manifest.
  std::optional<results::SequentialDesign> sequential;
};

struct HostRunOutcome {
  ExitCode exit_code = ExitCode::success;
  std::filesystem::path run_directory;
};

// One of several configurations of the running kernel compared in one run: a
// label and the sysctls set (over the config's) around each of its iterations.
struct HostVariant {
  std::string label;  // distinct from the others'
  std::vector<std::pair<std::string, std::string>> sysctls;
};

// Checks what a host run needs (root, a memory controller, the workloads'
// programs, no unrestored journal) and throws Error(environment) naming what is
// missing; nothing is created before these checks pass. Returns the memory
// controller it found.
system::MemoryController check_host_preconditions(const system::SystemRoot& system, const config::TestPlan& plan,
                                                  const std::filesystem::path& state_dir);

// The running kernel's release, "unknown-kernel" when unreadable: the default label.
std::string running_release(const system::SystemRoot& system);

// Throws Error(usage) when two variants share a label.
void check_distinct_labels(const std::vector<HostVariant>& variants);

// Several variants of the running kernel, each with its own run directory,
// their iterations interleaved in rounds whose order alternates (A B, B A, A B
// ...): whatever drifts during a run (page cache, file-system layout, the
// machine's other load) falls on every variant alike instead of on whichever
// ran second, and a linear drift cancels out over each pair of rounds. One
// journal holds the config's changes for the whole run; a variant's sysctls are
// set before each of its iterations and put back after it. A variant whose
// iteration fails stops; the others go on. Returns one outcome per variant, in
// the order given.
std::vector<HostRunOutcome> run_interleaved_on_host(const system::SystemRoot& system, const HostRunRequest& request,
                                                    const std::vector<HostVariant>& variants, std::stop_token stop,
                                                    std::ostream& out);

}  // namespace memharness::runner
