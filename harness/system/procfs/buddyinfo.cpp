#include "harness/system/procfs/buddyinfo.h"

#include <limits>
#include <optional>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

std::vector<ZoneFreeAreas> parse_buddyinfo(std::string_view text, std::string_view source) {
  std::vector<ZoneFreeAreas> zones;
  for (const auto& line : text::lines(text)) {
    auto fields = text::fields(line.content);
    if (fields.empty()) continue;
    // Node <id>, zone <name> <count per order>...
    std::optional<std::int64_t> node;
    if (fields.size() >= 5 && fields[0] == "Node" && fields[1].ends_with(',') &&
        fields[2] == "zone") {
      fields[1].remove_suffix(1);
      node = text::to_count(fields[1]);
      if (node && *node > std::numeric_limits<int>::max()) node.reset();
    }
    if (!node)
      throw text::parse_error(source, line.number,
                              "expected 'Node N, zone NAME COUNT...', got '{}'", line.content);
    ZoneFreeAreas zone{static_cast<int>(*node), std::string(fields[3]), {}};
    for (std::size_t i = 4; i < fields.size(); ++i) {
      auto count = text::to_count(fields[i]);
      if (!count)
        throw text::parse_error(source, line.number,
                                "expected a free block count for order {}, got '{}'", i - 4,
                                fields[i]);
      zone.free_blocks_per_order.push_back(*count);
    }
    if (!zones.empty() &&
        zones.front().free_blocks_per_order.size() != zone.free_blocks_per_order.size())
      throw text::parse_error(source, line.number, "{} orders, but the first zone has {}",
                              zone.free_blocks_per_order.size(),
                              zones.front().free_blocks_per_order.size());
    zones.push_back(std::move(zone));
  }
  return zones;
}

std::vector<ZoneFreeAreas> read_buddyinfo(const SystemRoot& root) {
  return parse_buddyinfo(root.read("/proc/buddyinfo"), "/proc/buddyinfo");
}

}  // namespace memharness::system::procfs
