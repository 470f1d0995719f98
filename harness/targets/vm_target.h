#pragma once
// A run inside a VM: the kernel image booted under qemu with the harness's
// initramfs, the same memharness code running the test in the guest (cgroup v2,
// tracefs, BPF against the guest kernel's BTF), the run directory carried back on
// the scratch disk and verified against the guest's checksums, the console saved
// beside it. A panic, an oops, a hang or a timeout becomes that kernel's result:
// a run directory with status "failed", the reason and the console excerpt.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stop_token>
#include <string>

#include "harness/common/error.h"
#include "harness/config/test_plan.h"
#include "harness/targets/kernel_spec.h"

namespace memharness::targets {

struct VmSettings {
  std::int64_t memory_bytes = 2LL << 30;
  int cpus = 2;
  std::int64_t scratch_bytes = 4LL << 30;
  // Deadline of each guest (runner/vm_rounds.h boots one per iteration);
  // nullopt: 2 minutes of boot margin plus every phase's timeout times the
  // guest's iterations.
  std::optional<std::chrono::seconds> timeout;
};

struct VmRunRequest {
  KernelSpec kernel;
  const config::TestPlan* plan = nullptr;
  std::filesystem::path config_file;
  std::optional<int> iterations;
  int first_iteration = 1;  // the number the guest gives its first iteration (iterations/N)
  std::filesystem::path results_root;
  std::filesystem::path cache_dir;  // initramfs archives and the KVM probe's answer
  VmSettings vm;
  std::vector<std::string> allowed_sysctls;  // --allow-sysctl, passed on to the guest's run
};

struct VmRunOutcome {
  ExitCode exit_code = ExitCode::success;
  std::filesystem::path run_directory;
  std::string failure;  // empty when the guest's run completed
};

// Checks what a VM run needs before anything is created (qemu, mkfs.ext4,
// debugfs, busybox, stress-ng, the image and its modules); throws.
void check_vm_preconditions(const KernelSpec& kernel);

// The label a VM run of `kernel` is stored under: its name, else the image's
// release. Throws usage_error when that is not one plain path component.
std::string vm_label(const KernelSpec& kernel);

// One boot. Its run directory lands below request.results_root; runner/vm_rounds.h
// boots one per iteration and gathers them into each kernel's run directory.
VmRunOutcome run_in_vm(const VmRunRequest& request, std::stop_token stop, std::ostream& out);

// The cache below $MEMHARNESS_CACHE_DIR, default /var/cache/memharness.
std::filesystem::path default_cache_dir();

}  // namespace memharness::targets
