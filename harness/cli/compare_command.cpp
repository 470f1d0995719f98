#include <unistd.h>

#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "harness/analysis/comparison.h"
#include "harness/cli/commands.h"
#include "harness/common/error.h"
#include "harness/report/report.h"
#include "harness/results/run_reader.h"

namespace memharness::cli {

namespace {

struct CompareOptions {
  std::vector<std::string> runs;
  std::string baseline;
  std::string format = "text";
  std::string output;
  std::string results = "results";
  std::string config;
  std::string test;
  bool strict = false;
};

report::Format format_or_throw(const std::string& name) {
  auto f = report::parse_format(name);
  if (!f) throw usage_error("--format {}: expected text, markdown, json or junit (html is not implemented yet)", name);
  return *f;
}

// Writes to --output (atomically enough for a report: whole file at the end) or stdout.
void emit(const CompareOptions& options, const analysis::Comparison& comparison) {
  auto format = format_or_throw(options.format);
  if (options.output.empty()) {
    report::render(std::cout, comparison, format, {.colour = ::isatty(STDOUT_FILENO) == 1});
    return;
  }
  std::ofstream out(options.output);
  if (!out) throw environment_error("--output {}: cannot be written", options.output);
  report::render(out, comparison, format);
  if (!out.flush()) throw environment_error("--output {}: write failed", options.output);
}

int compare(const CompareOptions& options) {
  format_or_throw(options.format);  // before reading anything
  std::vector<std::string> args = options.runs;
  if (!options.baseline.empty()) args.insert(args.begin(), options.baseline);
  if (args.size() < 2) throw usage_error("compare needs at least two runs or labels (or one and --baseline)");
  analysis::CompareConfig config;
  if (!options.config.empty()) config = analysis::load_compare_config(options.config);
  std::vector<results::StoredRun> runs;
  for (const auto& arg : args) {
    std::string test = options.test;
    if (test.empty() && !runs.empty()) test = runs.front().test();  // labels resolve to the baseline's test
    runs.push_back(results::read_run(results::resolve_run(arg, options.results, test)));
    if (runs.back().complete_iterations().empty())
      throw usage_error("{}: no complete iteration to compare (status {})", runs.back().path.string(),
                        runs.back().status());
  }
  auto differences = analysis::environment_differences(runs);
  if (options.strict && !differences.empty())
    throw usage_error("--strict: the runs are not comparable: {}", differences.front());
  auto comparison = analysis::compare_runs(runs, config);
  for (const auto& w : comparison.warnings) std::cerr << "memharness: warning: " << w << '\n';
  emit(options, comparison);
  return comparison.gating_regressions > 0 ? static_cast<int>(ExitCode::regression)
                                           : static_cast<int>(ExitCode::success);
}

int report_one(const CompareOptions& options) {
  format_or_throw(options.format);
  auto run = results::read_run(results::resolve_run(options.runs.front(), options.results, options.test));
  analysis::CompareConfig config;
  if (!options.config.empty()) config = analysis::load_compare_config(options.config);
  auto comparison = analysis::compare_runs({run}, config);
  emit(options, comparison);
  return static_cast<int>(ExitCode::success);
}

void add_common_options(CLI::App* sub, CompareOptions& options) {
  sub->add_option("--format", options.format, "text, markdown, json or junit")->capture_default_str();
  sub->add_option("--output", options.output, "write to FILE instead of stdout");
  sub->add_option("--results", options.results, "where labels are looked up")->capture_default_str();
  sub->add_option("--test", options.test, "the test a label resolves to, when it holds several");
  sub->add_option("--config", options.config, "compare thresholds and gating (TOML; docs/compare.md)");
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompareOptions>();
  auto* sub = app.add_subcommand(
      "compare", "Compare stored runs: the first (or --baseline) is the baseline; exit 1 if a gating metric regressed");
  sub->add_option("runs", options->runs, "run directories or labels (the newest complete run stored under it)")
      ->required();
  sub->add_option("--baseline", options->baseline, "the baseline run or label (default: the first)");
  sub->add_flag("--strict", options->strict, "differing config hash, MemTotal or CPU count is an error, not a warning");
  add_common_options(sub, *options);
  sub->callback([options, &exit_code] { exit_code = compare(*options); });
}

void add_report_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompareOptions>();
  auto* sub = app.add_subcommand("report", "Print one stored run's summary tables");
  sub->add_option("run", options->runs, "a run directory or label")->required()->expected(1);
  add_common_options(sub, *options);
  sub->callback([options, &exit_code] { exit_code = report_one(*options); });
}

}  // namespace memharness::cli
