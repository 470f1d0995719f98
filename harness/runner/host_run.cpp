#include "harness/runner/host_run.h"

#include <unistd.h>

#include <cctype>
#include <ostream>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/results/atomic_file.h"
#include "harness/results/run_directory.h"
#include "harness/runner/iteration.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/progress.h"
#include "harness/runner/run_summary.h"
#include "harness/runner/self_protection.h"
#include "harness/system/cgroup.h"
#include "harness/system/journal.h"
#include "harness/system/process.h"
#include "harness/system/system_root.h"
#include "harness/git_commit.h"
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

// Keeps the manifest's status honest on every way out of a run.
class ManifestKeeper {
 public:
  ManifestKeeper(const results::RunDirectory& dir, nlohmann::json manifest) : dir_(dir), manifest_(std::move(manifest)) {
    dir_.write_manifest(manifest_);
  }
  ~ManifestKeeper() {
    if (!finished_) {
      manifest_["status"] = results::to_string(results::RunStatus::failed);
      manifest_["status_reason"] = "the harness stopped with an error before the run finished";
      write();
    }
  }
  nlohmann::json& json() { return manifest_; }
  void write() {
    try {
      dir_.write_manifest(manifest_);
    } catch (...) {  // a full disk must not hide the original failure
    }
  }
  void finish(results::RunStatus status, const std::string& reason) {
    manifest_["status"] = results::to_string(status);
    if (!reason.empty()) manifest_["status_reason"] = reason;
    manifest_["finished_at"] = results::timestamp_iso8601(std::chrono::system_clock::now());
    finished_ = true;
    write();
  }

 private:
  const results::RunDirectory& dir_;
  nlohmann::json manifest_;
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
      if (spec->check_environment) spec->check_environment(w.instance_name, w.params);
    }
  if (plan.swap.mode == config::SwapMode::swapfile && !system::find_program("mkswap"))
    throw environment_error("[swap] mode = \"swapfile\" needs `mkswap` (package util-linux)");
  system::Journal::check_no_unrestored(system, state_dir);
  return controller;
}

HostRunOutcome run_on_host(const system::SystemRoot& system, const HostRunRequest& request, std::stop_token stop,
                           std::ostream& out) {
  const auto& plan = request.plan;
  auto controller = check_host_preconditions(system, plan, request.state_dir);
  // The full machine description is taken once the test's sysctls and swap
  // are in place; the label only needs the release.
  auto release_text = system.try_read("/proc/sys/kernel/osrelease");
  std::string release = release_text ? *release_text : "unknown-kernel";
  while (!release.empty() && std::isspace(static_cast<unsigned char>(release.back()))) release.pop_back();
  std::string label = request.label.empty() ? release : request.label;
  int iterations = request.iterations.value_or(plan.iterations);

  // The journal (a file only with its first change) comes first: the manifest
  // is journaled before it is written as "running", so a run killed at any
  // point is marked incomplete by the next restore, never left "running".
  auto journal = system::Journal::begin(system, request.state_dir);
  auto started_at = std::chrono::system_clock::now();
  auto run_dir = results::RunDirectory::create(request.results_root, label, plan.name, started_at);
  journal.record_run_manifest(run_dir.path() / "manifest.json");
  results::write_file_atomically(run_dir.path() / "config.toml", read_file_text(request.config_file));

  nlohmann::json manifest = {
      {"schema_version", 1},
      {"status", results::to_string(results::RunStatus::running)},
      {"harness", {{"version", MEMHARNESS_VERSION}, {"git_commit", MEMHARNESS_GIT_COMMIT}}},
      {"test", plan.name},
      {"description", plan.description},
      {"label", label},
      {"target", "host"},
      {"started_at", results::timestamp_iso8601(started_at)},
      {"config", {{"source", request.config_file.string()}, {"hash", plan.config_hash}, {"resolved", plan.resolved}}},
      {"cgroup", {{"version", controller.version == system::CgroupVersion::v1 ? "v1" : "v2"},
                  {"mount_point", controller.mount_point},
                  {"parent", controller.own_path}}},
      {"tools", {{"stress-ng", program_version("stress-ng")}}},
      {"iterations", {{"planned", iterations}, {"completed", 0}}},
  };
  if (system.is_live()) manifest["self_protection"] = protect_harness_from_pressure();
  ManifestKeeper keeper(run_dir, std::move(manifest));

  HostRunOutcome outcome;
  outcome.run_directory = run_dir.path();
  std::vector<nlohmann::json> iteration_records;
  std::string status_reason;
  auto status = results::RunStatus::complete;
  {
    for (const auto& sysctl : plan.sysctls) journal.set_sysctl(sysctl.name, sysctl.value);
    if (plan.swap.mode == config::SwapMode::swapfile)
      journal.enable_swapfile(plan.swap.swapfile_directory / fmt::format("memharness-swap-{}", ::getpid()),
                              plan.swap.swapfile_bytes);
    // libbpf finds tracepoint ids only in a mounted tracefs.
    nlohmann::json recorder = {{"built", probes::built_recorders()}};
    if (system.is_live()) {
      try {
        recorder["tracefs"] = probes::ensure_tracefs_mounted(system, journal);
      } catch (const Error& e) {
        recorder["tracefs"] = e.what();  // the recorder will say it could not start
      }
    }
    keeper.json()["tracepoint_recorder"] = std::move(recorder);
    // The machine as the test sees it: after the test's sysctls and swap.
    keeper.json()["machine"] = describe_machine(system);
    keeper.json()["sysctls_set"] = nlohmann::json::object();
    for (const auto& s : plan.sysctls) keeper.json()["sysctls_set"][s.name] = s.value;
    keeper.write();

    Progress progress(out, request.terminal, plan.name, iterations);
    IterationSetup setup{system, controller, journal, plan, limits_for(plan), stop, progress};
    for (int i = 1; i <= iterations; ++i) {
      if (stop.stop_requested()) break;
      progress.iteration_started(i);
      auto record = run_iteration(setup, i, run_dir.make_iteration_dir(i));
      std::string iteration_status = record["status"];
      if (record.contains("tracepoint_recorder"))
        keeper.json()["tracepoint_recorder"]["used"] = record["tracepoint_recorder"];
      iteration_records.push_back(std::move(record));
      if (iteration_status == "complete") {
        keeper.json()["iterations"]["completed"] = i;
        keeper.write();
        progress.iteration_finished(i);
      } else if (iteration_status == "failed") {
        status = results::RunStatus::failed;
        status_reason = iteration_records.back().contains("error")
                            ? fmt::format("iteration {}: {}", i, iteration_records.back()["error"].get<std::string>())
                            : fmt::format("iteration {}: a workload failed (see iterations/{}/result.json)", i, i);
        break;
      } else {
        break;  // interrupted
      }
    }
    progress.finish();
    if (stop.stop_requested()) {
      status = results::RunStatus::incomplete;
      status_reason = fmt::format("interrupted by a signal after {} of {} iterations",
                                  keeper.json()["iterations"]["completed"].get<int>(), iterations);
    }
    auto problems = journal.restore();
    if (!problems.empty()) {
      keeper.json()["restore_problems"] = problems;
      for (const auto& p : problems) out << "memharness: restore: " << p << '\n';
    }
  }
  keeper.finish(status, status_reason);
  write_run_summary(out, keeper.json(), iteration_records, run_dir.path());
  outcome.exit_code = status == results::RunStatus::complete ? ExitCode::success : ExitCode::run_failed;
  return outcome;
}

}  // namespace memharness::runner
