#pragma once
// Launching qemu-system-x86_64: the accelerator (KVM when a probe guest really
// boots, TCG otherwise), the command line, and one boot with the console saved
// to a file and a deadline after which the guest is killed.
#include <chrono>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace memharness::targets {

struct Accelerator {
  bool kvm = false;
  std::string reason;  // why TCG: "/dev/kvm missing", "a KVM probe guest did not boot in 15s", ...
};

// MEMHARNESS_VM_ACCEL=kvm|tcg decides when set. Otherwise, with /dev/kvm
// usable, boots `probe_kernel` under KVM with no root (it must print its banner
// within 15 s; on the development machines /dev/kvm exists but guests hang or
// fail). The answer is cached per boot of the host in `cache_dir`.
Accelerator choose_accelerator(const std::filesystem::path& probe_kernel, const std::filesystem::path& cache_dir);

struct VmLaunch {
  std::filesystem::path kernel;
  std::filesystem::path initramfs;
  std::filesystem::path scratch_disk;
  std::vector<std::string> kernel_arguments;  // appended to the harness's own
  std::int64_t memory_bytes = 2LL << 30;
  int cpus = 2;
  Accelerator accelerator;
};

std::vector<std::string> qemu_command(const VmLaunch& launch);

// A value inside a qemu option list ("file=VALUE,format=raw"): commas doubled,
// as qemu reads ",," as a literal comma, so a path cannot add options.
std::string qemu_option_value(const std::string& value);

struct VmOutcome {
  bool started = false;  // qemu ran (false: failure says why)
  bool timed_out = false;
  bool stopped = false;  // interrupted by the user
  int exit_status = -1;
  std::string failure;
  double elapsed_s = 0;
};

// Boots and waits for qemu to exit (the guest powers off, or panics with
// panic=-1 under -no-reboot), the deadline, or a stop request.
VmOutcome boot_vm(const VmLaunch& launch, const std::filesystem::path& console_log,
                  std::chrono::steady_clock::time_point deadline, std::stop_token stop);

}  // namespace memharness::targets
