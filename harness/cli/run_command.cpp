#include <unistd.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <optional>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/sequential.h"
#include "harness/cli/auto_iterations.h"
#include "harness/cli/closing_comparison.h"
#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/cli/machine_state.h"
#include "harness/common/units.h"
#include "harness/config/nightly_suite.h"
#include "harness/config/sysctl_policy.h"
#include "harness/config/test_plan.h"
#include "harness/history/history_store.h"
#include "harness/report/format_registry.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/session_targets.h"
#include "harness/runner/signal_stopper.h"
#include "harness/runner/test_session.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

namespace {
struct RunOptions {
  std::string test;
  std::vector<std::string> kernels;
  std::string label;
  std::string iterations_text;  // --iterations N | auto
  std::optional<int> iterations;
  int max_iterations = 20;  // --iterations auto's
  std::string time_budget;  // --iterations auto's; empty: none
  std::string results = "results";
  std::string vm_memory;
  std::optional<int> vm_cpus;
  std::string vm_timeout;
  std::string format = "text";
  std::vector<std::string> allowed_sysctls;  // --allow-sysctl
  int first_iteration = 1;                   // --first-iteration: a guest's round (runner/vm_rounds.h)
};

// The command line's --vm-*, checked; the config's [vm] is merged under them
// by the runner (runner/session_targets.h).
runner::VmOverrides vm_overrides(const RunOptions& options) {
  runner::VmOverrides vm;
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
  runner::check_interleaved(specs);
  auto budget = parse_time_budget(options.time_budget);
  analysis::CompareConfig config;
  auto schedule = analysis::plan_looks(config.min_iterations, options.max_iterations, config.alpha);
  options.iterations = options.max_iterations;
  return AutoIterations(std::move(schedule), budget, config);
}

void print_not_compared(const std::vector<runner::TargetOutcome>& targets, std::ostream& out) {
  for (const auto& t : targets)
    if (!t.failure.empty())
      out << fmt::format("{}: not compared: {} ({})\n", t.target, t.failure, t.run_directory.string());
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
  auto specs = runner::session_targets(options.kernels, plan, options.label);
  auto auto_iterations = parse_iterations(options, specs);
  runner::check_first_iteration(options.first_iteration, specs);
  auto vm = vm_overrides(options);

  // A host run changes this machine's global state: one memharness at a time.
  // (A VM run changes only its guest; stored results, nothing.)
  std::optional<system::StateLock> lock;
  if (runner::runs_on_host(specs)) lock.emplace(lock_machine_state());

  const std::size_t targets = specs.size();
  runner::TestSession session(system, {.plan = plan,
                                       .config_file = config_file,
                                       .targets = std::move(specs),
                                       .label = options.label,
                                       .iterations = options.iterations,
                                       .first_iteration = options.first_iteration,
                                       .results_root = options.results,
                                       .state_dir = state_dir(),
                                       .vm = vm,
                                       .allowed_sysctls = options.allowed_sysctls,
                                       .terminal = ::isatty(STDOUT_FILENO) == 1,
                                       .early_stop = auto_iterations ? &*auto_iterations : nullptr,
                                       .runners = {}});
  auto ran = session.run(stopper.token(), std::cout);
  // The runs made now (not the stored ones named by label) join the history
  // index; a failure to index is a warning, never a failed run.
  history::index_finished_runs(options.results, ran.runs_made(), std::cerr);

  int exit_code = static_cast<int>(ran.exit_code());
  if (targets < 2) return exit_code;

  auto comparable = ran.comparable();
  std::cout << "\n";
  print_not_compared(ran.targets, std::cout);
  if (comparable.size() < 2) {
    std::cout << fmt::format("memharness: fewer than two kernels have results: nothing to compare\n");
    return exit_code;
  }
  int compare_code = compare_closing(comparable, options.results, plan.name,
                                     auto_iterations ? auto_iterations->config() : analysis::CompareConfig{}, *format)
                         .exit_code;
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
  sub->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace memharness::cli
