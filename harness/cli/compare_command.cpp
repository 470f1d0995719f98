#include <unistd.h>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>

#include "harness/analysis/comparison.h"
#include "harness/cli/commands.h"
#include "harness/common/error.h"
#include "harness/report/compare_runs.h"
#include "harness/report/format_registry.h"
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
  if (!f) throw usage_error("--format {}: expected {}", name, report::format_names());
  return *f;
}

// Renders to --output (the whole file at the end) or stdout.
template <typename Render>
void emit(const CompareOptions& options, Render&& render_to) {
  if (options.output.empty()) {
    render_to(std::cout, report::RenderOptions{.colour = ::isatty(STDOUT_FILENO) == 1});
    return;
  }
  std::ostringstream text;
  render_to(text, report::RenderOptions{});
  std::ofstream out(options.output);
  if (!out) throw environment_error("--output {}: cannot be written", options.output);
  out << text.str();
  if (!out.flush()) throw environment_error("--output {}: write failed", options.output);
}

analysis::CompareConfig config_of(const CompareOptions& options) {
  analysis::CompareConfig config;
  if (!options.config.empty()) config = analysis::load_compare_config(options.config);
  return config;
}

int compare(const CompareOptions& options) {
  report::CompareRequest request;
  request.format = format_or_throw(options.format);  // before reading anything
  request.runs = options.runs;
  if (!options.baseline.empty()) request.runs.insert(request.runs.begin(), options.baseline);
  request.results_root = options.results;
  request.test = options.test;
  request.config = config_of(options);
  request.strict = options.strict;
  int exit_code = 0;
  emit(options, [&](std::ostream& out, const report::RenderOptions& render) {
    request.render = render;
    exit_code = report::compare_and_render(request, out, std::cerr).exit_code;
  });
  return exit_code;
}

int report_one(const CompareOptions& options) {
  auto format = format_or_throw(options.format);
  auto run = results::read_run(results::resolve_run(options.runs.front(), options.results, options.test));
  auto comparison = analysis::compare_runs({run}, config_of(options));
  emit(options, [&](std::ostream& out, const report::RenderOptions& render) {
    report::render(out, comparison, format, render);
  });
  return static_cast<int>(ExitCode::success);
}

void add_common_options(CLI::App* sub, CompareOptions& options) {
  sub->add_option("--format", options.format, report::format_names())->capture_default_str();
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
