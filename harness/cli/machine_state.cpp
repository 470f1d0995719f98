#include "harness/cli/machine_state.h"

#include <iostream>
#include <sstream>
#include <string>

#include "harness/cli/config_dirs.h"
#include "harness/common/error.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"

namespace memharness::cli {

system::StateLock lock_machine_state(bool restore_leftovers) {
  auto lock = system::StateLock::acquire(state_dir());
  if (!lock.taken_over_from().empty())
    std::cerr << "memharness: took over the state lock of an ended memharness (" << lock.taken_over_from() << ")\n";
  system::SystemRoot root("/");
  if (!restore_leftovers || !system::Journal::any_left_by_ended_owners(root, state_dir())) return lock;
  std::cerr << "memharness: an earlier run ended without restoring this machine; restoring what it left first:\n";
  std::ostringstream report;
  int failures = system::Journal::restore_all(root, state_dir(), report);
  std::istringstream lines(report.str());
  for (std::string line; std::getline(lines, line);) std::cerr << "memharness: restore: " << line << '\n';
  if (failures > 0)
    throw environment_error(
        "{} change(s) left by ended runs could not be undone (see above): fix what is named and "
        "run `memharness restore`",
        failures);
  return lock;
}

}  // namespace memharness::cli
