#include "harness/runner/iteration_cleanup.h"

#include <exception>

#include <fmt/core.h>

namespace memharness::runner {

std::string end_iteration_cgroup(system::MemoryCgroup& cgroup, std::chrono::milliseconds kill_timeout) {
  try {
    cgroup.kill_all(kill_timeout);
    cgroup.remove();
    return "";
  } catch (const std::exception& e) {
    return fmt::format("the iteration's cgroup was not cleaned up: {}", e.what());
  }
}

}  // namespace memharness::runner
