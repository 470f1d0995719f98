#pragma once
// highalloc's view of free memory's fragmentation around each pass (Pass 1,
// Pass 2, At Rest): /proc/buddyinfo, /proc/pagetypeinfo and vmstat's compact_*
// counters read right before a pass's first attempt and right after its last
// (before the pass gives its huge pages back), their deltas, and the per-pass
// figures recorded as metrics. The snapshots go to fragmentation.json beside
// timeline.json; the figures that say why huge pages failed become metrics.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/common/counters.h"
#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/extfrag.h"
#include "harness/system/procfs/pagetypeinfo.h"
#include "harness/system/system_root.h"

namespace memharness::workloads::highalloc {

// The buddy order of a huge page: log2(huge_page_bytes / base_page_bytes), the
// kernel's HPAGE_PMD_ORDER for a THP (9 for 2 MiB on 4 KiB pages, equal to
// pageblock_order there). Throws Error(environment) unless the huge page is a
// power-of-two multiple of the base page.
unsigned huge_page_order(std::int64_t huge_page_bytes, std::int64_t base_page_bytes);

// The allocator's state at one moment.
struct FragmentationSnapshot {
  std::vector<system::procfs::ZoneFreeAreas> buddyinfo;
  // nullopt when /proc/pagetypeinfo cannot be read (mode 0400: root only).
  std::optional<system::procfs::PageTypeInfo> pagetypeinfo;
  CounterMap compaction;  // /proc/vmstat's compact_* counters
  // debugfs's extfrag/unusable_index where debugfs is mounted; empty otherwise.
  std::vector<system::procfs::ZoneUnusableIndex> debugfs_unusable_index;
};

FragmentationSnapshot take_fragmentation_snapshot(const system::SystemRoot& system);

// One pass's figures, recorded as its metrics.
struct PassFragmentation {
  unsigned order = 0;  // the huge page's
  // At the pass's start, all zones summed: free blocks of `order`, a larger
  // free block counting as its 2^(o - order) parts (mm/vmstat.c's
  // free_blocks_suitable): how many huge pages free memory held as such.
  std::int64_t free_blocks = 0;
  // At the pass's start: the unusable free space index at `order` of the
  // zones' free areas summed order by order (the kernel's formula,
  // fragmentation.h, over the whole machine), in [0, 1].
  double unusable_index = 0;
  // At the pass's start, all zones summed: pageblocks per migrate type
  // ("Number of blocks type"); empty without pagetypeinfo.
  CounterMap pageblocks;
  CounterMap compaction_delta;  // compact_* after the pass minus before it
};

PassFragmentation pass_fragmentation(const FragmentationSnapshot& before, const FragmentationSnapshot& after,
                                     unsigned order);

// Adds the pass's metrics under `pass` ("pass1"): "{pass}-order{N}-free-blocks",
// "{pass}-order{N}-unusable-index", "{pass}-pageblocks-{unmovable,movable,
// reclaimable}" (when pagetypeinfo was read) and "{pass}-compact-{stall,
// success,fail}" (when vmstat has them).
void record_pass_metrics(const std::string& pass, const PassFragmentation& figures, nlohmann::json& metrics);

// One pass in fragmentation.json: {"pass", "order", "before", "after",
// "delta"}; each snapshot with per zone its free blocks per order and both
// indices per order, pagetypeinfo's free blocks per migrate type and
// pageblocks, the compaction counters and debugfs's index where it was read;
// "delta" holds after - before of each of those counts.
nlohmann::json pass_fragmentation_json(const std::string& pass, const FragmentationSnapshot& before,
                                       const FragmentationSnapshot& after, unsigned order);

}  // namespace memharness::workloads::highalloc
