#pragma once
// IR -> validated TestPlan: checks every value against the schema and the
// workloads' parameter specs, fills in defaults, resolves relative sizes against
// the cgroup limit and the host's memory, and builds the resolved JSON and its
// hash. Touches nothing outside its arguments.
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
                           const workloads::WorkloadRegistry& registry = workloads::WorkloadRegistry::instance());

// 16 hex digits of FNV-1a 64 over resolved.dump(). An identity hash for telling
// configs apart, not a security measure. A plan's config_hash is this over the
// config resolved against one fixed machine (1 PiB, 1 CPU), so that relative
// sizes ("0.95x", "150%") hash the same on every machine.
std::string config_hash(const nlohmann::json& resolved);

}  // namespace memharness::config
