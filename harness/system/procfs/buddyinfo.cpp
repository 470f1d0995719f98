#include "harness/system/procfs/buddyinfo.h"

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

std::vector<ZoneFreeAreas> parse_buddyinfo(std::string_view text, std::string_view source) {
  std::vector<ZoneFreeAreas> zones;
  for (const auto& line : text::lines(text)) {
    auto fields = text::fields(line.content);
    if (fields.empty()) continue;
    // Node <id>, zone <name> <count per order>...
    auto node = text::zone_line_node(fields);
    if (!node)
      throw text::parse_error(source, line.number, "expected 'Node N, zone NAME COUNT...', got '{}'", line.content);
    ZoneFreeAreas zone{*node, std::string(fields[3]), {}};
    for (std::size_t i = 4; i < fields.size(); ++i) {
      auto count = text::to_count(fields[i]);
      if (!count)
        throw text::parse_error(source, line.number, "expected a free block count for order {}, got '{}'", i - 4,
                                fields[i]);
      zone.free_blocks_per_order.push_back(*count);
    }
    if (zone.free_blocks_per_order.size() > kMaxPageOrders)
      throw text::parse_error(source, line.number, "{} orders: more than any kernel has (at most {})",
                              zone.free_blocks_per_order.size(), kMaxPageOrders);
    // Bounded here so that the fragmentation indices' sums and shifts
    // (blocks << order, pages * 1000) cannot overflow.
    std::uint64_t pages = 0;
    for (unsigned order = 0; order < zone.free_blocks_per_order.size(); ++order) {
      auto blocks = static_cast<std::uint64_t>(zone.free_blocks_per_order[order]);
      if (blocks > (kMaxZonePages >> order) || (pages += blocks << order) > kMaxZonePages)
        throw text::parse_error(source, line.number,
                                "zone {}: more free pages than 64-bit addresses reach (2^52 of 4 KiB)", zone.zone);
    }
    if (!zones.empty() && zones.front().free_blocks_per_order.size() != zone.free_blocks_per_order.size())
      throw text::parse_error(source, line.number, "{} orders, but the first zone has {}",
                              zone.free_blocks_per_order.size(), zones.front().free_blocks_per_order.size());
    zones.push_back(std::move(zone));
  }
  return zones;
}

std::vector<ZoneFreeAreas> read_buddyinfo(const SystemRoot& root) {
  return parse_buddyinfo(root.read("/proc/buddyinfo"), "/proc/buddyinfo");
}

}  // namespace memharness::system::procfs
