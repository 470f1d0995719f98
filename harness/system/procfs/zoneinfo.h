#pragma once
// /proc/zoneinfo: per zone, the free pages and the min/low/high watermarks
// that decide when kswapd wakes (below low), sleeps again (above high) and when
// allocations reclaim directly (below min). The file holds much more (per-node
// stats, pagesets); only these are read.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/system/system_root.h"

namespace memharness::system::procfs {

// One "Node N, zone NAME" block, in pages.
struct ZoneWatermarks {
  int node = 0;
  std::string zone;  // DMA, DMA32, Normal, HighMem, Movable, Device
  std::int64_t free_pages = 0;
  std::int64_t min_pages = 0;
  std::int64_t low_pages = 0;
  std::int64_t high_pages = 0;
};

// Every zone, in the kernel's order (by node, then by zone). `source` names
// the input in error messages. Throws memharness::Error (environment) naming
// the file and line for a malformed zone header, a value that is not a count,
// a key given twice in a zone, or a zone without all four figures.
std::vector<ZoneWatermarks> parse_zoneinfo(std::string_view text, std::string_view source = "/proc/zoneinfo");

// Reads /proc/zoneinfo under `root`.
std::vector<ZoneWatermarks> read_zoneinfo(const SystemRoot& root);

}  // namespace memharness::system::procfs
