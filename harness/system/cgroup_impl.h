#pragma once
// Private to harness/system/cgroup*.cpp: the per-version MemoryCgroup factories.
#include <memory>
#include <string>

#include "harness/system/cgroup.h"

namespace memharness::system::detail {

// `owned`: the object removes the cgroup in its destructor (created by us).
std::unique_ptr<MemoryCgroup> make_v1_memory_cgroup(const SystemRoot& root, std::string path, ProcessKiller killer,
                                                    bool owned);
// Throws Error(environment) for limits a v1 memory cgroup like `cgroup` cannot express.
void check_v1_limits(const SystemRoot& root, std::string_view cgroup, const MemoryLimits& limits);

std::unique_ptr<MemoryCgroup> make_v2_memory_cgroup(const SystemRoot& root, std::string path, ProcessKiller killer,
                                                    bool owned);

}  // namespace memharness::system::detail
