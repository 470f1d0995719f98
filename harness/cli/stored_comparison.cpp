#include "harness/cli/stored_comparison.h"

#include <fstream>
#include <ostream>

#include "harness/analysis/comparison.h"
#include "harness/common/error.h"
#include "harness/report/report.h"
#include "harness/results/run_reader.h"

namespace memharness::cli {

namespace {

report::Format format_or_throw(const std::string& name) {
  auto f = report::parse_format(name);
  if (!f) throw usage_error("--format {}: expected text, markdown, json or junit (html is not implemented yet)", name);
  return *f;
}

}  // namespace

void check_comparison_format(const std::string& format) { format_or_throw(format); }

void render_comparison(const analysis::Comparison& comparison, const ComparisonRequest& request, std::ostream& out) {
  auto format = format_or_throw(request.format);
  if (request.output.empty()) {
    report::render(out, comparison, format, {.colour = request.colour});
    return;
  }
  std::ofstream file(request.output);
  if (!file) throw environment_error("--output {}: cannot be written", request.output);
  report::render(file, comparison, format);
  if (!file.flush()) throw environment_error("--output {}: write failed", request.output);
}

int compare_stored_runs(const ComparisonRequest& request, std::ostream& out, std::ostream& warnings) {
  format_or_throw(request.format);  // before reading anything
  if (request.runs.size() < 2) throw usage_error("compare needs at least two runs or labels (or one and --baseline)");
  analysis::CompareConfig config;
  if (!request.config.empty()) config = analysis::load_compare_config(request.config);
  std::vector<results::StoredRun> runs;
  for (const auto& arg : request.runs) {
    std::string test = request.test;
    if (test.empty() && !runs.empty()) test = runs.front().test();  // labels resolve to the baseline's test
    runs.push_back(results::read_run(results::resolve_run(arg, request.results, test)));
    if (runs.back().complete_iterations().empty())
      throw usage_error("{}: no complete iteration to compare (status {})", runs.back().path.string(),
                        runs.back().status());
  }
  auto differences = analysis::environment_differences(runs);
  if (request.strict && !differences.empty())
    throw usage_error("--strict: the runs are not comparable: {}", differences.front());
  auto comparison = analysis::compare_runs(runs, config);
  for (const auto& w : comparison.warnings) warnings << "memharness: warning: " << w << '\n';
  render_comparison(comparison, request, out);
  return comparison.gating_regressions > 0 ? static_cast<int>(ExitCode::regression)
                                           : static_cast<int>(ExitCode::success);
}

}  // namespace memharness::cli
