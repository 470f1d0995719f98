#pragma once
// Where a test session runs, decided before anything runs: the targets that
// `--kernel` and the config's [[kernel]] tables name, and the rules they must
// keep together (one --label for one target only, what --iterations auto and
// --first-iteration need), and a VM's settings from [vm] and the command line.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/config/test_plan.h"
#include "harness/targets/kernel_spec.h"
#include "harness/targets/vm_target.h"

namespace memharness::runner {

// --kernel as given, in order; a bare name that a [[kernel]] table defines is
// that kernel; no --kernel: the config's [[kernel]]s, or the host. Throws
// usage_error for a --label that is not a plain path component, or one given
// with several targets.
std::vector<targets::KernelSpec> session_targets(const std::vector<std::string>& kernels, const config::TestPlan& plan,
                                                 const std::string& label);

// True when a target runs on this machine (and so changes its global state).
bool runs_on_host(const std::vector<targets::KernelSpec>& targets);

// `--iterations auto` stops once the targets' interleaved iterations answer:
// throws usage_error unless they are two or more host variants, or two or more
// kernel images, and nothing else.
void check_interleaved(const std::vector<targets::KernelSpec>& targets);

// --first-iteration (a VM's guest numbers its one iteration): throws
// usage_error unless it is positive, and 1 unless the one target is the host.
void check_first_iteration(int first_iteration, const std::vector<targets::KernelSpec>& targets);

// The command line's --vm-* settings, checked (cli); unset: the config's.
struct VmOverrides {
  std::optional<std::int64_t> memory_bytes;
  std::optional<int> cpus;
  std::optional<std::chrono::seconds> timeout;
};

// The config's [vm], then the overrides over it.
targets::VmSettings vm_settings(const config::VmPlan& plan, const VmOverrides& overrides);

}  // namespace memharness::runner
