#include "harness/runner/test_session.h"

#include <algorithm>
#include <ostream>

#include <fmt/core.h>

#include "harness/results/run_reader.h"
#include "harness/system/system_root.h"

namespace memharness::runner {

std::vector<std::filesystem::path> SessionOutcome::runs_made() const {
  std::vector<std::filesystem::path> made;
  for (const auto& target : targets)
    if (!target.stored) made.push_back(target.run_directory);
  return made;
}

std::vector<std::filesystem::path> SessionOutcome::comparable() const {
  std::vector<std::filesystem::path> runs;
  for (const auto& target : targets)
    if (target.failure.empty()) runs.push_back(target.run_directory);
  return runs;
}

ExitCode SessionOutcome::exit_code() const {
  int worst = static_cast<int>(ExitCode::success);
  for (const auto& target : targets) worst = std::max(worst, static_cast<int>(target.exit_code));
  return static_cast<ExitCode>(worst);
}

TestSession::TestSession(const system::SystemRoot& system, TestSessionRequest request)
    : system_(system), request_(std::move(request)) {
  const auto& specs = request_.targets;
  stored_.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].kind == targets::KernelKind::stored)
      stored_[i] = results::resolve_run(specs[i].name, request_.results_root, request_.plan.name);
    else if (specs[i].kind == targets::KernelKind::image)
      request_.runners.check_vm(specs[i]);
  }

  // Every target that is the running kernel runs at once, interleaved, in the
  // place of the first of them.
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i].kind == targets::KernelKind::host) {
      host_indices_.push_back(i);
      // The command line's sysctls are the operator's own choice, unlike a
      // config's (config/sysctl_policy.h), so they need no --allow-sysctl.
      host_variants_.push_back({.label = !specs[i].name.empty()    ? specs[i].name
                                         : !request_.label.empty() ? request_.label
                                                                   : running_release(system_),
                                .sysctls = specs[i].sysctls});
    }
  check_distinct_labels(host_variants_);

  // Every kernel image runs at once too, one guest per iteration, interleaved,
  // in the place of the first of them.
  vm_rounds_.iterations = request_.iterations.value_or(request_.plan.iterations);
  auto vm = vm_settings(request_.plan.vm, request_.vm);
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i].kind == targets::KernelKind::image) {
      image_indices_.push_back(i);
      targets::KernelSpec labelled = specs[i];
      if (labelled.name.empty() && !request_.label.empty()) labelled.name = request_.label;
      vm_rounds_.kernels.push_back({.kernel = labelled,
                                    .plan = &request_.plan,
                                    .config_file = request_.config_file,
                                    .iterations = {},
                                    .first_iteration = 1,
                                    .results_root = request_.results_root,
                                    .cache_dir = targets::default_cache_dir(),
                                    .vm = vm,
                                    .allowed_sysctls = request_.allowed_sysctls});
    }
  vm_round_labels(vm_rounds_.kernels);  // refuses two kernels under one label
}

SessionOutcome TestSession::run(std::stop_token stop, std::ostream& out) {
  const auto& specs = request_.targets;
  std::vector<std::optional<TargetOutcome>> outcomes(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (stop.stop_requested()) break;
    if (specs[i].kind == targets::KernelKind::stored) {
      outcomes[i] = TargetOutcome{.target = specs[i].given,
                                  .run_directory = *stored_[i],
                                  .exit_code = ExitCode::success,
                                  .failure = {},
                                  .stored = true};
      out << fmt::format("== {}: stored results {}\n", specs[i].given, stored_[i]->string());
    } else if (specs[i].kind == targets::KernelKind::host) {
      if (i == host_indices_.front()) run_host_variants(stop, out, outcomes);  // the others ran with the first
    } else {
      if (i == image_indices_.front()) run_images(stop, out, outcomes);
    }
  }
  // Targets an interrupt kept from running have nothing to show.
  SessionOutcome session;
  for (auto& outcome : outcomes)
    if (outcome && !outcome->run_directory.empty()) session.targets.push_back(std::move(*outcome));
  return session;
}

template <typename Request>
void TestSession::arm_early_stop(Request& request, std::ostream& out) {
  if (!request_.early_stop) return;
  out << "memharness: " << request_.early_stop->describe() << '\n';
  request.stop_after_round = [early_stop = request_.early_stop](
                                 int rounds, const std::vector<std::filesystem::path>& run_directories) {
    return early_stop->after_round(rounds, run_directories);
  };
  request.sequential = request_.early_stop->design();
}

void TestSession::say_early_stop_ending(std::stop_token stop, std::ostream& out) const {
  if (request_.early_stop && !stop.stop_requested())
    out << request_.early_stop->ending(request_.iterations.value_or(request_.plan.iterations));
}

void TestSession::run_host_variants(std::stop_token stop, std::ostream& out,
                                    std::vector<std::optional<TargetOutcome>>& outcomes) {
  HostRunRequest request{
      .plan = request_.plan,
      .config_file = request_.config_file,
      .iterations = request_.iterations,
      .first_iteration = request_.first_iteration,
      .results_root = request_.results_root,
      .state_dir = request_.state_dir,
      .terminal = request_.terminal,
      .stop_after_round = {},
      .sequential = {},
  };
  arm_early_stop(request, out);
  auto ran = request_.runners.host(system_, request, host_variants_, stop, out);
  say_early_stop_ending(stop, out);
  for (std::size_t h = 0; h < host_indices_.size(); ++h) {
    std::size_t i = host_indices_[h];
    outcomes[i] = TargetOutcome{.target = request_.targets[i].given,
                                .run_directory = ran[h].run_directory,
                                .exit_code = ran[h].exit_code,
                                .failure = ran[h].exit_code != ExitCode::success ? "the host run did not complete" : "",
                                .stored = false};
  }
}

void TestSession::run_images(std::stop_token stop, std::ostream& out,
                             std::vector<std::optional<TargetOutcome>>& outcomes) {
  arm_early_stop(vm_rounds_, out);
  auto ran = request_.runners.vm_rounds(vm_rounds_, stop, out);
  say_early_stop_ending(stop, out);
  for (std::size_t k = 0; k < image_indices_.size(); ++k) {
    std::size_t i = image_indices_[k];
    TargetOutcome outcome{.target = request_.targets[i].given,
                          .run_directory = ran[k].run_directory,
                          .exit_code = ran[k].exit_code,
                          .failure = ran[k].failure,
                          .stored = false};
    // Its label, once it has a run directory (not when interrupted before its first boot).
    if (!ran[k].run_directory.empty())
      outcome.target = ran[k].run_directory.parent_path().parent_path().filename().string();
    outcomes[i] = std::move(outcome);
  }
}

}  // namespace memharness::runner
