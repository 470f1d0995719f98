#pragma once
// The host commands a VM run uses (ldd, xz, mkfs.ext4, debugfs, qemu): argv
// with stdout and stderr to a log file, no cgroup, no deadline unless set.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/system/process.h"

namespace memharness::targets {

inline system::SpawnOptions host_command(std::vector<std::string> argv, std::filesystem::path log_file) {
  system::SpawnOptions options;
  options.argv = std::move(argv);
  options.log_file = std::move(log_file);
  return options;
}

}  // namespace memharness::targets
