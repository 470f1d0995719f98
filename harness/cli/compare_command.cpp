#include <unistd.h>

#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "harness/analysis/comparison.h"
#include "harness/cli/commands.h"
#include "harness/cli/stored_comparison.h"
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

ComparisonRequest comparison_request(const CompareOptions& options) {
  ComparisonRequest request{.runs = options.runs,
                            .format = options.format,
                            .output = options.output,
                            .results = options.results,
                            .config = options.config,
                            .test = options.test,
                            .strict = options.strict,
                            .colour = ::isatty(STDOUT_FILENO) == 1};
  if (!options.baseline.empty()) request.runs.insert(request.runs.begin(), options.baseline);
  return request;
}

int compare(const CompareOptions& options) {
  return compare_stored_runs(comparison_request(options), std::cout, std::cerr);
}

int report_one(const CompareOptions& options) {
  check_comparison_format(options.format);
  auto run = results::read_run(results::resolve_run(options.runs.front(), options.results, options.test));
  analysis::CompareConfig config;
  if (!options.config.empty()) config = analysis::load_compare_config(options.config);
  render_comparison(analysis::compare_runs({run}, config), comparison_request(options), std::cout);
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
