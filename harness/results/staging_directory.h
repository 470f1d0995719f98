#pragma once
// Work areas beside a results root: a VM run's `.vm-<pid>-<label>-XXXXXX`
// (scratch image, console, the guest's copied-out results) and a VM round's
// `.round-<pid>-<round>-XXXXXX` (the run directory of one boot before its
// iteration moves into the kernel's run directory). They are made beside the
// results so that what they hold moves in by rename.
//
// A harness that dies without unwinding (SIGKILL, OOM) leaves them behind,
// scratch images as large as the guest wrote. So each holds an exclusive
// flock(2) on itself for as long as its owner lives (the kernel drops it
// however the owner dies, and the shepherds the harness forks close every
// inherited descriptor), and the next VM run in the same results root, or
// `memharness restore --results DIR`, removes those whose lock is free.
#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <string_view>
#include <vector>

#include "harness/common/owned_files.h"

namespace memharness::results {

class StagingDirectory {
 public:
  // mkdtemp(results_root/.<kind>-<pid>-<name>-XXXXXX), locked; `kind` is "vm"
  // or "round". Throws Error(environment) naming the path.
  static StagingDirectory create(const std::filesystem::path& results_root, std::string_view kind,
                                 std::string_view name);
  const std::filesystem::path& path() const noexcept { return directory_.path(); }

 private:
  explicit StagingDirectory(OwnedDirectory directory) : directory_(std::move(directory)) {}
  OwnedDirectory directory_;  // its descriptor holds the lock
};

// Removes every `.vm-*` and `.round-*` directory directly below `results_root`
// whose lock nobody holds and which has not changed for `settle_time` (one
// just made by mkdtemp is not locked yet), saying so on `out`, one line each.
// Returns what it removed; a missing root is nothing to do. Symlinks are
// never followed.
std::vector<std::filesystem::path> remove_abandoned_staging(
    const std::filesystem::path& results_root, std::ostream& out,
    std::chrono::seconds settle_time = std::chrono::seconds(10));

}  // namespace memharness::results
