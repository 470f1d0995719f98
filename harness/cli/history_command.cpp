#include <iostream>
#include <regex>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "harness/analysis/change_points.h"
#include "harness/cli/commands.h"
#include "harness/common/error.h"
#include "harness/history/history_render.h"
#include "harness/history/history_store.h"

namespace memharness::cli {

namespace {

struct HistoryOptions {
  std::string results = "results";
  std::string test;
  std::string metric;
  std::string label;
  std::string since;
  std::string format = "text";
  bool rebuild = false;
  double change_alpha = analysis::ChangePointOptions{}.alpha;
  int min_segment = analysis::ChangePointOptions{}.min_segment;
};

// --since: a UTC date or date and time as manifests record started_at, which
// sort as text, so the filter is a comparison of strings.
void check_since(const std::string& since) {
  static const std::regex date(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ)?)");
  if (!since.empty() && !std::regex_match(since, date))
    throw usage_error("--since {}: expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", since);
}

int history(const HistoryOptions& options) {
  auto format = history::parse_history_format(options.format);
  if (!format) throw usage_error("--format {}: expected text, markdown, json or csv", options.format);
  check_since(options.since);
  if (!(options.change_alpha > 0 && options.change_alpha < 1))
    throw usage_error("--change-alpha {}: expected a probability between 0 and 1, like 0.01", options.change_alpha);
  if (options.min_segment < 2) throw usage_error("--min-segment {}: expected at least 2 runs", options.min_segment);
  std::error_code ec;
  if (!std::filesystem::is_directory(options.results, ec))
    throw usage_error("--results {}: expected a results directory (it is not a directory)", options.results);
  auto database = history::default_database(options.results);

  if (options.rebuild || !std::filesystem::exists(database, ec)) {
    if (!options.rebuild)
      std::cerr << fmt::format("memharness: {} does not exist: indexing the runs of {}\n", database.string(),
                               options.results);
    auto summary = history::rebuild(database, options.results);
    for (const auto& skipped : summary.skipped)
      std::cerr << fmt::format("memharness: warning: history: not indexed: {}\n", skipped);
    if (options.rebuild) {
      std::cout << fmt::format("memharness: {}: {} run(s) indexed\n", database.string(), summary.runs);
      if (options.metric.empty()) return static_cast<int>(ExitCode::success);
    }
  }

  history::HistoryStore store(database, options.results);
  history::RunFilter filter{.test = options.test, .label = options.label, .since = options.since};
  if (options.metric.empty())
    history::render_metric_counts(std::cout, store.metric_counts(filter), *format);
  else
    history::render_series(std::cout, store.series(options.metric, filter), *format,
                           {.alpha = options.change_alpha,
                            .permutations = analysis::ChangePointOptions{}.permutations,
                            .min_segment = options.min_segment,
                            .seed = analysis::ChangePointOptions{}.seed});
  return static_cast<int>(ExitCode::success);
}

}  // namespace

void add_history_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<HistoryOptions>();
  auto* sub = app.add_subcommand(
      "history",
      "A metric's values over the stored runs (the index <results>/history.db); without --metric, the metrics");
  sub->add_option("--results", options->results, "results directory")->capture_default_str();
  sub->add_option("--test", options->test, "only runs of this test");
  sub->add_option("--metric", options->metric, "the metric's id, as compare --format json names it");
  sub->add_option("--label", options->label, "only runs stored under this label");
  sub->add_option("--since", options->since, "only runs started on or after this UTC date (YYYY-MM-DD[THH:MM:SSZ])");
  sub->add_option("--format", options->format, "text, markdown, json or csv")->capture_default_str();
  sub->add_option("--change-alpha", options->change_alpha,
                  "significance of each change point's permutation test (docs/history.md)")
      ->capture_default_str();
  sub->add_option("--min-segment", options->min_segment,
                  "runs each side of a change point needs: a single outlying run is not a step")
      ->capture_default_str();
  sub->add_flag("--rebuild", options->rebuild, "recreate the index from the run directories");
  sub->callback([options, &exit_code] { exit_code = history(*options); });
}

}  // namespace memharness::cli
