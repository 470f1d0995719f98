#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "harness/analysis/comparison.h"
#include "harness/analysis/sequential.h"
#include "harness/cli/auto_iterations.h"
#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/cli/machine_state.h"
#include "harness/common/units.h"
#include "harness/config/nightly_suite.h"
#include "harness/config/sysctl_policy.h"
#include "harness/config/test_plan.h"
#include "harness/history/history_store.h"
#include "harness/report/compare_runs.h"
#include "harness/report/format_registry.h"
#include "harness/results/run_directory.h"
#include "harness/results/run_reader.h"
#include "harness/runner/host_run.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/signal_stopper.h"
#include "harness/runner/vm_rounds.h"
#include "harness/system/system_root.h"
#include "harness/targets/kernel_spec.h"
#include "harness/targets/vm_target.h"

namespace memharness::cli {

namespace {
struct RunOptions {
  std::string test;
  std::vector<std::string> kernels;
  std::string label;
  std::string iterations_text;  // --iterations N | auto
  std::optional<int> iterations;
  int max_iterations = 20;     // --iterations auto's
  std::string time_budget;     // --iterations auto's; empty: none
  std::string results = "results";
  std::string vm_memory;
  std::optional<int> vm_cpus;
  std::string vm_timeout;
  std::string format = "text";
  std::vector<std::string> allowed_sysctls;  // --allow-sysctl
  int first_iteration = 1;  // --first-iteration: a guest's round (runner/vm_rounds.h)
};

// One kernel's run: where its run directory is and how it ended.
struct KernelResult {
  std::string kernel;  // as given
  std::filesystem::path run_directory;
  ExitCode exit_code = ExitCode::success;
  std::string failure;
};

// The config's [vm], then the command line's --vm-* over it.
targets::VmSettings vm_settings(const RunOptions& options, const config::VmPlan& plan) {
  targets::VmSettings vm;
  if (plan.memory_bytes) vm.memory_bytes = *plan.memory_bytes;
  if (plan.cpus) vm.cpus = *plan.cpus;
  if (plan.scratch_bytes) vm.scratch_bytes = *plan.scratch_bytes;
  if (plan.timeout) vm.timeout = std::chrono::duration_cast<std::chrono::seconds>(*plan.timeout);
  if (!options.vm_memory.empty()) {
    auto bytes = parse_size_bytes(options.vm_memory);
    if (!bytes || *bytes < config::min_vm_memory_bytes)
      throw usage_error("--vm-memory {}: expected a size of at least 256M, like \"1G\"", options.vm_memory);
    vm.memory_bytes = *bytes;
  }
  if (options.vm_cpus) {
    if (*options.vm_cpus < 1) throw usage_error("--vm-cpus {}: expected a positive number", *options.vm_cpus);
    vm.cpus = *options.vm_cpus;
  }
  if (!options.vm_timeout.empty()) {
    auto duration = parse_duration(options.vm_timeout);
    if (!duration || *duration < config::min_vm_timeout || *duration > std::chrono::hours(24 * 365))
      throw usage_error("--vm-timeout {}: expected a duration from 10s to 8760h, like \"20m\"", options.vm_timeout);
    vm.timeout = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  }
  return vm;
}

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

// --kernel as given; a bare name that a [[kernel]] table defines is that kernel;
// no --kernel: the config's [[kernel]]s, or the host.
std::vector<targets::KernelSpec> kernel_specs(const RunOptions& options, const config::TestPlan& plan) {
  std::vector<targets::KernelSpec> specs;
  for (const auto& kernel : options.kernels) {
    auto spec = targets::parse_kernel_spec(kernel);
    if (spec.kind == targets::KernelKind::stored)
      for (const auto& configured : plan.kernels)
        if (configured.name == spec.name) spec = from_config(configured);
    specs.push_back(std::move(spec));
  }
  if (options.kernels.empty())
    for (const auto& configured : plan.kernels) specs.push_back(from_config(configured));
  if (specs.empty()) specs.push_back(targets::parse_kernel_spec("host"));
  // The label names a directory under the results root (host and VM runs alike).
  if (!options.label.empty() && !results::is_valid_path_component(options.label))
    throw usage_error("--label \"{}\": expected letters, digits and . _ + - only", options.label);
  if (specs.size() > 1 && !options.label.empty())
    throw usage_error("--label {}: with several --kernel, name each one with --kernel NAME=PATH instead",
                      options.label);
  return specs;
}

// A nightly suite given to `run` (configs/nightly.toml sits beside the tests)
// is named as such instead of failing on its first suite key.
config::TestPlan load_plan_or_explain(const std::filesystem::path& file, const config::HostFacts& facts) {
  try {
    return config::load_test_plan(file, facts);
  } catch (const Error&) {
    if (config::try_load_nightly_suite(file))
      throw usage_error("{}: error: this is a nightly suite, not a test: run it with `memharness nightly --suite {}`",
                        file.string(), file.string());
    throw;
  }
}

// Parses --iterations (a positive number or "auto") and the options of auto;
// returns the schedule when it is auto.
std::optional<AutoIterations> parse_iterations(RunOptions& options, const std::vector<targets::KernelSpec>& specs) {
  if (options.iterations_text.empty()) return std::nullopt;
  if (options.iterations_text != "auto") {
    int value = 0;
    auto [end, ec] = std::from_chars(options.iterations_text.data(),
                                     options.iterations_text.data() + options.iterations_text.size(), value);
    if (ec != std::errc() || end != options.iterations_text.data() + options.iterations_text.size() || value < 1)
      throw usage_error("--iterations {}: expected a positive number or auto", options.iterations_text);
    options.iterations = value;
    return std::nullopt;
  }
  std::size_t hosts = 0;
  std::size_t images = 0;
  for (const auto& spec : specs) {
    hosts += spec.kind == targets::KernelKind::host;
    images += spec.kind == targets::KernelKind::image;
  }
  bool interleaved = (hosts >= 2 && hosts == specs.size()) || (images >= 2 && images == specs.size());
  if (!interleaved)
    throw usage_error(
        "--iterations auto: needs two or more variants of the running kernel (--kernel A=host --kernel "
        "B=host,sysctl=...), or two or more kernel images, and nothing else: their iterations interleave, so the "
        "run can stop when the answer is clear");
  auto budget = parse_time_budget(options.time_budget);
  analysis::CompareConfig config;
  auto schedule = analysis::plan_looks(config.min_iterations, options.max_iterations, config.alpha);
  options.iterations = options.max_iterations;
  return AutoIterations(std::move(schedule), budget, config);
}

void print_not_compared(const std::vector<KernelResult>& results, std::ostream& out) {
  for (const auto& r : results)
    if (!r.failure.empty())
      out << fmt::format("{}: not compared: {} ({})\n", r.kernel, r.failure, r.run_directory.string());
}

int run(RunOptions options) {
  // Before any thread exists, so every thread inherits the blocked signals.
  runner::SignalStopper stopper;
  system::SystemRoot system("/");
  auto format = report::parse_format(options.format);  // before anything runs
  if (!format) throw usage_error("--format {}: expected {}", options.format, report::format_names());
  auto config_file = config::resolve_test_config(options.test, config_search_dirs());
  auto plan = load_plan_or_explain(config_file, runner::read_host_facts(system));
  config::check_sysctls_allowed(plan, options.allowed_sysctls);
  auto specs = kernel_specs(options, plan);
  auto auto_iterations = parse_iterations(options, specs);
  if (options.first_iteration < 1 ||
      (options.first_iteration != 1 && (specs.size() != 1 || specs.front().kind != targets::KernelKind::host)))
    throw usage_error("--first-iteration {}: expected a positive number, with one host kernel (a VM's guest uses it)",
                      options.first_iteration);
  auto vm = vm_settings(options, plan.vm);

  // A host run changes this machine's global state: one memharness at a time.
  // (A VM run changes only its guest; stored results, nothing.)
  std::optional<system::StateLock> lock;
  for (const auto& spec : specs)
    if (spec.kind == targets::KernelKind::host && !lock) lock.emplace(lock_machine_state());

  // Everything that can be checked is, before the first kernel runs: a bad
  // label or a missing image must not cost a whole run of the others.
  std::vector<std::optional<std::filesystem::path>> stored(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].kind == targets::KernelKind::stored)
      stored[i] = results::resolve_run(specs[i].name, options.results, plan.name);
    else if (specs[i].kind == targets::KernelKind::image)
      targets::check_vm_preconditions(specs[i]);
  }

  // Every --kernel that is the running kernel runs at once, interleaved
  // (host_run.h), in the place of the first of them.
  std::vector<std::size_t> host_indices;
  std::vector<runner::HostVariant> host_variants;
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i].kind == targets::KernelKind::host) {
      host_indices.push_back(i);
      // The command line's sysctls are the operator's own choice, unlike a
      // config's (sysctl_policy.h), so they need no --allow-sysctl.
      host_variants.push_back({.label = !specs[i].name.empty() ? specs[i].name
                                        : !options.label.empty() ? options.label
                                                                 : runner::running_release(system),
                               .sysctls = specs[i].sysctls});
    }
  runner::check_distinct_labels(host_variants);
  // Every kernel image runs at once too, one guest per iteration, interleaved
  // (runner/vm_rounds.h), in the place of the first of them.
  std::vector<std::size_t> image_indices;
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i].kind == targets::KernelKind::image) image_indices.push_back(i);
  runner::VmRoundsRequest vm_rounds{.kernels = {}, .iterations = options.iterations.value_or(plan.iterations),
                                    .stop_after_round = {},
                                    .sequential = {}};
  for (std::size_t index : image_indices) {
    targets::KernelSpec labelled = specs[index];
    if (labelled.name.empty() && !options.label.empty()) labelled.name = options.label;
    vm_rounds.kernels.push_back({.kernel = labelled,
                                 .plan = &plan,
                                 .config_file = config_file,
                                 .iterations = {},
                                 .first_iteration = 1,
                                 .results_root = options.results,
                                 .cache_dir = targets::default_cache_dir(),
                                 .vm = vm,
                                 .allowed_sysctls = options.allowed_sysctls});
  }
  runner::vm_round_labels(vm_rounds.kernels);  // refuses two kernels under one label

  std::vector<KernelResult> results(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& spec = specs[i];
    if (stopper.token().stop_requested()) break;
    KernelResult& result = results[i];
    if (spec.kind == targets::KernelKind::stored) {
      result.kernel = spec.given;
      result.run_directory = *stored[i];
      std::cout << fmt::format("== {}: stored results {}\n", spec.given, result.run_directory.string());
    } else if (spec.kind == targets::KernelKind::host) {
      if (i != host_indices.front()) continue;  // ran with the first
      runner::HostRunRequest request{
          .plan = plan,
          .config_file = config_file,
          .label = options.label,
          .iterations = options.iterations,
          .first_iteration = options.first_iteration,
          .results_root = options.results,
          .state_dir = state_dir(),
          .terminal = ::isatty(STDOUT_FILENO) == 1,
          .stop_after_round = {},
          .sequential = {},
      };
      if (auto_iterations) {
        std::cout << "memharness: " << auto_iterations->describe() << '\n';
        request.stop_after_round = auto_iterations->stop_after_round();
        request.sequential = auto_iterations->design();
      }
      auto outcomes = runner::run_interleaved_on_host(system, request, host_variants, stopper.token(), std::cout);
      if (auto_iterations && !stopper.token().stop_requested())
        std::cout << auto_iterations->ending(options.max_iterations);
      for (std::size_t h = 0; h < host_indices.size(); ++h) {
        KernelResult& host_result = results[host_indices[h]];
        host_result.kernel = specs[host_indices[h]].given;
        host_result.run_directory = outcomes[h].run_directory;
        host_result.exit_code = outcomes[h].exit_code;
        if (outcomes[h].exit_code != ExitCode::success) host_result.failure = "the host run did not complete";
      }
    } else {
      if (i != image_indices.front()) continue;  // ran with the first
      auto& request = vm_rounds;
      if (auto_iterations) {
        std::cout << "memharness: " << auto_iterations->describe() << '\n';
        request.stop_after_round = auto_iterations->stop_after_round();
        request.sequential = auto_iterations->design();
      }
      auto outcomes = runner::run_vm_rounds(request, stopper.token(), std::cout);
      if (auto_iterations && !stopper.token().stop_requested())
        std::cout << auto_iterations->ending(options.max_iterations);
      for (std::size_t k = 0; k < image_indices.size(); ++k) {
        KernelResult& image_result = results[image_indices[k]];
        image_result.kernel = specs[image_indices[k]].given;
        image_result.run_directory = outcomes[k].run_directory;
        image_result.exit_code = outcomes[k].exit_code;
        image_result.failure = outcomes[k].failure;
        // Its label, once it has a run directory (not when interrupted before its first boot).
        if (!outcomes[k].run_directory.empty())
          image_result.kernel = outcomes[k].run_directory.parent_path().parent_path().filename().string();
      }
    }
  }
  // Kernels an interrupt kept from running have nothing to show.
  std::erase_if(results, [](const KernelResult& r) { return r.run_directory.empty(); });
  // The runs made now (not the stored ones named by label) join the history
  // index; a failure to index is a warning, never a failed run.
  std::vector<std::filesystem::path> made;
  for (const auto& r : results)
    if (std::none_of(stored.begin(), stored.end(), [&](const auto& s) { return s && *s == r.run_directory; }))
      made.push_back(r.run_directory);
  history::index_finished_runs(options.results, made, std::cerr);

  int exit_code = static_cast<int>(ExitCode::success);
  for (const auto& r : results) exit_code = std::max(exit_code, static_cast<int>(r.exit_code));
  if (specs.size() < 2) return exit_code;

  report::CompareRequest comparison;
  comparison.format = *format;
  comparison.results_root = options.results;
  comparison.test = plan.name;
  comparison.render.colour = ::isatty(STDOUT_FILENO) == 1;
  if (auto_iterations) comparison.config = auto_iterations->config();
  for (const auto& r : results)
    if (r.failure.empty()) comparison.runs.push_back(r.run_directory.string());
  std::cout << "\n";
  print_not_compared(results, std::cout);
  if (comparison.runs.size() < 2) {
    std::cout << fmt::format("memharness: fewer than two kernels have results: nothing to compare\n");
    return exit_code;
  }
  int compare_code = report::compare_and_render(comparison, std::cout, std::cerr).exit_code;
  // A failed kernel outranks a regression among the others.
  return exit_code != 0 ? exit_code : compare_code;
}
}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand(
      "run", "Run a test (a config name in configs/ or a path to a .toml file); with several --kernel, compare them");
  sub->add_option("test", options->test, "test config: a name such as anon-dirty, or a path")->required();
  sub->add_option("--kernel", options->kernels,
                  "where to run, repeatable: `host`, a label of stored results, a kernel image path (booted in a "
                  "VM), or NAME=PATH[,cmdline=ARGS][,sysctl=K=V][,modules=DIR]")
      ->default_str("host, or the config's [[kernel]]s");
  sub->add_option("--label", options->label,
                  "name the results are stored under (default: the kernel release; one --kernel only)");
  sub->add_option("--iterations", options->iterations_text,
                  "override the config's iteration count; `auto`: with several host variants or several kernel images "
                  "(interleaved), stop once every gating metric is decided (at most --max-iterations)");
  sub->add_option("--max-iterations", options->max_iterations, "with --iterations auto: the most iterations per kernel")
      ->capture_default_str();
  sub->add_option("--time-budget", options->time_budget,
                  "with --iterations auto: stop before another round would end after this long, like \"30m\"");
  sub->add_option("--results", options->results, "results directory")->capture_default_str();
  sub->add_option("--vm-memory", options->vm_memory, "guest memory for kernel images (default: [vm] memory, or 2G)");
  sub->add_option("--vm-cpus", options->vm_cpus, "guest CPUs for kernel images (default: [vm] cpus, or 2)");
  sub->add_option("--vm-timeout", options->vm_timeout,
                  "a guest (one per iteration) still running after this is killed and recorded as hung (default: 2m + "
                  "phase timeouts)");
  sub->add_option("--allow-sysctl", options->allowed_sysctls,
                  "let the config set this sysctl, which is not vm.* or kernel.numa_balancing* (repeatable)");
  // A VM run's guest is told which iteration it runs (one guest per iteration).
  sub->add_option("--first-iteration", options->first_iteration, "internal: the number of the first iteration")
      ->group("");
  sub->add_option("--format", options->format, "format of the closing comparison: " + report::format_names())
      ->capture_default_str();
  sub->callback([options, &exit_code] {
    exit_code = run(*options);
  });
}

}  // namespace memharness::cli
