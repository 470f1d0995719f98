// memcg: the test cgroup's own memory accounting, v1 names normalised to v2
// (harness/system/cgroup.h). Its deltas are the memcg section of compare.
#include "harness/system/cgroup.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {
namespace {

ProbeSpec memcg_probe() {
  ProbeSpec spec;
  spec.name = "memcg";
  spec.description = "the test cgroup's memory.stat and memory.events (v1 names normalised to v2)";
  spec.records = "snapshots/{start,end}/cgroup/memory.*, result.json memcg, timeseries.csv memcg.usage_bytes";
  spec.metrics = {"memcg.*"};
  // The iteration's cgroup is created for it: nothing to check beforehand
  // (a run without a memory controller fails before any probe starts).
  spec.unavailable_reason = [](const system::SystemRoot&) { return std::string(); };
  // Whichever exist for the cgroup's version.
  spec.cgroup_snapshot_files = {
      "memory.stat",    "memory.events",        "memory.pressure",       "memory.current",
      "memory.peak",    "memory.swap.current",  "memory.usage_in_bytes", "memory.max_usage_in_bytes",
      "memory.failcnt", "memory.memsw.failcnt", "memory.oom_control",
  };
  spec.timeseries_columns = {"memcg.usage_bytes"};
  spec.sample = [](const system::SystemRoot&, const system::MemoryCgroup* cgroup) -> std::vector<std::string> {
    if (cgroup)
      if (auto usage = cgroup->usage_bytes()) return {std::to_string(*usage)};
    return {""};
  };
  spec.order = 40;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(memcg_probe());

}  // namespace memharness::probes
