#pragma once
// What the manifest records about the machine a run ran on, and the facts the
// config compiler checks sizes against.
#include <nlohmann/json.hpp>

#include "harness/config/test_plan.h"

namespace memharness::system {
class SystemRoot;
}

namespace memharness::runner {

config::HostFacts read_host_facts(const system::SystemRoot& system);

// Kernel release, version and command line; CPUs, MemTotal, swap; THP and
// hugepage settings; the reclaim-related sysctls (as they are now).
nlohmann::json describe_machine(const system::SystemRoot& system);

// First line of `<program> --version`, or "" when it cannot be run.
std::string program_version(const std::string& program);

}  // namespace memharness::runner
