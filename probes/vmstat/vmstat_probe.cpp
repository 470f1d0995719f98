// vmstat: the whole system's memory-management counters. Its start/end deltas
// are the vmstat section of compare; the time series plots a chosen few.
#include "harness/system/procfs/vmstat.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {
namespace {

// Cumulative counters and gauges worth plotting over time; rates are derived
// at analysis time from consecutive rows. pgscan_anon/pgscan_file count every
// reclaimer, memcg limit reclaim included, which pgscan_kswapd/direct miss.
constexpr const char* kColumns[] = {
    "nr_free_pages",
    "nr_dirty",
    "nr_writeback",
    "pgscan_kswapd",
    "pgscan_direct",
    "pgscan_anon",
    "pgscan_file",
    "pgsteal_kswapd",
    "pgsteal_direct",
    "allocstall_normal",
    "allocstall_movable",
    "pswpin",
    "pswpout",
    "nr_vmscan_write",
    "compact_stall",
    "compact_success",
    "compact_fail",
    "workingset_refault_anon",
    "workingset_refault_file",
    "pgmajfault",
    "oom_kill",
};

ProbeSpec vmstat_probe() {
  ProbeSpec spec;
  spec.name = "vmstat";
  spec.description = "/proc/vmstat start/end deltas and time series";
  spec.records = "snapshots/{start,end}/proc/vmstat, result.json vmstat_delta, timeseries.csv vmstat.*";
  spec.metrics = {"vmstat.*"};
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/proc/vmstat", "");
  };
  spec.snapshot_files = {"/proc/vmstat"};
  for (const char* c : kColumns) spec.timeseries_columns.emplace_back(std::string("vmstat.") + c);
  spec.sample = [](const system::SystemRoot& system, const system::MemoryCgroup*) {
    CounterMap vmstat;
    if (auto text = system.try_read("/proc/vmstat"))
      vmstat = system::procfs::with_zone_sums(system::procfs::parse_vmstat(*text));
    std::vector<std::string> cells;
    for (const char* c : kColumns) cells.push_back(counter_cell(vmstat, c));
    return cells;
  };
  spec.order = 10;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(vmstat_probe());

}  // namespace memharness::probes
