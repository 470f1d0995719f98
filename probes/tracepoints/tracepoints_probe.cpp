// tracepoints: reclaim, compaction and writeback tracepoints aggregated in the
// kernel (BPF) or from tracefs text. The runner starts its recorder itself
// (runner/iteration.cpp: it needs the journal and the cgroup's id); this
// registration says what it records and when it cannot.
#include <fmt/core.h>

#include "harness/system/system_root.h"
#include "probes/registry.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/recorder.h"

namespace memharness::probes {
namespace {

ProbeSpec tracepoints_probe() {
  ProbeSpec spec;
  spec.name = "tracepoints";
  spec.description = "reclaim, compaction and writeback tracepoints aggregated in the kernel";
  spec.records = "tracepoints.json, tracepoints-timeseries.csv, result.json tracepoint_recorder and tracepoints";
  spec.metrics = {"tracepoint.*", "time.direct_reclaim_pct", "time.kswapd_awake_pct"};
  // The recorder mounts tracefs there when it is not mounted.
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/sys/kernel/tracing", "nowhere to mount tracefs");
  };
  spec.list_details = [] {
    std::vector<std::string> lines = {fmt::format("recorder built: {}", built_recorders())};
    for (const auto& tracepoint : reclaim_tracepoints()) lines.push_back(tracepoint.name());
    return lines;
  };
  spec.order = 70;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(tracepoints_probe());

}  // namespace memharness::probes
