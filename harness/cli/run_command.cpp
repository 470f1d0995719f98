#include <unistd.h>

#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/config/test_plan.h"
#include "harness/runner/host_run.h"
#include "harness/runner/machine_info.h"
#include "harness/runner/signal_stopper.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

namespace {
struct RunOptions {
  std::string test;
  std::vector<std::string> kernels;
  std::string label;
  std::optional<int> iterations;
  std::string results = "results";
};

int run(const RunOptions& options) {
  // Before any thread exists, so every thread inherits the blocked signals.
  runner::SignalStopper stopper;
  system::SystemRoot system("/");
  for (const auto& kernel : options.kernels)
    if (kernel != "host")
      throw usage_error("--kernel {}: only `host` can be run yet; booting kernel images in VMs and reusing "
                        "stored results are not implemented in this version",
                        kernel);
  if (options.kernels.size() > 1)
    throw usage_error("--kernel host given {} times: comparing kernels needs VM targets, not implemented yet",
                      options.kernels.size());
  if (options.iterations && *options.iterations < 1)
    throw usage_error("--iterations {}: expected a positive number", *options.iterations);

  auto config_file = config::resolve_test_config(options.test, config_search_dirs());
  auto plan = config::load_test_plan(config_file, runner::read_host_facts(system));

  runner::HostRunRequest request{
      .plan = std::move(plan),
      .config_file = config_file,
      .label = options.label,
      .iterations = options.iterations,
      .results_root = options.results,
      .state_dir = state_dir(),
      .terminal = ::isatty(STDOUT_FILENO) == 1,
  };
  auto outcome = runner::run_on_host(system, request, stopper.token(), std::cout);
  return static_cast<int>(outcome.exit_code);
}
}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand("run", "Run a test (a config name in configs/ or a path to a .toml file)");
  sub->add_option("test", options->test, "test config: a name such as anon-dirty, or a path")->required();
  sub->add_option("--kernel", options->kernels, "where to run: `host` (the running kernel)")
      ->default_str("host");
  sub->add_option("--label", options->label, "name the results are stored under (default: the kernel release)");
  sub->add_option("--iterations", options->iterations, "override the config's iteration count");
  sub->add_option("--results", options->results, "results directory")->capture_default_str();
  sub->callback([options, &exit_code] {
    if (options->kernels.empty()) options->kernels = {"host"};
    exit_code = run(*options);
  });
}

}  // namespace memharness::cli
