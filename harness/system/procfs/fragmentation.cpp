#include "harness/system/procfs/fragmentation.h"

#include <utility>

namespace memharness::system::procfs {

// The three functions below follow mm/vmstat.c (fill_contig_page_info,
// unusable_free_index, __fragmentation_index; added in 2.6.35, same formulas in
// 6.18), including the order of the integer divisions, so that the results are the
// kernel's to the last digit.

ContigPageInfo contig_page_info(std::span<const std::int64_t> free_blocks_per_order, unsigned suitable_order) {
  ContigPageInfo info;
  for (unsigned order = 0; order < free_blocks_per_order.size(); ++order) {
    auto blocks = static_cast<std::uint64_t>(free_blocks_per_order[order]);
    info.free_blocks_total += blocks;
    info.free_pages += blocks << order;
    if (order >= suitable_order) info.free_blocks_suitable += blocks << (order - suitable_order);
  }
  return info;
}

int unusable_free_index_milli(unsigned order, const ContigPageInfo& info) {
  // No free memory is interpreted as all free memory being unusable.
  if (info.free_pages == 0) return 1000;
  return static_cast<int>((info.free_pages - (info.free_blocks_suitable << order)) * 1000ULL / info.free_pages);
}

int fragmentation_index_milli(unsigned order, const ContigPageInfo& info) {
  std::uint64_t requested = std::uint64_t{1} << order;
  if (info.free_blocks_total == 0) return 0;
  // The index only makes sense when the request would fail.
  if (info.free_blocks_suitable != 0) return fragmentation_index_allocation_succeeds_milli;
  return 1000 - static_cast<int>((1000 + info.free_pages * 1000ULL / requested) / info.free_blocks_total);
}

double unusable_free_index(std::span<const std::int64_t> free_blocks_per_order, unsigned order) {
  if (order >= free_blocks_per_order.size()) return 1.0;
  return unusable_free_index_milli(order, contig_page_info(free_blocks_per_order, order)) / 1000.0;
}

double fragmentation_index(std::span<const std::int64_t> free_blocks_per_order, unsigned order) {
  if (order >= free_blocks_per_order.size()) return 0.0;
  return fragmentation_index_milli(order, contig_page_info(free_blocks_per_order, order)) / 1000.0;
}

std::vector<ZoneFragmentation> fragmentation_indices(const std::vector<ZoneFreeAreas>& zones) {
  std::vector<ZoneFragmentation> result;
  result.reserve(zones.size());
  for (const auto& zone : zones) {
    ZoneFragmentation indices{zone.node, zone.zone, {}, {}};
    for (unsigned order = 0; order < zone.free_blocks_per_order.size(); ++order) {
      indices.unusable_free_index.push_back(unusable_free_index(zone.free_blocks_per_order, order));
      indices.fragmentation_index.push_back(fragmentation_index(zone.free_blocks_per_order, order));
    }
    result.push_back(std::move(indices));
  }
  return result;
}

}  // namespace memharness::system::procfs
