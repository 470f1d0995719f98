#pragma once
// /proc/pagetypeinfo: free memory and pageblocks broken down by migrate type
// (Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate ...). Where
// buddyinfo says how fragmented free memory is, this says why: unmovable
// allocations stealing pageblocks from the movable pool is what defeats
// compaction and huge-page allocation.
//
// The file repeats its whole layout once per NUMA node; the migrate types in the
// table headers depend on the kernel version and config, so they are read from the
// headers, never assumed. Reading the live file needs root (mode 0400).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/common/counters.h"
#include "harness/system/system_root.h"

namespace memharness::system::procfs {

// One row of the "Free pages count per migrate type at order" table.
struct MigrateTypeFreeBlocks {
  int node = 0;
  std::string zone;
  std::string migrate_type;
  // [order] = free blocks of 2^order pages on this migrate type's free list.
  std::vector<std::int64_t> free_blocks_per_order;
  // Since 5.6 the kernel stops counting a free list at 100000 entries and prints
  // ">100000": then the affected orders hold 100000, a lower bound.
  bool counts_capped = false;
};

// One row of a "Number of blocks type" (or "Number of mixed blocks") table.
struct ZonePageblocks {
  int node = 0;
  std::string zone;
  CounterMap pageblocks_per_migrate_type;  // migrate type name -> pageblocks
};

struct PageTypeInfo {
  int page_block_order = 0;          // "Page block order: 9"
  std::int64_t pages_per_block = 0;  // "Pages per block:  512"
  std::vector<MigrateTypeFreeBlocks> free_blocks;
  // Column order of the "Number of blocks type" header, as this kernel names them.
  std::vector<std::string> migrate_types;
  std::vector<ZonePageblocks> pageblocks;
  // "Number of mixed blocks": pageblocks holding pages of other migrate types.
  // Printed only with CONFIG_PAGE_OWNER and page_owner=on; empty otherwise.
  std::vector<ZonePageblocks> mixed_pageblocks;
};

// Parses the whole file. `source` names the input in error messages. Throws
// memharness::Error(environment) on an unexpected line, a row whose column count
// does not match its table header, or nodes that disagree on the pageblock size.
PageTypeInfo parse_pagetypeinfo(std::string_view text, std::string_view source = "/proc/pagetypeinfo");

// Reads /proc/pagetypeinfo under `root`.
PageTypeInfo read_pagetypeinfo(const SystemRoot& root);

}  // namespace memharness::system::procfs
