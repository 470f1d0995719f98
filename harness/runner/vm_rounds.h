#pragma once
// Kernel images run in VMs, one freshly booted guest per iteration, the
// kernels' iterations interleaved in rounds whose order alternates (A B, B A,
// A B ...), as host variants are (host_run.h).
//
// Why a boot per iteration: the iterations of one guest are not independent
// (the second starts from the memory, page cache and fragmentation the first
// left), while the comparison's test treats them as exchangeable; and under
// TCG a guest's timings follow the host's load, which drifts during a run and
// would fall on whichever kernel ran second. A fresh boot costs a few seconds
// (about 5-8 s to the workload under TCG here).
//
// Round 1 of each kernel makes its run directory; later rounds boot into a
// staging directory below the results root and their iteration directory,
// console and boot record are moved into the kernel's run directory, whose
// manifest counts the iterations and lists every boot ("vm"."boots"). Between
// rounds the manifest says "incomplete" (a harness killed there leaves a run
// that says so); it becomes "complete" when the last round is in. A kernel
// whose round fails stops there, its run directory saying which iteration
// failed and why; the others go on.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "harness/results/run_manifest.h"
#include "harness/targets/vm_target.h"

namespace memharness::runner {

struct VmRoundsRequest {
  // One per kernel, in order; their `iterations` and `first_iteration` are
  // set here, round by round.
  std::vector<targets::VmRunRequest> kernels;
  int iterations = 1;
  // As HostRunRequest::stop_after_round: asked after each round every kernel
  // completed; a reason ends the run there, complete.
  std::function<std::optional<std::string>(int rounds, const std::vector<std::filesystem::path>& run_directories)>
      stop_after_round;
  // How stop_after_round looks (`--iterations auto`), for each manifest.
  std::optional<results::SequentialDesign> sequential;
  // One boot; unit tests put a fake guest here.
  std::function<targets::VmRunOutcome(const targets::VmRunRequest&, std::stop_token, std::ostream&)> boot =
      targets::run_in_vm;
};

// The kernels' labels (targets::vm_label); throws usage_error when two are the
// same, since each kernel's rounds gather in its own run directory.
std::vector<std::string> vm_round_labels(const std::vector<targets::VmRunRequest>& kernels);

// Returns one outcome per kernel, in the order given.
std::vector<targets::VmRunOutcome> run_vm_rounds(const VmRoundsRequest& request, std::stop_token stop,
                                                 std::ostream& out);

}  // namespace memharness::runner
