#pragma once
// IR -> validated TestPlan: checks every value against the schema and the
// workloads' parameter specs, fills in defaults, resolves relative sizes against
// the cgroup limit and the host's memory, and builds the resolved JSON and its
// hash. Touches nothing outside its arguments.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/config/config_ir.h"
#include "harness/config/test_plan.h"
#include "workloads/registry.h"

namespace memharness::config {

// Throws Error(usage) "FILE:LINE:COL: error: ..." on the first invalid value, and
// std::logic_error for a broken WorkloadSpec (say, a default its own spec rejects).
// Throws Error(environment) if host.mem_total_bytes is not known (<= 0).
TestPlan compile_test_plan(const ir::TestConfig& config, const HostFacts& host,
                           const workloads::WorkloadRegistry& registry =
                               workloads::WorkloadRegistry::instance());

// The machine TestPlan::config_hash resolves a config against (1 TiB, no swap,
// one CPU), so that the hash is the same on every machine and guest.
inline constexpr std::int64_t reference_mem_total_bytes = std::int64_t{1} << 40;

// 16 hex digits of FNV-1a 64 over resolved.dump(). An identity hash for telling
// configs apart, not a security measure.
std::string config_hash(const nlohmann::json& resolved);

}  // namespace memharness::config
