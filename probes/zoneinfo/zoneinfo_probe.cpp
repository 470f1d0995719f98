// zoneinfo: each zone's free pages beside its min/low/high watermarks, over
// time, so a plot shows how close reclaim let free memory come to the
// watermarks that wake kswapd (low) and make allocations reclaim directly
// (min). Summed over nodes per zone type (the columns are fixed before the
// first sample); the snapshots keep the whole file, per node.
#include "harness/system/procfs/zoneinfo.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {
namespace {

// The zone types of x86-64 and arm64 kernels that hold pages (Device never does).
constexpr const char* kZones[] = {"DMA", "DMA32", "Normal", "Movable"};
constexpr const char* kFigures[] = {"free_pages", "min_pages", "low_pages", "high_pages"};

ProbeSpec zoneinfo_probe() {
  ProbeSpec spec;
  spec.name = "zoneinfo";
  spec.description = "/proc/zoneinfo free pages and min/low/high watermarks per zone, summed over nodes";
  spec.records = "snapshots/{start,end}/proc/zoneinfo, timeseries.csv zoneinfo.<zone>.*_pages";
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/proc/zoneinfo", "");
  };
  spec.snapshot_files = {"/proc/zoneinfo"};
  for (const char* zone : kZones)
    for (const char* figure : kFigures)
      spec.timeseries_columns.push_back(std::string("zoneinfo.") + zone + "." + figure);
  spec.sample = [](const system::SystemRoot& system, const system::MemoryCgroup*) {
    CounterMap sums;  // "Normal.min_pages" -> pages, over every node
    if (auto text = system.try_read("/proc/zoneinfo"))
      for (const auto& z : system::procfs::parse_zoneinfo(*text)) {
        sums[z.zone + ".free_pages"] += z.free_pages;
        sums[z.zone + ".min_pages"] += z.min_pages;
        sums[z.zone + ".low_pages"] += z.low_pages;
        sums[z.zone + ".high_pages"] += z.high_pages;
      }
    std::vector<std::string> cells;
    for (const char* zone : kZones)
      for (const char* figure : kFigures) cells.push_back(counter_cell(sums, std::string(zone) + "." + figure));
    return cells;
  };
  spec.order = 80;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(zoneinfo_probe());

}  // namespace memharness::probes
