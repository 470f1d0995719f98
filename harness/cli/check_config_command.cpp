#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/common/error.h"
#include <fmt/core.h>

#include "harness/cli/commands.h"
#include "harness/config/test_plan.h"
#include "harness/runner/machine_info.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

void add_check_config_command(CLI::App& app, int& exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("check-config", "Validate test configs without running them (exit 2 on errors)");
  sub->add_option("files", *files, "config files")->required();
  sub->callback([files, &exit_code] {
    auto facts = runner::read_host_facts(system::SystemRoot("/"));
    int failures = 0;
    for (const auto& file : *files) {
      try {
        auto plan = config::load_test_plan(file, facts);
        std::size_t workloads = 0;
        for (const auto& phase : plan.phases) workloads += phase.workloads.size();
        std::cout << fmt::format("{}: ok: test \"{}\", {} iteration(s), {} phase(s), {} workload(s)\n", file,
                                 plan.name, plan.iterations, plan.phases.size(), workloads);
      } catch (const Error& e) {
        std::cerr << e.what() << '\n';
        ++failures;
      }
    }
    exit_code = failures ? static_cast<int>(ExitCode::usage) : 0;
  });
}

}  // namespace memharness::cli
