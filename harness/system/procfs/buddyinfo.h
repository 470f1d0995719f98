#pragma once
// /proc/buddyinfo: how many free blocks of each order (2^order contiguous pages)
// every zone's buddy allocator holds. Snapshots of it before and after a test show
// how a workload fragmented free memory; fragmentation.h derives the kernel's
// unusable-free-space and fragmentation indices from it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/system/system_root.h"

namespace memharness::system::procfs {

// One line of /proc/buddyinfo: "Node 0, zone   Normal   1753   1466 ...".
struct ZoneFreeAreas {
  int node = 0;
  std::string zone;  // DMA, DMA32, Normal, HighMem, Movable, Device
  // [order] = number of free blocks of 2^order pages; as many orders as the kernel
  // has (NR_PAGE_ORDERS, 11 on x86-64 with 4 KiB pages).
  std::vector<std::int64_t> free_blocks_per_order;
};

// More orders than any kernel configures (MAX_PAGE_ORDER is at most ~16), and
// more free pages than 2^64 bytes of 4 KiB pages: inputs beyond these are not
// a kernel's, and the fragmentation indices' arithmetic relies on the bounds.
inline constexpr std::size_t kMaxPageOrders = 32;
inline constexpr std::uint64_t kMaxZonePages = std::uint64_t{1} << 52;

// Parses every zone line, in the kernel's order (by node, then by zone).
// `source` names the input in error messages. Throws memharness::Error
// (environment) on a malformed line, when zones disagree on the number of
// orders, or beyond kMaxPageOrders or kMaxZonePages.
std::vector<ZoneFreeAreas> parse_buddyinfo(std::string_view text, std::string_view source = "/proc/buddyinfo");

// Reads /proc/buddyinfo under `root`.
std::vector<ZoneFreeAreas> read_buddyinfo(const SystemRoot& root);

}  // namespace memharness::system::procfs
