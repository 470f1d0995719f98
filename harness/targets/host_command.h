#pragma once
// The host commands a VM run uses (ldd, xz, mkfs.ext4, debugfs, qemu): argv
// with stdout and stderr to a log file, no cgroup, no deadline unless set.
#include <chrono>
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

// The same, killed when it has not ended within `limit` (a hung tool must not
// hang the run).
inline system::SpawnOptions host_command(std::vector<std::string> argv, std::filesystem::path log_file,
                                         std::chrono::steady_clock::duration limit) {
  auto options = host_command(std::move(argv), std::move(log_file));
  options.deadline = std::chrono::steady_clock::now() + limit;
  return options;
}

}  // namespace memharness::targets
