#include "harness/runner/vm_rounds.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <ostream>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "harness/common/atomic_file.h"
#include "harness/common/owned_files.h"
#include "harness/results/run_directory.h"
#include "harness/results/run_manifest.h"
#include "harness/results/staging_directory.h"
#include "harness/runner/round_order.h"

namespace memharness::runner {

namespace fs = std::filesystem;

namespace {

// One kernel's run across the rounds.
struct KernelRounds {
  targets::VmRunRequest request;
  targets::VmRunOutcome outcome;
  results::RunManifest manifest;
  int completed = 0;
  bool stopped = false;  // failed or interrupted: no more rounds
};

results::RunManifest read_manifest(const fs::path& run) { return results::read_run_manifest(run / "manifest.json"); }

void write_manifest(const KernelRounds& kernel) {
  write_json_atomically(kernel.outcome.run_directory / "manifest.json", nlohmann::json(kernel.manifest));
}

// What one boot was, for the manifest's "vm"."boots".
nlohmann::json boot_record(const results::RunManifest& manifest, int iteration, const std::string& console) {
  const auto vm = manifest.vm.value_or(nlohmann::json::object());
  return {{"iteration", iteration},
          {"started_at", manifest.started_at.value_or("")},
          {"console", console},
          {"elapsed_s", vm.value("elapsed_s", nlohmann::json())},
          {"boot_to_workload_s", vm.value("boot_to_workload_s", nlohmann::json())},
          {"boot_attempts", vm.value("boot_attempts", nlohmann::json())},
          {"timed_out", vm.value("timed_out", nlohmann::json())},
          {"harness_peak_rss_kb", results::value_or_null(manifest.harness_peak_rss_kb)},
          {"host_harness_peak_rss_kb", vm.value("host_harness_peak_rss_kb", nlohmann::json())},
          {"status", manifest.status_text()}};
}

// The run is not over while rounds remain: a harness killed between them
// leaves a manifest that says so instead of "complete".
void mark_in_progress(KernelRounds& kernel, int planned) {
  kernel.manifest.status = results::RunStatus::incomplete;
  kernel.manifest.status_reason = fmt::format(
      "{} of {} iterations in; the harness that was running the rest did not finish", kernel.completed, planned);
}

// Round 1: the guest's run directory becomes the kernel's.
void adopt_first_round(KernelRounds& kernel, const VmRoundsRequest& request, const std::vector<std::string>& others) {
  kernel.manifest = read_manifest(kernel.outcome.run_directory);
  if (!kernel.manifest.iterations) kernel.manifest.iterations.emplace();
  kernel.manifest.iterations->planned = request.iterations;
  kernel.manifest.iterations->sequential = request.sequential;
  if (!kernel.manifest.vm) kernel.manifest.vm = nlohmann::json::object();
  (*kernel.manifest.vm)["boots"] = nlohmann::json::array({boot_record(kernel.manifest, 1, "console.log")});
  if (!others.empty())
    kernel.manifest.interleaved = results::Interleaving{
        .with = others,
        .order =
            "rounds of one iteration per kernel, each in a freshly booted guest, alternating forward and "
            "backward"};
  if (kernel.outcome.exit_code != ExitCode::success) {
    kernel.stopped = true;  // its manifest says why
  } else {
    kernel.completed = 1;
    if (request.iterations > 1) mark_in_progress(kernel, request.iterations);
  }
  write_manifest(kernel);
}

// Round r > 1: the guest's iteration directory, console and boot record move
// into the kernel's run directory.
void adopt_round(KernelRounds& kernel, const targets::VmRunOutcome& round, int iteration, int planned) {
  const fs::path& run = kernel.outcome.run_directory;
  auto donor = read_manifest(round.run_directory);
  fs::path iteration_dir = round.run_directory / "iterations" / std::to_string(iteration);
  std::error_code ec;
  if (fs::is_directory(iteration_dir, ec)) {
    fs::create_directories(run / "iterations");
    fs::rename(iteration_dir, run / "iterations" / std::to_string(iteration));
  }
  std::string console = fmt::format("console-iteration-{}.log", iteration);
  copy_file_atomically(round.run_directory / "console.log", run / console);
  for (const auto& boot : donor.vm.value_or(nlohmann::json::object()).value("failed_boots", nlohmann::json::array())) {
    std::string name = boot.value("console", "");
    if (name.empty()) continue;
    copy_file_atomically(round.run_directory / name, run / fmt::format("console-iteration-{}-{}", iteration, name));
  }
  (*kernel.manifest.vm)["boots"].push_back(boot_record(donor, iteration, console));
  // The run's guest harness peak is the highest of its guests'; this (host)
  // harness's is the latest, since VmHWM only grows.
  if (donor.harness_peak_rss_kb)
    kernel.manifest.harness_peak_rss_kb =
        std::max(kernel.manifest.harness_peak_rss_kb.value_or(0), *donor.harness_peak_rss_kb);
  if (const auto host_peak =
          donor.vm.value_or(nlohmann::json::object()).value("host_harness_peak_rss_kb", nlohmann::json());
      host_peak.is_number_integer())
    (*kernel.manifest.vm)["host_harness_peak_rss_kb"] = host_peak;
  if (round.exit_code == ExitCode::success) {
    kernel.completed += 1;
    kernel.manifest.iterations->completed = kernel.completed;
    mark_in_progress(kernel, planned);
  } else {
    kernel.stopped = true;
    kernel.manifest.status = donor.status.value_or(results::RunStatus::failed);
    kernel.manifest.status_reason = fmt::format(
        "iteration {}: {}", iteration, donor.status_reason.value_or(round.failure.empty() ? "failed" : round.failure));
    if (donor.console_excerpt) kernel.manifest.console_excerpt = donor.console_excerpt;
    if (donor.guest_status) kernel.manifest.guest_status = donor.guest_status;
    kernel.outcome.exit_code = round.exit_code;
    kernel.outcome.failure = *kernel.manifest.status_reason;
  }
  write_manifest(kernel);
}

// The end of the run for a kernel still going: complete, or cut short.
void finish(KernelRounds& kernel, int planned, bool interrupted) {
  if (kernel.stopped || kernel.outcome.run_directory.empty()) return;
  if (interrupted && kernel.completed < planned) {
    kernel.manifest.status = results::RunStatus::incomplete;
    kernel.manifest.status_reason =
        fmt::format("interrupted by a signal after {} of {} iterations", kernel.completed, planned);
    kernel.outcome.exit_code = ExitCode::run_failed;
    kernel.outcome.failure = *kernel.manifest.status_reason;
  } else {
    kernel.manifest.status = results::RunStatus::complete;
    kernel.manifest.status_reason.reset();
  }
  write_manifest(kernel);
}

}  // namespace

std::vector<std::string> vm_round_labels(const std::vector<targets::VmRunRequest>& kernels) {
  std::vector<std::string> labels;
  for (const auto& kernel : kernels) {
    labels.push_back(targets::vm_label(kernel.kernel));
    for (std::size_t i = 0; i + 1 < labels.size(); ++i)
      if (labels[i] == labels.back())
        throw usage_error(
            "--kernel {} and --kernel {} are both labelled \"{}\": name each one, e.g. "
            "--kernel A=IMAGE --kernel B=IMAGE",
            kernels[i].kernel.given, kernel.kernel.given, labels.back());
  }
  return labels;
}

std::vector<targets::VmRunOutcome> run_vm_rounds(const VmRoundsRequest& request, std::stop_token stop,
                                                 std::ostream& out) {
  std::vector<KernelRounds> kernels;
  for (const auto& kernel : request.kernels) {
    KernelRounds rounds;
    rounds.request = kernel;
    kernels.push_back(std::move(rounds));
  }
  if (kernels.empty()) return {};
  const int planned = request.iterations;
  const fs::path results_root = kernels.front().request.results_root;
  fs::create_directories(results_root);
  // What VM runs that died here left (scratch images as large as their guests wrote).
  results::remove_abandoned_staging(results_root, std::cerr);

  auto labels = vm_round_labels(request.kernels);
  for (int round = 1; round <= planned && !stop.stop_requested(); ++round) {
    if (planned > 1) out << fmt::format("== round {} of {}\n", round, planned) << std::flush;
    for (std::size_t index : round_order(round, kernels.size())) {
      auto& kernel = kernels[index];
      if (kernel.stopped || stop.stop_requested()) continue;
      targets::VmRunRequest boot = kernel.request;
      boot.iterations = 1;
      boot.first_iteration = round;
      if (round == 1) {
        kernel.outcome = request.boot(boot, stop, out);
        std::vector<std::string> others;
        for (std::size_t i = 0; i < kernels.size(); ++i)
          if (i != index) others.push_back(labels[i]);
        adopt_first_round(kernel, request, others);
        out << fmt::format("Run directory: {} (console: console.log)\n", kernel.outcome.run_directory.string());
        continue;
      }
      // Its own directory beside the results, so the iteration moves in by rename.
      auto staging = results::StagingDirectory::create(results_root, "round", std::to_string(round));
      boot.results_root = staging.path();
      try {
        adopt_round(kernel, request.boot(boot, stop, out), round, planned);
      } catch (...) {
        remove_tree(staging.path());
        throw;
      }
      remove_tree(staging.path());
      out << fmt::format("Run directory: {} (iteration {}; console: console-iteration-{}.log)\n",
                         kernel.outcome.run_directory.string(), round, round);
    }
    bool round_complete = std::all_of(kernels.begin(), kernels.end(),
                                      [round](const KernelRounds& k) { return !k.stopped && k.completed == round; });
    if (request.stop_after_round && round_complete && !stop.stop_requested()) {
      std::vector<fs::path> directories;
      for (const auto& kernel : kernels) directories.push_back(kernel.outcome.run_directory);
      if (auto reason = request.stop_after_round(round, directories)) {
        for (auto& kernel : kernels) kernel.manifest.iterations->stopped_early = *reason;
        break;
      }
    }
  }

  std::vector<targets::VmRunOutcome> outcomes;
  for (auto& kernel : kernels) {
    finish(kernel, planned, stop.stop_requested());
    outcomes.push_back(kernel.outcome);
  }
  return outcomes;
}

}  // namespace memharness::runner
