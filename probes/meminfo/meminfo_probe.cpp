// meminfo: the system's memory at the start and end of an iteration, and its
// free, cached, dirty and writeback memory over time.
#include "harness/system/procfs/meminfo.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {
namespace {

constexpr const char* kColumns[] = {"MemFree", "MemAvailable", "Cached", "Dirty", "Writeback", "SwapFree"};

ProbeSpec meminfo_probe() {
  ProbeSpec spec;
  spec.name = "meminfo";
  spec.description = "/proc/meminfo at start and end, free/dirty/writeback series";
  spec.records =
      "snapshots/{start,end}/proc/meminfo, result.json meminfo_start and meminfo_end (bytes), "
      "timeseries.csv meminfo.*_bytes";
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/proc/meminfo", "");
  };
  spec.snapshot_files = {"/proc/meminfo"};
  for (const char* c : kColumns) spec.timeseries_columns.emplace_back(std::string("meminfo.") + c + "_bytes");
  spec.sample = [](const system::SystemRoot& system, const system::MemoryCgroup*) {
    CounterMap meminfo;
    if (auto text = system.try_read("/proc/meminfo")) meminfo = system::procfs::parse_meminfo(*text);
    std::vector<std::string> cells;
    for (const char* c : kColumns) cells.push_back(counter_cell(meminfo, c));
    return cells;
  };
  spec.order = 20;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(meminfo_probe());

}  // namespace memharness::probes
