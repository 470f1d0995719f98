#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/common/error.h"

#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/cli/machine_state.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

void add_restore_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "restore", "Undo the global changes of a crashed run from its journal (sysctls, swap, cgroups ...)");
  sub->callback([&exit_code] {
    auto lock = lock_machine_state(false);  // restoring is this command's own work
    int failures = system::Journal::restore_all(system::SystemRoot("/"), state_dir(), std::cout);
    exit_code = failures ? static_cast<int>(ExitCode::run_failed) : 0;
  });
}

}  // namespace memharness::cli
