#include "harness/targets/qemu_vm.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <fmt/core.h>
#include <fmt/format.h>

#include "harness/common/file_text.h"
#include "harness/common/line_splitter.h"
#include "harness/targets/host_command.h"

namespace memharness::targets {

namespace fs = std::filesystem;

namespace {

constexpr auto kvm_probe_limit = std::chrono::seconds(15);

Accelerator probe_kvm(const fs::path& probe_kernel, const fs::path& work_dir) {
  if (::access("/dev/kvm", R_OK | W_OK) != 0) return {false, "/dev/kvm is missing or not usable"};
  fs::path console = work_dir / fmt::format("kvm-probe-{}.log", ::getpid());
  auto probe = host_command({"qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "256", "-nodefaults",
                             "-display", "none", "-no-reboot", "-serial", "file:" + console.string(), "-kernel",
                             probe_kernel.string(), "-append", "console=ttyS0 panic=-1"},
                            work_dir / fmt::format("kvm-probe-{}.qemu.log", ::getpid()));
  probe.deadline = std::chrono::steady_clock::now() + kvm_probe_limit;
  auto outcome = system::run_process(probe);
  bool booted = false;  // line by line: a guest stuck printing cannot make this read a huge file whole
  for_each_line(console, [&booted](std::string_view line) {
    booted = booted || line.find("Linux version") != std::string_view::npos;
  });
  std::error_code ec;
  fs::remove(console, ec);
  fs::remove(work_dir / fmt::format("kvm-probe-{}.qemu.log", ::getpid()), ec);
  if (booted) return {true, ""};
  if (outcome.timed_out)
    return {false, fmt::format("a KVM probe guest printed nothing in {}s", kvm_probe_limit.count())};
  return {false, fmt::format("a KVM probe guest failed: {}", outcome.failure_sentence())};
}

}  // namespace

Accelerator choose_accelerator(const fs::path& probe_kernel, const fs::path& cache_dir) {
  if (const char* forced = std::getenv("MEMHARNESS_VM_ACCEL")) {
    if (std::string(forced) == "kvm") return {true, ""};
    if (std::string(forced) == "tcg") return {false, "MEMHARNESS_VM_ACCEL=tcg"};
  }
  std::string boot_id = read_file_text("/proc/sys/kernel/random/boot_id");
  while (!boot_id.empty() && boot_id.back() == '\n') boot_id.pop_back();
  fs::create_directories(cache_dir);
  fs::path cached = cache_dir / fmt::format("kvm-probe-{}", boot_id);
  std::error_code ec;
  if (fs::is_regular_file(cached, ec)) {
    std::string answer = read_file_text(cached);
    if (answer.rfind("kvm", 0) == 0) return {true, ""};
    return {false, answer.substr(answer.find(' ') + 1) + " (probed earlier in this boot)"};
  }
  auto accelerator = probe_kvm(probe_kernel, cache_dir);
  std::ofstream(cached) << (accelerator.kvm ? "kvm" : "tcg " + accelerator.reason);
  return accelerator;
}

std::string qemu_option_value(const std::string& value) {
  std::string escaped;
  for (char c : value) escaped += c == ',' ? std::string(",,") : std::string(1, c);
  return escaped;
}

std::vector<std::string> qemu_command(const VmLaunch& launch) {
  std::vector<std::string> arguments{"console=ttyS0", "panic=-1", "loglevel=4", "rdinit=/init"};
  arguments.insert(arguments.end(), launch.kernel_arguments.begin(), launch.kernel_arguments.end());
  std::vector<std::string> argv{"qemu-system-x86_64"};
  if (launch.accelerator.kvm) {
    argv.insert(argv.end(), {"-accel", "kvm", "-cpu", "host"});
  } else {
    argv.insert(argv.end(), {"-accel", "tcg,thread=multi", "-cpu", "max"});
  }
  argv.insert(
      argv.end(),
      {"-m",          fmt::format("{}M", launch.memory_bytes >> 20),
       "-smp",        std::to_string(launch.cpus),
       "-nodefaults", "-display",
       "none",        "-no-reboot",
       "-serial",     "stdio",
       "-rtc",        "base=utc",
       "-kernel",     launch.kernel.string(),
       "-initrd",     launch.initramfs.string(),
       "-append",     fmt::format("{}", fmt::join(arguments, " ")),
       "-drive",      fmt::format("file={},format=raw,if=virtio", qemu_option_value(launch.scratch_disk.string()))});
  return argv;
}

VmOutcome boot_vm(const VmLaunch& launch, const fs::path& console_log, std::chrono::steady_clock::time_point deadline,
                  std::stop_token stop) {
  auto options = host_command(qemu_command(launch), console_log);
  options.deadline = deadline;
  options.stop = stop;
  auto outcome = system::run_process(options);
  return {.started = outcome.started,
          .timed_out = outcome.timed_out,
          .stopped = outcome.stopped,
          .exit_status = outcome.exit_status,
          .failure = outcome.exited_zero() ? "" : outcome.failure_sentence(),
          .elapsed_s = outcome.elapsed_s};
}

}  // namespace memharness::targets
