#pragma once
// The two external-fragmentation indices of Mel Gorman's anti-fragmentation work,
// computed from a buddyinfo snapshot exactly as the kernel computes them for
// debugfs (extfrag/unusable_index, extfrag/extfrag_index) and for compaction's
// extfrag_threshold decision -- so a run records them without needing debugfs.
//
// The kernel works in thousandths with integer (truncating) division; the
// *_milli functions reproduce those integers bit for bit, and the double versions
// are those integers divided by 1000, i.e. what the debugfs files print.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/system/procfs/buddyinfo.h"

namespace memharness::system::procfs {

// struct contig_page_info of mm/vmstat.c, filled by fill_contig_page_info().
struct ContigPageInfo {
  std::uint64_t free_pages = 0;            // sum of blocks << order
  std::uint64_t free_blocks_total = 0;     // sum of blocks over all orders
  std::uint64_t free_blocks_suitable = 0;  // free blocks of `suitable_order` that
                                           // the larger free blocks could provide
};

// mm/vmstat.c fill_contig_page_info(zone, suitable_order, info), reading the
// per-order counts from buddyinfo instead of zone->free_area[].nr_free.
ContigPageInfo contig_page_info(std::span<const std::int64_t> free_blocks_per_order, unsigned suitable_order);

// mm/vmstat.c unusable_free_index(): thousandths of the free memory that cannot
// serve an allocation of 2^order pages; 1000 when there is no free memory at all.
int unusable_free_index_milli(unsigned order, const ContigPageInfo& info);

// Returned by fragmentation_index_milli() when a block of the requested order is
// free, i.e. the allocation would succeed and the index is meaningless.
inline constexpr int fragmentation_index_allocation_succeeds_milli = -1000;

// mm/vmstat.c __fragmentation_index(): when an allocation of 2^order pages would
// fail, tends to 0 when it fails for lack of memory and to 1000 when it fails
// because free memory is fragmented. -1000 when it would succeed; 0 when there are
// no free blocks. The kernel's formula goes negative (down to -500) when only a
// few small blocks are free, and reaches 1000 with very many single pages; both
// are reproduced, not clamped.
int fragmentation_index_milli(unsigned order, const ContigPageInfo& info);

// The indices as the debugfs files print them: unusable free space index in
// [0, 1]; fragmentation index in [-0.5, 1] when the allocation would fail, -1 when
// it would succeed, 0 with no free blocks. For an order beyond the snapshot's
// orders, the unusable index is 1 and the fragmentation index 0 (the kernel's
// WARN_ON_ONCE(order > MAX_PAGE_ORDER) answer).
inline constexpr double fragmentation_index_allocation_succeeds = -1.0;
double unusable_free_index(std::span<const std::int64_t> free_blocks_per_order, unsigned order);
double fragmentation_index(std::span<const std::int64_t> free_blocks_per_order, unsigned order);

// Both indices for every order of one zone.
struct ZoneFragmentation {
  int node = 0;
  std::string zone;
  std::vector<double> unusable_free_index;  // [order]
  std::vector<double> fragmentation_index;  // [order]
};

// One entry per buddyinfo zone, in the same order.
std::vector<ZoneFragmentation> fragmentation_indices(const std::vector<ZoneFreeAreas>& zones);

}  // namespace memharness::system::procfs
