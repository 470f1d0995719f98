#include "harness/runner/session_targets.h"

#include "harness/common/error.h"
#include "harness/results/run_directory.h"

namespace memharness::runner {

namespace {

targets::KernelSpec from_config(const config::KernelPlan& kernel) {
  targets::KernelSpec spec;
  spec.kind = targets::KernelKind::image;
  spec.given = kernel.name;
  spec.name = kernel.name;
  spec.image = kernel.image;
  spec.modules = kernel.modules;
  spec.cmdline = targets::split_cmdline(kernel.cmdline);
  for (const auto& s : kernel.sysctls) spec.sysctls.emplace_back(s.name, s.value);
  return spec;
}

}  // namespace

std::vector<targets::KernelSpec> session_targets(const std::vector<std::string>& kernels, const config::TestPlan& plan,
                                                 const std::string& label) {
  std::vector<targets::KernelSpec> specs;
  for (const auto& kernel : kernels) {
    auto spec = targets::parse_kernel_spec(kernel);
    if (spec.kind == targets::KernelKind::stored)
      for (const auto& configured : plan.kernels)
        if (configured.name == spec.name) spec = from_config(configured);
    specs.push_back(std::move(spec));
  }
  if (kernels.empty())
    for (const auto& configured : plan.kernels) specs.push_back(from_config(configured));
  if (specs.empty()) specs.push_back(targets::parse_kernel_spec("host"));
  // The label names a directory under the results root (host and VM runs alike).
  if (!label.empty() && !results::is_valid_path_component(label))
    throw usage_error("--label \"{}\": expected letters, digits and . _ + - only", label);
  if (specs.size() > 1 && !label.empty())
    throw usage_error("--label {}: with several --kernel, name each one with --kernel NAME=PATH instead", label);
  return specs;
}

bool runs_on_host(const std::vector<targets::KernelSpec>& targets) {
  for (const auto& spec : targets)
    if (spec.kind == targets::KernelKind::host) return true;
  return false;
}

void check_interleaved(const std::vector<targets::KernelSpec>& targets) {
  std::size_t hosts = 0;
  std::size_t images = 0;
  for (const auto& spec : targets) {
    hosts += spec.kind == targets::KernelKind::host;
    images += spec.kind == targets::KernelKind::image;
  }
  bool interleaved = (hosts >= 2 && hosts == targets.size()) || (images >= 2 && images == targets.size());
  if (!interleaved)
    throw usage_error(
        "--iterations auto: needs two or more variants of the running kernel (--kernel A=host --kernel "
        "B=host,sysctl=...), or two or more kernel images, and nothing else: their iterations interleave, so the "
        "run can stop when the answer is clear");
}

void check_first_iteration(int first_iteration, const std::vector<targets::KernelSpec>& targets) {
  if (first_iteration < 1 ||
      (first_iteration != 1 && (targets.size() != 1 || targets.front().kind != targets::KernelKind::host)))
    throw usage_error("--first-iteration {}: expected a positive number, with one host kernel (a VM's guest uses it)",
                      first_iteration);
}

targets::VmSettings vm_settings(const config::VmPlan& plan, const VmOverrides& overrides) {
  targets::VmSettings vm;
  if (plan.memory_bytes) vm.memory_bytes = *plan.memory_bytes;
  if (plan.cpus) vm.cpus = *plan.cpus;
  if (plan.scratch_bytes) vm.scratch_bytes = *plan.scratch_bytes;
  if (plan.timeout) vm.timeout = std::chrono::duration_cast<std::chrono::seconds>(*plan.timeout);
  if (overrides.memory_bytes) vm.memory_bytes = *overrides.memory_bytes;
  if (overrides.cpus) vm.cpus = *overrides.cpus;
  if (overrides.timeout) vm.timeout = *overrides.timeout;
  return vm;
}

}  // namespace memharness::runner
