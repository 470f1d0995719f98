#include "harness/report/compare_runs.h"

#include "harness/common/error.h"
#include "harness/results/run_reader.h"

namespace memharness::report {

std::vector<results::StoredRun> read_runs_for_compare(const std::vector<std::string>& runs_or_labels,
                                                      const std::filesystem::path& results_root,
                                                      const std::string& test) {
  std::vector<results::StoredRun> runs;
  for (const auto& arg : runs_or_labels) {
    std::string wanted = test;
    if (wanted.empty() && !runs.empty()) wanted = runs.front().test();  // labels resolve to the baseline's test
    runs.push_back(results::read_run(results::resolve_run(arg, results_root, wanted)));
    if (runs.back().complete_iterations().empty())
      throw usage_error("{}: no complete iteration to compare (status {})", runs.back().path.string(),
                        runs.back().status());
  }
  return runs;
}

CompareOutcome compare_and_render(const CompareRequest& request, std::ostream& out, std::ostream& warnings) {
  if (request.runs.size() < 2) throw usage_error("compare needs at least two runs or labels (or one and --baseline)");
  auto runs = read_runs_for_compare(request.runs, request.results_root, request.test);
  auto differences = analysis::environment_differences(runs);
  if (request.strict && !differences.empty())
    throw usage_error("--strict: the runs are not comparable: {}", differences.front());
  CompareOutcome outcome{analysis::compare_runs(runs, request.config), 0};
  for (const auto& w : outcome.comparison.warnings) warnings << "memharness: warning: " << w << '\n';
  render(out, outcome.comparison, request.format, request.render);
  outcome.exit_code = outcome_exit_code(outcome.comparison.outcome);
  return outcome;
}

int outcome_exit_code(analysis::Outcome outcome) {
  switch (outcome) {
    case analysis::Outcome::no_regression: return static_cast<int>(ExitCode::success);
    case analysis::Outcome::regression: return static_cast<int>(ExitCode::regression);
    case analysis::Outcome::inconclusive: return static_cast<int>(ExitCode::inconclusive);
  }
  return static_cast<int>(ExitCode::inconclusive);
}

CompareOutcome compare_run_directories(const std::vector<std::filesystem::path>& run_dirs, Format format,
                                       std::ostream& out, std::ostream& warnings,
                                       const analysis::CompareConfig& config) {
  CompareRequest request;
  for (const auto& d : run_dirs) request.runs.push_back(d.string());
  request.format = format;
  request.config = config;
  return compare_and_render(request, out, warnings);
}

}  // namespace memharness::report
