#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include <fmt/core.h>
#include "harness/common/error.h"

#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/config/nightly_suite.h"
#include "harness/config/test_plan.h"
#include "harness/runner/machine_info.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

namespace {

// A file that is no test config may be a nightly suite: then it and every test
// it names are checked. Nothing when it is not a suite either (the caller
// reports the test config's error); otherwise whether the suite and its tests
// are valid, their errors printed here.
std::optional<bool> check_suite(const std::string& file, const config::HostFacts& facts) {
  auto suite = config::try_load_nightly_suite(file);
  if (!suite) return std::nullopt;
  bool valid = true;
  for (std::size_t i = 0; i < suite->tests.size(); ++i) {
    try {
      config::load_test_plan(config::resolve_nightly_test(*suite, i, config_search_dirs()), facts);
    } catch (const Error& e) {
      std::cerr << e.what() << '\n';
      valid = false;
    }
  }
  if (valid)
    std::cout << fmt::format("{}: ok: nightly suite, {} test(s), label \"{}\", baseline \"{}\"\n", file,
                             suite->tests.size(), suite->label, suite->baseline);
  return valid;
}

}  // namespace

void add_check_config_command(CLI::App& app, int& exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("check-config",
                                 "Validate test configs and nightly suites without running them (exit 2 on errors)");
  sub->add_option("files", *files, "config files")->required();
  sub->callback([files, &exit_code] {
    auto facts = runner::read_host_facts(system::SystemRoot("/"));
    int failures = 0;
    for (const auto& file : *files) {
      try {
        auto plan = config::load_test_plan(file, facts);
        std::size_t workloads = 0;
        for (const auto& phase : plan.phases) workloads += phase.workloads.size();
        std::cout << fmt::format("{}: ok: test \"{}\", {} iteration(s), {} phase(s), {} workload(s)\n", file, plan.name,
                                 plan.iterations, plan.phases.size(), workloads);
      } catch (const Error& e) {
        if (auto suite_valid = check_suite(file, facts)) {
          failures += *suite_valid ? 0 : 1;
          continue;
        }
        std::cerr << e.what() << '\n';
        ++failures;
      }
    }
    exit_code = failures ? static_cast<int>(ExitCode::usage) : 0;
  });
}

}  // namespace memharness::cli
