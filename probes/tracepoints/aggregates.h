#pragma once
// The recorder's aggregates in user space: the per-CPU values read from the BPF
// maps (or computed by a text parser) summed into RawAggregates, and their JSON
// form, iterations/N/tracepoints.json (schema in docs/probes.md, "tracepoints.json").
// No libbpf here: decoding is pure, so it is unit tested without privilege.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/results/iteration_record.h"
#include "harness/results/tracepoints_document.h"
#include "probes/bpf/reclaim_aggregates.h"

namespace memharness::probes {

struct RawAggregates {
  std::array<std::array<mh_context_stats, MH_NR_CONTEXTS>, MH_NR_SCOPES> contexts{};
  std::array<mh_scope_stats, MH_NR_SCOPES> scopes{};
  // kswapd intervals still open at the end (awake when read), already added to
  // scopes[system].kswapd_awake_ns by the reader.
  std::uint64_t kswapd_open_intervals = 0;
};

// Sums the per-CPU copies of one map value (maxima: the largest).
mh_context_stats sum_per_cpu(std::span<const mh_context_stats> per_cpu);
mh_scope_stats sum_per_cpu(std::span<const mh_scope_stats> per_cpu);

std::string_view context_name(int context);         // "kswapd", "direct_reclaim", ...
std::string_view throttle_reason_name(int reason);  // "WRITEBACK", ...

struct RecorderDescription {
  std::string recorder;     // "bpf"
  std::string attribution;  // "tgid-tree" (cgroup v1) or "cgroup-id" (v2)
  std::int64_t root_tgid = 0;
  std::optional<std::uint64_t> workload_cgroup_id;
  double recorded_s = 0;  // attach to read
};

// The tracepoints.json document. `available` maps "subsystem/event" to whether
// the running kernel has it; a figure whose source events are missing is
// {"available": false, "reason": "not available on this kernel: ..."}.
nlohmann::json aggregates_json(const RawAggregates& raw, const std::map<std::string, bool>& available,
                               const RecorderDescription& description);

// The headline figures of a tracepoints.json document, flat, for the
// iteration's result.json and the run summary: direct_reclaims,
// direct_reclaim_stall_ms (system scope), memcg_reclaims, memcg_reclaim_stall_ms
// (workload scope), kswapd_wakeups, kswapd_awake_ms, and
// {direct,kswapd}_reclaim_write_{file,anon}. A figure whose events the kernel
// lacks is null.
results::TracepointSummary tracepoint_summary(const results::TracepointsDocument& document);

}  // namespace memharness::probes
