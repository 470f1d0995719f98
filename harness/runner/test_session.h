#pragma once
// One test on the targets a command names, in one go: every variant of the
// running kernel at once, interleaved (host_run.h); every kernel image at once,
// one guest per iteration (vm_rounds.h); stored runs named by label as they
// are. `run` and `nightly` both run their tests through a session; they index
// the runs it made and compare what it returns (analysis and history are not
// below the runner).
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "harness/common/error.h"
#include "harness/config/test_plan.h"
#include "harness/runner/early_stop.h"
#include "harness/runner/host_run.h"
#include "harness/runner/session_targets.h"
#include "harness/runner/vm_rounds.h"
#include "harness/targets/kernel_spec.h"
#include "harness/targets/vm_target.h"

namespace memharness::system {
class SystemRoot;
}

namespace memharness::runner {

// What runs a session's targets; unit tests put fakes here.
struct SessionRunners {
  std::function<std::vector<HostRunOutcome>(const system::SystemRoot&, const HostRunRequest&,
                                            const std::vector<HostVariant>&, std::stop_token, std::ostream&)>
      host = run_interleaved_on_host;
  std::function<std::vector<targets::VmRunOutcome>(const VmRoundsRequest&, std::stop_token, std::ostream&)> vm_rounds =
      run_vm_rounds;
  std::function<void(const targets::KernelSpec&)> check_vm = targets::check_vm_preconditions;
};

struct TestSessionRequest {
  const config::TestPlan& plan;  // outlives the session
  std::filesystem::path config_file;
  std::vector<targets::KernelSpec> targets;  // session_targets(), or the host
  std::string label;                         // --label (one target only); empty: the kernel's
  std::optional<int> iterations;             // overrides the config's
  int first_iteration = 1;                   // a VM's guest: the one iteration it runs
  std::filesystem::path results_root;
  std::filesystem::path state_dir;  // where a host run's journal lives
  VmOverrides vm;
  std::vector<std::string> allowed_sysctls;  // --allow-sysctl, also a guest's
  bool terminal = false;                     // progress as an updating line
  EarlyStop* early_stop = nullptr;           // `--iterations auto`; outlives the session
  SessionRunners runners;
};

// One target's run: where its run directory is and how it ended.
struct TargetOutcome {
  std::string target;  // as given; a VM run's label once it has a run directory
  std::filesystem::path run_directory;
  ExitCode exit_code = ExitCode::success;
  std::string failure;  // why it is not compared; empty when it completed
  bool stored = false;  // results stored earlier, named by label; not a run made now
};

struct SessionOutcome {
  // The targets that have a run directory (an interrupt can keep some from
  // running), in the order given.
  std::vector<TargetOutcome> targets;

  // The run directories made now (for the history index), in order.
  std::vector<std::filesystem::path> runs_made() const;
  // The run directories to compare, in order: every target that completed.
  std::vector<std::filesystem::path> comparable() const;
  // The worst of the targets' exit codes.
  ExitCode exit_code() const;
};

class TestSession {
 public:
  // Checks everything that can be checked before the first target runs (a
  // bad label or a missing image must not cost a whole run of the others):
  // stored labels resolve, VMs can run, no two targets share a label. Throws.
  TestSession(const system::SystemRoot& system, TestSessionRequest request);

  // Runs every target, each group in the place of its first member; stops
  // starting targets once `stop` is requested.
  SessionOutcome run(std::stop_token stop, std::ostream& out);

 private:
  void run_host_variants(std::stop_token stop, std::ostream& out, std::vector<std::optional<TargetOutcome>>& outcomes);
  void run_images(std::stop_token stop, std::ostream& out, std::vector<std::optional<TargetOutcome>>& outcomes);
  // --iterations auto around a group's run: said before, wired in, its ending said after.
  template <typename Request>
  void arm_early_stop(Request& request, std::ostream& out);
  void say_early_stop_ending(std::stop_token stop, std::ostream& out) const;

  const system::SystemRoot& system_;
  TestSessionRequest request_;
  std::vector<std::optional<std::filesystem::path>> stored_;  // per target: its resolved stored run
  std::vector<std::size_t> host_indices_;
  std::vector<HostVariant> host_variants_;
  std::vector<std::size_t> image_indices_;
  VmRoundsRequest vm_rounds_;
};

}  // namespace memharness::runner
