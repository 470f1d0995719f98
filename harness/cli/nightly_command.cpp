// `memharness nightly`: what a test machine runs every night on the kernel it
// booted. Runs each test of a suite on the host under the night's label,
// compares it with the newest complete run of that test under the baseline
// label, writes one JUnit document for the CI system, and when nothing
// regressed or failed stores the night's runs under the baseline label, so that
// `last-good` always means the newest runs that passed.
#include <unistd.h>

#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/sequential.h"
#include "harness/cli/auto_iterations.h"
#include "harness/cli/closing_comparison.h"
#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/cli/machine_state.h"
#include "harness/common/atomic_file.h"
#include "harness/config/nightly_suite.h"
#include "harness/config/sysctl_policy.h"
#include "harness/config/test_plan.h"
#include "harness/history/history_store.h"
#include "harness/report/nightly_report.h"
#include "harness/results/run_directory.h"
#include "harness/results/run_promotion.h"
#include "harness/results/run_reader.h"
#include "harness/runner/host_run.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/signal_stopper.h"
#include "harness/runner/test_session.h"
#include "harness/system/system_root.h"
#include "harness/targets/kernel_spec.h"

namespace memharness::cli {

namespace {

namespace fs = std::filesystem;

struct NightlyOptions {
  std::string suite;
  std::string baseline;  // default: the suite's
  std::string label;     // default: the suite's
  std::string results = "results";
  std::string junit;
  std::string compare_config;
  bool no_promote = false;
  std::vector<std::string> allowed_sysctls;  // --allow-sysctl
  std::string iterations;                    // --iterations auto; empty: each test's own count
  int max_iterations = 20;                   // --iterations auto's
  std::string time_budget;                   // --iterations auto's, per test; empty: none
};

struct PlannedTest {
  fs::path config_file;
  config::TestPlan plan;
  std::optional<int> iterations;
};

// Every test's config is loaded and checked, and every host precondition, before
// the first test runs: a typo in the last test must not cost the night.
std::vector<PlannedTest> plan_night(const system::SystemRoot& system, const config::NightlySuite& suite,
                                    const std::vector<std::string>& allowed_sysctls) {
  std::vector<PlannedTest> planned;
  std::set<std::string> names;
  auto facts = runner::read_host_facts(system);
  for (std::size_t i = 0; i < suite.tests.size(); ++i) {
    PlannedTest test{.config_file = config::resolve_nightly_test(suite, i, config_search_dirs()),
                     .plan = {},
                     .iterations = suite.tests[i].iterations};
    test.plan = config::load_test_plan(test.config_file, facts);
    config::check_sysctls_allowed(test.plan, allowed_sysctls);
    if (!names.insert(test.plan.name).second)
      config::throw_nightly_test_error(
          suite, i, fmt::format("expected a test not already in the suite, got {} a second time", test.plan.name));
    runner::check_host_preconditions(system, test.plan, state_dir());
    planned.push_back(std::move(test));
  }
  return planned;
}

report::NightlyTestOutcome run_and_compare(const system::SystemRoot& system, const PlannedTest& test,
                                           const NightlyOptions& options, const std::string& label,
                                           const std::string& baseline, const analysis::CompareConfig& compare_config,
                                           std::stop_token stop) {
  report::NightlyTestOutcome outcome;
  outcome.test = test.plan.name;
  // The baseline is found before the run: `--iterations auto` compares with it
  // after each iteration.
  std::optional<fs::path> baseline_run;
  std::string no_baseline_reason;
  try {
    baseline_run = results::resolve_run(baseline, options.results, test.plan.name);
  } catch (const Error& e) {
    // The reader's reason only when the label exists (runs there not complete).
    std::error_code ec;
    bool label_exists = fs::is_directory(fs::path(options.results) / baseline, ec);
    no_baseline_reason = fmt::format("no complete run of {} stored under {} yet{}", test.plan.name, baseline,
                                     label_exists ? fmt::format(" ({})", e.what()) : "");
  }
  std::optional<int> iterations = test.iterations;
  std::optional<AutoIterations> auto_iterations;
  if (options.iterations == "auto" && baseline_run) {
    auto baseline_iterations = static_cast<int>(results::read_run(*baseline_run).complete_iterations().size());
    auto schedule = analysis::plan_looks(compare_config.min_iterations, options.max_iterations, compare_config.alpha,
                                         baseline_iterations);
    auto_iterations.emplace(std::move(schedule), parse_time_budget(options.time_budget), compare_config, *baseline_run);
    iterations = options.max_iterations;
  } else if (options.iterations == "auto") {
    std::cout << fmt::format(
        "memharness: --iterations auto: {}: nothing to compare with, so the test's own "
        "iterations run\n",
        no_baseline_reason);
  }
  runner::TestSession session(system, {.plan = test.plan,
                                       .config_file = test.config_file,
                                       .targets = {targets::parse_kernel_spec("host")},
                                       .label = label,
                                       .iterations = iterations,
                                       .first_iteration = 1,
                                       .results_root = options.results,
                                       .state_dir = state_dir(),
                                       .vm = {},
                                       .allowed_sysctls = options.allowed_sysctls,
                                       .terminal = ::isatty(STDOUT_FILENO) == 1,
                                       .early_stop = auto_iterations ? &*auto_iterations : nullptr,
                                       .runners = {}});
  auto ran = session.run(stop, std::cout);
  history::index_finished_runs(options.results, ran.runs_made(), std::cerr);  // a failure only warns
  if (ran.targets.empty()) {  // the interrupt came before the run started
    outcome.detail = "the night was interrupted before this test started";
    return outcome;
  }
  const auto& run = ran.targets.front();
  outcome.run_directory = run.run_directory;
  if (run.exit_code != ExitCode::success) {
    outcome.verdict = report::NightlyVerdict::run_failed;
    outcome.detail = fmt::format("the run did not complete: {}", run.run_directory.string());
    return outcome;
  }
  if (!baseline_run) {
    outcome.verdict = report::NightlyVerdict::no_baseline;
    outcome.detail = no_baseline_reason;
    return outcome;
  }
  outcome.baseline = *baseline_run;
  std::cout << "\n";
  auto compared = compare_closing({outcome.baseline, run.run_directory}, options.results, test.plan.name,
                                  auto_iterations ? auto_iterations->config() : compare_config);
  outcome.comparison = std::move(compared.comparison);
  switch (outcome.comparison->outcome) {
    case analysis::Outcome::regression: outcome.verdict = report::NightlyVerdict::regressed; break;
    case analysis::Outcome::inconclusive: outcome.verdict = report::NightlyVerdict::inconclusive; break;
    case analysis::Outcome::no_regression: outcome.verdict = report::NightlyVerdict::passed; break;
  }
  return outcome;
}

int nightly(const NightlyOptions& options) {
  // Before any thread exists, so every thread inherits the blocked signals.
  runner::SignalStopper stopper;
  system::SystemRoot system("/");
  auto suite = config::load_nightly_suite(options.suite);
  std::string label = options.label.empty() ? suite.label : options.label;
  std::string baseline = options.baseline.empty() ? suite.baseline : options.baseline;
  for (const auto& [flag, value] : {std::pair{"--label", label}, std::pair{"--baseline", baseline}})
    if (!results::is_valid_path_component(value))
      throw usage_error("{} {}: expected a label (letters, digits, '.', '_', '+', '-')", flag, value);
  if (label == baseline)
    throw usage_error("--baseline {}: expected a label other than the night's own (--label {})", baseline, label);
  if (!options.iterations.empty() && options.iterations != "auto")
    throw usage_error("--iterations {}: expected auto (a test's own count is the suite's `iterations`)",
                      options.iterations);
  if (options.iterations.empty() && !options.time_budget.empty())
    throw usage_error("--time-budget {}: only with --iterations auto", options.time_budget);
  parse_time_budget(options.time_budget);  // a bad one is refused before the night starts
  analysis::CompareConfig compare_config;
  if (!options.compare_config.empty()) compare_config = analysis::load_compare_config(options.compare_config);
  if (options.iterations == "auto" && options.max_iterations < compare_config.min_iterations)
    throw usage_error("--max-iterations {}: expected at least {}, the fewest iterations compare judges",
                      options.max_iterations, compare_config.min_iterations);
  auto lock = lock_machine_state();  // before the preconditions: they refuse leftovers
  auto planned = plan_night(system, suite, options.allowed_sysctls);

  std::vector<report::NightlyTestOutcome> outcomes;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (stopper.token().stop_requested()) {
      report::NightlyTestOutcome skipped;
      skipped.test = planned[i].plan.name;
      skipped.detail = "the night was interrupted before this test started";
      outcomes.push_back(std::move(skipped));
      continue;
    }
    std::cout << fmt::format("== nightly {}/{}: {} (label {}, baseline {})\n", i + 1, planned.size(),
                             planned[i].plan.name, label, baseline);
    outcomes.push_back(run_and_compare(system, planned[i], options, label, baseline, compare_config, stopper.token()));
  }

  std::cout << "\n";
  report::render_nightly_summary(std::cout, outcomes);
  if (!options.junit.empty()) {
    std::ostringstream junit;
    report::render_nightly_junit(junit, outcomes);
    write_file_atomically(options.junit, junit.str());
  }
  auto code = report::nightly_exit_code(outcomes);
  if (options.no_promote) return static_cast<int>(code);
  if (code != ExitCode::success) {
    std::cout << fmt::format("Not stored as {}: the night {}.\n", baseline,
                             code == ExitCode::inconclusive ? "was inconclusive" : "did not pass");
    return static_cast<int>(code);
  }
  for (const auto& outcome : outcomes) {
    auto stored = results::promote_run(outcome.run_directory, options.results, baseline);
    std::cout << fmt::format("Stored as {}: {}\n", baseline, stored.string());
    history::index_finished_runs(options.results, {stored}, std::cerr);  // the copy is a run of its own
  }
  return static_cast<int>(code);
}

}  // namespace

void add_nightly_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<NightlyOptions>();
  auto* sub = app.add_subcommand(
      "nightly",
      "Run a suite of tests on the host, compare each with the baseline label, and when none regressed store "
      "them as the new baseline; exit 1 on a regression, 4 when a test did not complete, 5 when one was inconclusive");
  sub->add_option("--suite", options->suite, "the suite (TOML; e.g. configs/nightly.toml)")->required();
  sub->add_option("--baseline", options->baseline,
                  "label the runs are compared with (default: the suite's, last-good)");
  sub->add_option("--label", options->label, "label the night's runs are stored under (default: the suite's, nightly)");
  sub->add_option("--results", options->results, "results directory")->capture_default_str();
  sub->add_option("--allow-sysctl", options->allowed_sysctls,
                  "let the suite's configs set this sysctl, which is not vm.* or kernel.numa_balancing* (repeatable)");
  sub->add_option("--junit", options->junit, "also write the night's verdicts as JUnit XML to FILE");
  sub->add_option("--compare-config", options->compare_config, "compare thresholds and gating (TOML; docs/compare.md)");
  sub->add_option("--iterations", options->iterations,
                  "`auto`: run each test until every gating metric is decided against the baseline (at most "
                  "--max-iterations), instead of the suite's count");
  sub->add_option("--max-iterations", options->max_iterations, "with --iterations auto: the most iterations per test")
      ->capture_default_str();
  sub->add_option("--time-budget", options->time_budget,
                  "with --iterations auto: stop a test before another iteration would end after this long, like "
                  "\"20m\"");
  sub->add_flag("--no-promote", options->no_promote, "do not store a passing night under the baseline label");
  sub->callback([options, &exit_code] { exit_code = nightly(*options); });
}

}  // namespace memharness::cli
