#include "harness/runner/host_run.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <memory>
#include <ostream>

#include <fmt/core.h>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/common/space_reserve.h"
#include "harness/common/utc_time.h"
#include "harness/git_commit.h"
#include "harness/results/run_directory.h"
#include "harness/runner/iteration.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/progress.h"
#include "harness/runner/round_order.h"
#include "harness/runner/run_summary.h"
#include "harness/runner/self_protection.h"
#include "harness/system/cgroup.h"
#include "harness/system/journal.h"
#include "harness/system/process.h"
#include "harness/system/procfs/process_status.h"
#include "harness/system/system_root.h"
#include "harness/version.h"
#include "probes/tracepoints/recorder.h"
#include "probes/tracepoints/tracefs.h"
#include "workloads/registry.h"

namespace memharness::runner {

namespace {

system::MemoryLimits limits_for(const config::TestPlan& plan) {
  system::MemoryLimits limits;
  limits.max = plan.cgroup.memory_max;
  limits.high = plan.cgroup.memory_high;
  limits.low = plan.cgroup.memory_low;
  limits.min = plan.cgroup.memory_min;
  limits.swap_max = plan.swap.mode == config::SwapMode::none ? std::optional<std::int64_t>(0) : plan.cgroup.swap_max;
  return limits;
}

// Keeps the manifest's status honest on every way out of a run. The run
// directory holds a space reserve from the start (common/space_reserve.h),
// released just before the final manifest is written, so that a run that
// filled its disk can still say so. (Made after the journal recorded the
// manifest: `memharness restore` releases the reserve of a killed run.)
class ManifestKeeper {
 public:
  ManifestKeeper(const system::SystemRoot& system, const results::RunDirectory& dir, results::RunManifest manifest)
      : system_(system),
        dir_(dir),
        manifest_(std::move(manifest)),
        reserve_(dir.path() / kRunSpaceReserveName, kRunSpaceReserveBytes) {
    dir_.write_manifest(manifest_);
  }
  ~ManifestKeeper() {
    if (!finished_) finish(results::RunStatus::failed, "the harness stopped with an error before the run finished");
  }
  results::RunManifest& manifest() { return manifest_; }
  void write() {
    try {
      dir_.write_manifest(manifest_);
    } catch (...) {  // a full disk must not hide the original failure
    }
  }
  // Before the last writes of the manifest (the journal's restore marks it too).
  void release_reserve() noexcept { reserve_.release(); }
  void finish(results::RunStatus status, const std::string& reason) {
    manifest_.status = status;
    if (!reason.empty()) manifest_.status_reason = reason;
    manifest_.finished_at = timestamp_iso8601(std::chrono::system_clock::now());
    try {
      manifest_.harness_peak_rss_kb = system::procfs::read_own_memory(system_).peak_rss_kb;
    } catch (const std::exception& e) {  // a figure, never a reason to lose the run's ending
      std::fprintf(stderr, "memharness: warning: the harness's peak memory is not recorded: %s\n", e.what());
    }
    finished_ = true;
    reserve_.release();
    try {
      dir_.write_manifest(manifest_);
    } catch (const std::exception& e) {
      // Even the reserve was not enough: the journal has marked it
      // "incomplete" at least; say why it is not "failed" or "complete".
      std::fprintf(stderr, "memharness: %s\n", e.what());
    }
  }

 private:
  const system::SystemRoot& system_;
  const results::RunDirectory& dir_;
  results::RunManifest manifest_;
  SpaceReserve reserve_;
  bool finished_ = false;
};

}  // namespace

system::MemoryController check_host_preconditions(const system::SystemRoot& system, const config::TestPlan& plan,
                                                  const std::filesystem::path& state_dir) {
  if (system.is_live() && ::geteuid() != 0)
    throw environment_error("memharness run needs root: it creates cgroups and changes sysctls (try sudo)");
  auto controller = system::find_memory_controller(system);  // throws when there is none
  system::check_limits_supported(system, controller, limits_for(plan));
  for (const auto& phase : plan.phases)
    for (const auto& w : phase.workloads) {
      const auto* spec = workloads::WorkloadRegistry::instance().find(w.type);
      for (const auto& program : spec->required_programs)
        if (!system::find_program(program))
          throw environment_error("workload \"{}\" needs `{}`, which is not on PATH (install it: ci/setup.sh)",
                                  w.instance_name, program);
      if (spec->check_environment) spec->check_environment(system, w.instance_name, w.params);
    }
  if (plan.swap.mode == config::SwapMode::swapfile && !system::find_program("mkswap"))
    throw environment_error("[swap] mode = \"swapfile\" needs `mkswap` (package util-linux)");
  system::Journal::check_no_unrestored(system, state_dir);
  return controller;
}

namespace {

// One variant's run directory, manifest, records and how it is going.
struct VariantRun {
  HostVariant variant;
  std::unique_ptr<results::RunDirectory> dir;
  std::unique_ptr<ManifestKeeper> keeper;
  std::unique_ptr<Progress> progress;
  RunSummary summary;  // each iteration folded in as it ends: no record is kept for the end
  results::RunStatus status = results::RunStatus::complete;
  std::string status_reason;
  bool stopped = false;  // failed: no more iterations
};

// Runs one iteration of one variant with its sysctls set around it.
void run_variant_iteration(VariantRun& run, const IterationSetup& base, int round) {
  std::size_t begin = base.journal.change_count();
  std::size_t end = begin;
  results::IterationRecord record;
  try {
    for (const auto& [name, value] : run.variant.sysctls) {
      base.journal.set_sysctl(name, value);
      end = base.journal.change_count();
    }
    IterationSetup setup{base.system, base.controller, base.journal, base.plan, base.limits, base.stop, *run.progress};
    run.progress->iteration_started(round);
    record = run_iteration(setup, round, run.dir->make_iteration_dir(round));
  } catch (...) {
    try {
      base.journal.revert_values(begin, end);
    } catch (const std::exception&) {  // the original error says more; restore() retries these
    }
    throw;
  }
  base.journal.revert_values(begin, end);
  // What the iteration made and removed again (its cgroup ...) leaves the
  // journal's memory: a long run holds only what is still in effect.
  base.journal.forget_settled(begin);

  const std::string& iteration_status = record.status;
  auto& manifest = run.keeper->manifest();
  if (record.tracepoint_recorder) {
    if (!manifest.tracepoint_recorder) manifest.tracepoint_recorder.emplace();
    manifest.tracepoint_recorder->used = record.tracepoint_recorder;
  }
  run.summary.add(record);
  if (iteration_status == "complete") {
    manifest.iterations->completed += 1;
    run.keeper->write();
    run.progress->iteration_finished(round);
  } else if (iteration_status == "failed") {
    run.status = results::RunStatus::failed;
    run.status_reason =
        record.error ? fmt::format("iteration {}: {}", round, *record.error)
                     : fmt::format("iteration {}: a workload failed (see iterations/{}/result.json)", round, round);
    run.stopped = true;
  }
}

}  // namespace

std::string running_release(const system::SystemRoot& system) {
  auto release_text = system.try_read("/proc/sys/kernel/osrelease");
  std::string release = release_text ? *release_text : "unknown-kernel";
  while (!release.empty() && std::isspace(static_cast<unsigned char>(release.back()))) release.pop_back();
  return release;
}

void check_distinct_labels(const std::vector<HostVariant>& variants) {
  for (std::size_t i = 0; i < variants.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (variants[i].label == variants[j].label)
        throw usage_error("two host runs are labelled \"{}\": name each one, e.g. --kernel A=host --kernel B=host",
                          variants[i].label);
}

std::vector<HostRunOutcome> run_interleaved_on_host(const system::SystemRoot& system, const HostRunRequest& request,
                                                    const std::vector<HostVariant>& variants, std::stop_token stop,
                                                    std::ostream& out) {
  const auto& plan = request.plan;
  if (variants.empty()) throw std::logic_error("run_interleaved_on_host: no variant");
  check_distinct_labels(variants);
  auto controller = check_host_preconditions(system, plan, request.state_dir);
  for (const auto& variant : variants)
    for (const auto& [name, value] : variant.sysctls) {
      std::string path = system::sysctl_path(name);
      if (!system.exists(path))
        throw usage_error("host variant {}: sysctl {} does not exist on this kernel (no {})", variant.label, name,
                          path);
    }
  int iterations = request.iterations.value_or(plan.iterations);
  std::string release = running_release(system);

  // The journal (a file only with its first change) comes first: each manifest
  // is journaled before it is written as "running", so a run killed at any
  // point is marked incomplete by the next restore, never left "running".
  auto journal = system::Journal::begin(system, request.state_dir);
  auto started_at = std::chrono::system_clock::now();
  std::vector<VariantRun> runs;
  for (const auto& variant : variants) {
    VariantRun run;
    run.variant = variant;
    run.dir = std::make_unique<results::RunDirectory>(
        results::RunDirectory::create(request.results_root, variant.label, plan.name, started_at));
    journal.record_run_manifest(run.dir->path() / "manifest.json");
    write_file_atomically(run.dir->path() / "config.toml", read_file_text(request.config_file));
    results::RunManifest manifest;
    manifest.status = results::RunStatus::running;
    manifest.harness = results::HarnessBuild{.version = MEMHARNESS_VERSION, .git_commit = MEMHARNESS_GIT_COMMIT};
    manifest.test = plan.name;
    manifest.description = plan.description;
    manifest.label = variant.label;
    manifest.target = "host";
    manifest.started_at = timestamp_iso8601(started_at);
    manifest.config =
        results::RunConfig{.source = request.config_file.string(), .hash = plan.config_hash, .resolved = plan.resolved};
    manifest.cgroup = results::RunCgroup{.version = controller.version == system::CgroupVersion::v1 ? "v1" : "v2",
                                         .mount_point = controller.mount_point,
                                         .parent = controller.own_path};
    manifest.tools = {{"stress-ng", program_version("stress-ng")}};
    manifest.iterations.emplace().planned = iterations;
    manifest.iterations->sequential = request.sequential;
    if (variants.size() > 1) {
      std::vector<std::string> others;
      for (const auto& other : variants)
        if (other.label != variant.label) others.push_back(other.label);
      manifest.interleaved = results::Interleaving{
          .with = others, .order = "rounds of one iteration per variant, alternating forward and backward"};
    }
    if (!variant.sysctls.empty()) {
      manifest.variant_sysctls.emplace();
      for (const auto& [name, value] : variant.sysctls) (*manifest.variant_sysctls)[name] = value;
    }
    run.keeper = std::make_unique<ManifestKeeper>(system, *run.dir, std::move(manifest));
    std::string progress_name = variants.size() > 1 ? fmt::format("{} {}", plan.name, variant.label) : plan.name;
    run.progress =
        std::make_unique<Progress>(out, request.terminal, progress_name, iterations, request.first_iteration);
    runs.push_back(std::move(run));
  }
  if (system.is_live()) {
    auto protection = protect_harness_from_pressure();
    for (auto& run : runs) run.keeper->manifest().self_protection = protection;
  }

  // An error that ends the run early (a file that cannot be written: a full
  // disk; a setting the kernel refuses ...) is said in each manifest, after
  // the restore like any other ending, and then thrown on for main to print.
  std::exception_ptr failure;
  {
    try {
      for (const auto& sysctl : plan.sysctls) journal.set_sysctl(sysctl.name, sysctl.value);
      if (plan.swap.mode == config::SwapMode::swapfile)
        journal.enable_swapfile(plan.swap.swapfile_directory / fmt::format("memharness-swap-{}", ::getpid()),
                                plan.swap.swapfile_bytes);
      // libbpf finds tracepoint ids only in a mounted tracefs.
      results::RunTracepointRecorder recorder;
      recorder.built = std::string(probes::built_recorders());
      if (system.is_live()) {
        try {
          recorder.tracefs = probes::ensure_tracefs_mounted(system, journal);
        } catch (const Error& e) {
          recorder.tracefs = e.what();  // the recorder will say it could not start
        }
      }
      // The machine as the test sees it: after the test's sysctls and swap
      // (a variant's own sysctls are set only around its iterations).
      auto machine = describe_machine(system);
      for (auto& run : runs) {
        run.keeper->manifest().tracepoint_recorder = recorder;
        run.keeper->manifest().machine = machine;
        auto& set = run.keeper->manifest().sysctls_set.emplace();
        for (const auto& s : plan.sysctls) set[s.name] = s.value;
        for (const auto& [name, value] : run.variant.sysctls) set[name] = value;
        run.keeper->write();
      }

      IterationSetup base{system, controller, journal, plan, limits_for(plan), stop, *runs.front().progress};
      const int first = request.first_iteration;
      for (int round = first; round < first + iterations && !stop.stop_requested(); ++round) {
        for (std::size_t index : round_order(round, runs.size())) {
          auto& run = runs[index];
          if (run.stopped || stop.stop_requested()) continue;
          run_variant_iteration(run, base, round);
        }
        if (std::all_of(runs.begin(), runs.end(), [](const VariantRun& r) { return r.stopped; })) break;
        bool round_complete = std::all_of(runs.begin(), runs.end(), [&](const VariantRun& r) {
          return r.keeper->manifest().iterations->completed == round - first + 1;
        });
        if (request.stop_after_round && round_complete && !stop.stop_requested()) {
          std::vector<std::filesystem::path> directories;
          for (const auto& run : runs) directories.push_back(run.dir->path());
          if (auto reason = request.stop_after_round(round - first + 1, directories)) {
            for (auto& run : runs) {
              run.keeper->manifest().iterations->stopped_early = *reason;
              run.keeper->write();
            }
            break;
          }
        }
      }
    } catch (const std::exception& e) {
      failure = std::current_exception();
      for (auto& run : runs)
        if (run.status == results::RunStatus::complete) {
          run.status = results::RunStatus::failed;
          run.status_reason = e.what();
        }
    }
    for (auto& run : runs) {
      run.progress->finish();
      if (stop.stop_requested() && !run.stopped && !failure) {
        run.status = results::RunStatus::incomplete;
        run.status_reason = fmt::format("interrupted by a signal after {} of {} iterations",
                                        run.keeper->manifest().iterations->completed, iterations);
      }
      run.keeper->release_reserve();
    }
    auto problems = journal.restore();
    if (!problems.empty()) {
      for (auto& run : runs) run.keeper->manifest().restore_problems = problems;
      for (const auto& p : problems) out << "memharness: restore: " << p << '\n';
    }
  }

  if (failure) {
    for (auto& run : runs) run.keeper->finish(run.status, run.status_reason);
    std::rethrow_exception(failure);
  }
  std::vector<HostRunOutcome> outcomes;
  for (auto& run : runs) {
    run.keeper->finish(run.status, run.status_reason);
    run.summary.write(out, run.keeper->manifest(), run.dir->path());
    outcomes.push_back(
        {.exit_code = run.status == results::RunStatus::complete ? ExitCode::success : ExitCode::run_failed,
         .run_directory = run.dir->path()});
  }
  return outcomes;
}

}  // namespace memharness::runner
