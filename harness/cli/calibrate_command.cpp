// `memharness calibrate RUN_OR_LABEL...`: the run-to-run noise of each metric
// from stored A/A runs, written as a compare config (analysis/noise_calibration.h).
#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/analysis/noise_calibration.h"
#include "harness/cli/commands.h"
#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/report/compare_runs.h"

namespace memharness::cli {

namespace {

struct CalibrateOptions {
  std::vector<std::string> runs;
  std::string results = "results";
  std::string test;
  std::string output;
};

int calibrate(const CalibrateOptions& options) {
  auto runs = report::read_runs_for_compare(options.runs, options.results, options.test);
  auto text = analysis::noise_config_toml(analysis::calibrate_noise(runs));
  if (options.output.empty())
    std::cout << text;
  else
    write_file_atomically(options.output, text);
  return static_cast<int>(ExitCode::success);
}

}  // namespace

void add_calibrate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CalibrateOptions>();
  auto* sub = app.add_subcommand(
      "calibrate",
      "Measure each metric's run-to-run noise from stored repeats of one test on one kernel; writes a compare "
      "config (noise_cov_pct per metric) that compare's --config uses for \"detectable\"");
  sub->add_option("runs", options->runs, "run directories or labels: repeats of one test on one kernel")->required();
  sub->add_option("--results", options->results, "where labels are looked up")->capture_default_str();
  sub->add_option("--test", options->test, "the test a label resolves to, when it holds several");
  sub->add_option("--output", options->output, "write the config to FILE instead of stdout");
  sub->callback([options, &exit_code] { exit_code = calibrate(*options); });
}

}  // namespace memharness::cli
