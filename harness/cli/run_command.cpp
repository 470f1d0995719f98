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
#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/cli/machine_state.h"
#include "harness/common/units.h"
#include "harness/config/nightly_suite.h"
#include "harness/config/sysctl_policy.h"
#include "harness/config/test_plan.h"
#include "harness/report/compare_runs.h"
#include "harness/results/run_directory.h"
#include "harness/results/run_reader.h"
#include "harness/runner/host_run.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/signal_stopper.h"
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

// `--iterations auto` (analysis/sequential.h): after each round of the
// interleaved host variants, compare them at the looks the schedule fixed and
// stop once every gating metric is decided, or when the budget would be spent.
class AutoIterations {
 public:
  AutoIterations(analysis::LookSchedule schedule, std::optional<std::chrono::seconds> budget,
                 analysis::CompareConfig config)
      : schedule_(std::move(schedule)), budget_(budget), config_(std::move(config)),
        started_(std::chrono::steady_clock::now()) {
    config_.alpha = schedule_.alpha_per_look;
  }

  const analysis::CompareConfig& config() const { return config_; }
  // Why the run stopped before --max-iterations; empty when it did not.
  const std::string& stopped_because() const { return stopped_because_; }
  std::string describe() const {
    return fmt::format("--iterations auto: looks at {} iterations per side, each at alpha = {:.3g} ({} looks)",
                       fmt::join(schedule_.looks, ", "), schedule_.alpha_per_look, schedule_.looks.size());
  }

  std::optional<std::string> after_round(int rounds, const std::vector<std::filesystem::path>& run_directories) {
    if (std::find(schedule_.looks.begin(), schedule_.looks.end(), rounds) != schedule_.looks.end()) {
      std::vector<results::StoredRun> runs;
      for (const auto& dir : run_directories) runs.push_back(results::read_run(dir));
      auto decision = analysis::decide_at_look(analysis::compare_runs(runs, config_), rounds);
      if (decision.stop) return stopped_because_ = decision.reason;
      std::cout << fmt::format("memharness: --iterations auto: after {} iterations not yet decided: {}\n", rounds,
                               fmt::join(decision.undecided, ", "));
    }
    if (budget_) {
      auto spent = std::chrono::steady_clock::now() - started_;
      auto next_round_done = spent + spent / rounds;
      if (next_round_done > *budget_)
        return stopped_because_ = fmt::format(
                   "the time budget of {}s would be spent by another round; stopped after {} iterations",
                   budget_->count(), rounds);
    }
    return std::nullopt;
  }

 private:
  analysis::LookSchedule schedule_;
  std::optional<std::chrono::seconds> budget_;
  analysis::CompareConfig config_;
  std::chrono::steady_clock::time_point started_;
  std::string stopped_because_;
};

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
  for (const auto& spec : specs) hosts += spec.kind == targets::KernelKind::host;
  if (hosts < 2 || hosts != specs.size())
    throw usage_error(
        "--iterations auto: needs two or more variants of the running kernel and nothing else (--kernel A=host "
        "--kernel B=host,sysctl=...): their iterations interleave, so the run can stop when the answer is clear");
  std::optional<std::chrono::seconds> budget;
  if (!options.time_budget.empty()) {
    auto duration = parse_duration(options.time_budget);
    if (!duration || *duration < std::chrono::seconds(1))
      throw usage_error("--time-budget {}: expected a duration like \"30m\"", options.time_budget);
    budget = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  }
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
  if (!format) throw usage_error("--format {}: expected text, markdown, json, junit or html", options.format);
  auto config_file = config::resolve_test_config(options.test, config_search_dirs());
  auto plan = load_plan_or_explain(config_file, runner::read_host_facts(system));
  config::check_sysctls_allowed(plan, options.allowed_sysctls);
  auto specs = kernel_specs(options, plan);
  auto auto_iterations = parse_iterations(options, specs);
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

  std::vector<KernelResult> results(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& spec = specs[i];
    if (stopper.token().stop_requested()) {
      results.resize(i);
      break;
    }
    KernelResult& result = results[i];
    result.kernel = spec.given;
    if (spec.kind == targets::KernelKind::stored) {
      result.run_directory = *stored[i];
      std::cout << fmt::format("== {}: stored results {}\n", spec.given, result.run_directory.string());
    } else if (spec.kind == targets::KernelKind::host) {
      if (i != host_indices.front()) continue;  // ran with the first
      runner::HostRunRequest request{
          .plan = plan,
          .config_file = config_file,
          .label = options.label,
          .iterations = options.iterations,
          .results_root = options.results,
          .state_dir = state_dir(),
          .terminal = ::isatty(STDOUT_FILENO) == 1,
          .stop_after_round = {},
      };
      if (auto_iterations) {
        std::cout << "memharness: " << auto_iterations->describe() << '\n';
        request.stop_after_round = [&auto_iterations](int rounds, const std::vector<std::filesystem::path>& dirs) {
          return auto_iterations->after_round(rounds, dirs);
        };
      }
      auto outcomes = runner::run_interleaved_on_host(system, request, host_variants, stopper.token(), std::cout);
      if (auto_iterations && !stopper.token().stop_requested())
        std::cout << fmt::format("memharness: --iterations auto: {}\n",
                                 auto_iterations->stopped_because().empty()
                                     ? fmt::format("ran the maximum of {} iterations", options.max_iterations)
                                     : auto_iterations->stopped_because());
      for (std::size_t h = 0; h < host_indices.size(); ++h) {
        KernelResult& host_result = results[host_indices[h]];
        host_result.kernel = specs[host_indices[h]].given;
        host_result.run_directory = outcomes[h].run_directory;
        host_result.exit_code = outcomes[h].exit_code;
        if (outcomes[h].exit_code != ExitCode::success) host_result.failure = "the host run did not complete";
      }
    } else {
      targets::KernelSpec labelled = spec;
      if (labelled.name.empty() && !options.label.empty()) labelled.name = options.label;
      auto outcome = targets::run_in_vm({.kernel = labelled,
                                         .plan = &plan,
                                         .config_file = config_file,
                                         .iterations = options.iterations,
                                         .results_root = options.results,
                                         .cache_dir = targets::default_cache_dir(),
                                         .vm = vm,
                                         .allowed_sysctls = options.allowed_sysctls},
                                        stopper.token(), std::cout);
      result.run_directory = outcome.run_directory;
      result.exit_code = outcome.exit_code;
      result.failure = outcome.failure;
      result.kernel = outcome.run_directory.parent_path().parent_path().filename().string();  // its label
    }
  }

  int exit_code = static_cast<int>(ExitCode::success);
  for (const auto& r : results) exit_code = std::max(exit_code, static_cast<int>(r.exit_code));
  if (specs.size() < 2) return exit_code;

  report::CompareRequest comparison;
  comparison.format = *format;
  comparison.results_root = options.results;
  comparison.test = plan.name;
  comparison.render.colour = ::isatty(STDOUT_FILENO) == 1;
  if (auto_iterations) comparison.config = auto_iterations->config();  // the alpha of each look
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
                  "override the config's iteration count; `auto`: with several host variants, interleave them and "
                  "stop once every gating metric is decided (at most --max-iterations)");
  sub->add_option("--max-iterations", options->max_iterations, "with --iterations auto: the most iterations per kernel")
      ->capture_default_str();
  sub->add_option("--time-budget", options->time_budget,
                  "with --iterations auto: stop before another round would end after this long, like \"30m\"");
  sub->add_option("--results", options->results, "results directory")->capture_default_str();
  sub->add_option("--vm-memory", options->vm_memory, "guest memory for kernel images (default: [vm] memory, or 2G)");
  sub->add_option("--vm-cpus", options->vm_cpus, "guest CPUs for kernel images (default: [vm] cpus, or 2)");
  sub->add_option("--vm-timeout", options->vm_timeout,
                  "a guest still running after this is killed and recorded as hung (default: 2m + phase timeouts)");
  sub->add_option("--allow-sysctl", options->allowed_sysctls,
                  "let the config set this sysctl, which is not vm.* or kernel.numa_balancing* (repeatable)");
  sub->add_option("--format", options->format, "format of the closing comparison: text, markdown, json, junit or html")
      ->capture_default_str();
  sub->callback([options, &exit_code] {
    exit_code = run(*options);
  });
}

}  // namespace memharness::cli
