#pragma once
// Building one workload out of registered others (pressure-oom runs kernbench,
// dd-writeback and anon-dirty side by side): the parameters a component gets
// and the context it runs in. Components are created through the registry, so
// a mix runs exactly the code the single workloads run.
#include <map>
#include <memory>
#include <stop_token>
#include <string>

#include "workloads/registry.h"

namespace memharness::workloads {

// The spec registered as `type`; std::logic_error when there is none (a bug).
const WorkloadSpec& registered_spec(const std::string& type);

// `overrides` plus the defaults of every other parameter of `type`. A default
// relative to the cgroup limit ("150%") cannot be resolved here: such a
// parameter must be overridden (std::logic_error otherwise, a bug in the mix).
ResolvedParams component_params(const std::string& type, const std::map<std::string, ResolvedParams::Value>& overrides);

// The context a component runs in: its own output directory (created) below
// the mix's, its own instance name, and `stop` instead of the mix's token.
WorkloadContext component_context(const WorkloadContext& mix, const std::string& component, std::stop_token stop);

}  // namespace memharness::workloads
