#include "harness/targets/vm_target.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <ostream>

#include <fmt/core.h>

#include "harness/common/atomic_file.h"
#include "harness/common/file_text.h"
#include "harness/common/owned_files.h"
#include "harness/common/utc_time.h"
#include "harness/results/run_directory.h"
#include "harness/results/run_reader.h"
#include "harness/results/staging_directory.h"
#include "harness/system/process.h"
#include "harness/system/procfs/process_status.h"
#include "harness/system/system_root.h"
#include "harness/targets/checksums.h"
#include "harness/targets/console_follower.h"
#include "harness/targets/console_verdict.h"
#include "harness/targets/initramfs.h"
#include "harness/targets/kernel_image.h"
#include "harness/targets/qemu_vm.h"
#include "harness/targets/scratch_disk.h"

namespace memharness::targets {

namespace fs = std::filesystem;

namespace {

constexpr auto boot_margin = std::chrono::seconds(120);
constexpr int boot_attempts = 2;  // see the boot loop in run_in_vm
constexpr std::string_view busybox_path = "/bin/busybox";

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::chrono::seconds vm_timeout(const VmRunRequest& request) {
  if (request.vm.timeout) return *request.vm.timeout;
  // In seconds as floating point, capped: phases x iterations of long timeouts
  // overflowed nanoseconds and the guest was killed at once "as hung".
  double phases_s = 0;
  for (const auto& phase : request.plan->phases) phases_s += std::chrono::duration<double>(phase.timeout).count();
  int iterations = request.iterations.value_or(request.plan->iterations);
  constexpr double max_s = 10.0 * 365 * 24 * 3600;
  double total_s = std::min(max_s, static_cast<double>(boot_margin.count()) + phases_s * iterations);
  return std::chrono::seconds(static_cast<std::int64_t>(total_s));
}

// Where the guest's run directory landed under `results` (results/<label>/<test>/<ts>).
std::optional<fs::path> find_returned_run(const fs::path& results) {
  std::error_code ec;
  for (const auto& label : fs::directory_iterator(results, ec))
    for (const auto& test : fs::directory_iterator(label.path(), ec))
      for (const auto& run : fs::directory_iterator(test.path(), ec))
        if (results::is_run_directory(run.path())) return run.path();
  return std::nullopt;
}

fs::path move_into_results(const fs::path& returned, const fs::path& returned_root, const fs::path& results_root) {
  fs::path target = results_root / returned.lexically_relative(returned_root);
  fs::create_directories(target.parent_path());
  for (int suffix = 2; fs::exists(target); ++suffix)
    target = results_root / (returned.lexically_relative(returned_root).string() + "-" + std::to_string(suffix));
  fs::rename(returned, target);
  return target;
}

std::string failure_reason(const ConsoleVerdict& console, const VmOutcome& vm, const std::chrono::seconds& timeout) {
  if (console.panic) return "kernel panic: " + console.first_problem_line;
  if (vm.timed_out)
    return fmt::format("the guest did not finish within {}s (hang or timeout){}", timeout.count(),
                       console.oops ? ": " + console.first_problem_line : "");
  if (vm.stopped) return "interrupted: the VM was stopped";
  if (!console.guest_error.empty()) return "guest init: " + console.guest_error;
  if (!vm.failure.empty()) return "qemu: " + vm.failure;
  if (!console.finished) return "the guest stopped before its run finished";
  return "";
}

}  // namespace

fs::path default_cache_dir() {
  const char* dir = std::getenv("MEMHARNESS_CACHE_DIR");
  return dir && *dir ? fs::path(dir) : fs::path("/var/cache/memharness");
}

void check_vm_preconditions(const KernelSpec& kernel) {
  for (const char* program : {"qemu-system-x86_64", "mkfs.ext4", "debugfs", "ldd", "stress-ng"})
    if (!system::find_program(program))
      throw environment_error("--kernel {}: a VM run needs `{}`, which is not on PATH (install it: ci/setup.sh)",
                              kernel.given, program);
  std::error_code ec;
  if (!fs::is_regular_file(busybox_path, ec))
    throw environment_error("--kernel {}: a VM run needs a static busybox at {} (package busybox-static)", kernel.given,
                            busybox_path);
  locate_kernel(kernel.image, kernel.modules);  // throws usage_error naming what is missing
}

namespace {

// `kernel`'s name, else the release of its image (located already).
std::string vm_label(const KernelSpec& kernel, const KernelImage& image) {
  std::string label = kernel.name.empty() ? image.release : kernel.name;
  // It names the work area below the results root, which is removed with
  // everything in it: one plain path component, however it got here.
  if (!results::is_valid_path_component(label))
    throw usage_error("--kernel {}: label \"{}\": expected letters, digits and . _ + - only", kernel.given, label);
  return label;
}

}  // namespace

std::string vm_label(const KernelSpec& kernel) {
  return vm_label(kernel, kernel.name.empty() ? locate_kernel(kernel.image, kernel.modules) : KernelImage{});
}

VmRunOutcome run_in_vm(const VmRunRequest& request, std::stop_token stop, std::ostream& out) {
  const auto& plan = *request.plan;
  auto kernel = locate_kernel(request.kernel.image, request.kernel.modules);
  std::string label = vm_label(request.kernel, kernel);
  out << fmt::format("== {} on {} ({}) in a VM\n", plan.name, label, kernel.image.string());

  auto accelerator = choose_accelerator(kernel.image, request.cache_dir);
  if (!accelerator.kvm)
    out << fmt::format(
        "memharness: warning: KVM is not usable ({}): the guest runs under TCG, "
        "~10-20x slower; compare timings only with runs under TCG\n",
        accelerator.reason);
  auto initramfs = build_initramfs({.kernel = kernel,
                                    .memharness = fs::read_symlink("/proc/self/exe"),
                                    .busybox = busybox_path,
                                    .programs = {*system::find_program("stress-ng")},
                                    .cache_dir = request.cache_dir / "initramfs"});

  // The work area sits beside the results, so the run directory moves in by rename.
  fs::create_directories(request.results_root);
  // A new directory with a name nobody can guess (never an existing one adopted).
  // Removed on every way out: the scratch image is as large as the guest wrote.
  // Its lock lets the next VM run remove it after a death that skips this.
  struct WorkArea {
    results::StagingDirectory dir;
    ~WorkArea() {
      try {
        remove_tree(dir.path());
      } catch (const std::exception&) {
        // Left behind, still locked until this process ends: the next VM run
        // in this results root removes it (results/staging_directory.h).
      }
    }
  } work_area{results::StagingDirectory::create(request.results_root, "vm", label)};
  const fs::path& work = work_area.dir.path();
  fs::create_directories(work / "disk" / "job");
  fs::copy_file(request.config_file, work / "disk" / "job" / "config.toml");
  std::vector<std::string> args;
  if (!request.kernel.name.empty()) args.insert(args.end(), {"--label", request.kernel.name});
  if (request.iterations) args.insert(args.end(), {"--iterations", std::to_string(*request.iterations)});
  if (request.first_iteration != 1)
    args.insert(args.end(), {"--first-iteration", std::to_string(request.first_iteration)});
  for (const auto& key : request.allowed_sysctls) args.insert(args.end(), {"--allow-sysctl", key});
  std::string args_text;
  for (const auto& a : args) args_text += shell_quote(a) + " ";
  std::ofstream(work / "disk" / "job" / "args") << args_text << '\n';
  fs::path disk = work / "scratch.img";

  VmLaunch launch{.kernel = kernel.image,
                  .initramfs = initramfs.file,
                  .scratch_disk = disk,
                  .kernel_arguments = request.kernel.boot_arguments(),
                  .memory_bytes = request.vm.memory_bytes,
                  .cpus = request.vm.cpus,
                  .accelerator = accelerator};
  auto timeout = vm_timeout(request);
  auto started_at = std::chrono::system_clock::now();
  fs::path console_log = work / "console.log";
  VmOutcome vm;
  ConsoleVerdict console;
  // Kernels that panicked or oopsed before the guest's init began: booted once
  // more, their consoles kept. Under TCG an early oops can be the emulator's
  // (a 6.12 guest once hit int3 in a just-patched static key in
  // blake2s_compress); a kernel that really cannot boot fails twice.
  nlohmann::json failed_boots = nlohmann::json::array();
  for (int attempt = 1;; ++attempt) {
    make_scratch_disk(disk, request.vm.scratch_bytes, work / "disk");
    // One pass over the console as qemu writes it: the guest's output shown,
    // the verdict kept; never the whole console in memory.
    GuestOutputFilter guest_output;
    ConsoleScanner scanner;
    ConsoleFollower follower(console_log, [&](std::string_view line) {
      scanner.add_line(line);
      if (auto passed = guest_output.pass(line)) out << *passed << '\n' << std::flush;
    });
    vm = boot_vm(launch, console_log, std::chrono::steady_clock::now() + timeout, stop);
    follower.finish();
    console = scanner.verdict();
    bool failed_before_init = !console.began && (console.panic || console.oops) && !vm.stopped && !vm.timed_out;
    if (!failed_before_init || attempt == boot_attempts) break;
    std::string kept = fmt::format("console-boot-{}.log", attempt);
    fs::rename(console_log, work / kept);
    failed_boots.push_back({{"problem", console.first_problem_line}, {"console", kept}});
    out << fmt::format("memharness: warning: {} failed before the guest's init began ({}); booting it once more{}\n",
                       label, console.first_problem_line,
                       accelerator.kvm ? "" : " (under TCG this can be the emulator)");
  }

  fs::path returned_root = work / "out" / "results";
  bool have_results = copy_out_of_scratch_disk(disk, "/results", work / "out");
  copy_out_of_scratch_disk(disk, "/job", work / "out");
  std::vector<std::string> checksum_problems;
  std::optional<fs::path> returned = have_results ? find_returned_run(returned_root) : std::nullopt;
  if (returned) {
    std::error_code ec;
    if (fs::is_regular_file(work / "out" / "job" / "SHA256SUMS", ec))
      checksum_problems = verify_checksums(returned_root, read_file_text(work / "out" / "job" / "SHA256SUMS"));
    else
      checksum_problems.push_back("the guest wrote no SHA256SUMS: its results cannot be verified");
  }

  nlohmann::json vm_record = {
      {"accelerator", accelerator.kvm ? "kvm" : "tcg"},
      {"tcg_reason", accelerator.reason},
      {"kernel_image", fs::absolute(kernel.image).string()},
      {"modules_dir", fs::absolute(kernel.modules_dir).string()},
      {"release", kernel.release},
      {"extra_cmdline", request.kernel.boot_arguments()},
      {"memory_bytes", request.vm.memory_bytes},
      {"cpus", request.vm.cpus},
      {"timeout_s", timeout.count()},
      {"initramfs",
       {{"sha256", initramfs.hash},
        {"cached", initramfs.cached},
        {"seconds", initramfs.seconds},
        {"modules",
         [&] {
           std::vector<std::string> names;
           for (const auto& m : initramfs.modules.load_order) names.push_back(m.name);
           return names;
         }()}}},
      {"elapsed_s", vm.elapsed_s},
      {"boot_to_workload_s",
       console.boot_to_workload_s ? nlohmann::json(*console.boot_to_workload_s) : nlohmann::json()},
      {"timed_out", vm.timed_out},
      {"boot_attempts", failed_boots.size() + 1},
      {"failed_boots", failed_boots},
      {"console", {{"panic", console.panic}, {"oops", console.oops}, {"finished", console.finished}}},
      {"checksums", {{"verified", returned.has_value() && checksum_problems.empty()}, {"problems", checksum_problems}}},
      // This (host) harness's peak so far: it follows the console and copies the results out.
      {"host_harness_peak_rss_kb",
       results::value_or_null(system::procfs::read_own_memory(system::SystemRoot("/")).peak_rss_kb)},
  };
  std::string reason = failure_reason(console, vm, timeout);
  if (reason.empty() && !checksum_problems.empty()) reason = "results damaged: " + checksum_problems.front();
  if (reason.empty() && !returned) {
    // The guest's harness refused before creating anything (a config that does
    // not fit the guest, a missing precondition): its own one-line error says why.
    std::string status = read_file_text(work / "out" / "job" / "exit-status");
    reason = fmt::format("the guest's memharness exited {} without a run directory{}",
                         status.empty() ? "?" : status.substr(0, status.find('\n')),
                         console.guest_harness_message.empty() ? "" : ": " + console.guest_harness_message);
  }

  VmRunOutcome outcome;
  results::RunManifest manifest;
  if (returned) {
    outcome.run_directory = move_into_results(*returned, returned_root, request.results_root);
    manifest = results::read_run(outcome.run_directory).manifest;
  } else {
    auto dir = results::RunDirectory::create(request.results_root, label, plan.name, started_at);
    outcome.run_directory = dir.path();
    fs::copy_file(request.config_file, dir.path() / "config.toml");
    manifest.test = plan.name;
    manifest.description = plan.description;
    manifest.label = label;
    manifest.started_at = timestamp_iso8601(started_at);
    manifest.config =
        results::RunConfig{.source = request.config_file.string(), .hash = plan.config_hash, .resolved = {}};
    manifest.iterations.emplace().planned = request.iterations.value_or(plan.iterations);
    manifest.machine = nlohmann::json{{"kernel", {{"release", kernel.release}}}};
  }
  manifest.target = "vm";
  manifest.vm = vm_record;
  std::string guest_status = manifest.status_text();
  if (!reason.empty()) {
    // A guest that finished its run and then died keeps its results; it is still the kernel's failure.
    manifest.status = vm.stopped ? results::RunStatus::incomplete : results::RunStatus::failed;
    manifest.status_reason = reason;
    manifest.console_excerpt = console.excerpt;
    if (!guest_status.empty()) manifest.guest_status = guest_status;
  }
  std::error_code ec;
  if (fs::exists(console_log, ec))
    copy_file_atomically(console_log, outcome.run_directory / "console.log");
  else
    write_file_atomically(outcome.run_directory / "console.log", "");  // qemu never started: an empty console
  for (const auto& boot : failed_boots) {
    std::string name = boot["console"];
    copy_file_atomically(work / name, outcome.run_directory / name);
  }
  write_json_atomically(outcome.run_directory / "manifest.json", nlohmann::json(manifest));

  if (!reason.empty()) {
    outcome.exit_code = ExitCode::run_failed;
    outcome.failure = reason;
    out << fmt::format("memharness: {} failed in the VM: {}\n{}", label, reason, console.excerpt);
  } else if (manifest.status != results::RunStatus::complete) {
    outcome.exit_code = ExitCode::run_failed;
    outcome.failure = manifest.status_reason.value_or("the guest's run did not complete");
  }
  return outcome;
}

}  // namespace memharness::targets
