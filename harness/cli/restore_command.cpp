#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "harness/common/error.h"

#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/cli/machine_state.h"
#include "harness/results/staging_directory.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

void add_restore_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "restore", "Undo the global changes of a crashed run from its journal (sysctls, swap, cgroups ...)");
  auto results = std::make_shared<std::string>("results");
  sub->add_option("--results", *results, "results directory whose abandoned VM work areas (.vm-*, .round-*) to remove")
      ->capture_default_str();
  sub->callback([&exit_code, results] {
    auto lock = lock_machine_state(false);  // restoring is this command's own work
    int failures = system::Journal::restore_all(system::SystemRoot("/"), state_dir(), std::cout);
    // VM runs change no global state, but a killed one leaves its scratch image.
    results::remove_abandoned_staging(*results, std::cout);
    exit_code = failures ? static_cast<int>(ExitCode::run_failed) : 0;
  });
}

}  // namespace memharness::cli
