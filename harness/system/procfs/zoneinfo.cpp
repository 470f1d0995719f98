#include "harness/system/procfs/zoneinfo.h"

#include <limits>
#include <optional>
#include <utility>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

namespace {

// A zone being read, and the line of its header for errors about it.
struct OpenZone {
  ZoneWatermarks zone;
  int header_line = 0;
  std::optional<std::int64_t> free, min, low, high;
};

void close_zone(OpenZone& open, std::string_view source, std::vector<ZoneWatermarks>& zones) {
  const std::pair<const std::optional<std::int64_t>*, const char*> figures[] = {
      {&open.free, "pages free"}, {&open.min, "min"}, {&open.low, "low"}, {&open.high, "high"}};
  for (const auto& [value, key] : figures)
    if (!*value)
      throw text::parse_error(source, open.header_line, "zone {} of node {} has no '{}' line", open.zone.zone,
                              open.zone.node, key);
  open.zone.free_pages = *open.free;
  open.zone.min_pages = *open.min;
  open.zone.low_pages = *open.low;
  open.zone.high_pages = *open.high;
  zones.push_back(std::move(open.zone));
}

}  // namespace

std::vector<ZoneWatermarks> parse_zoneinfo(std::string_view text, std::string_view source) {
  std::vector<ZoneWatermarks> zones;
  std::optional<OpenZone> open;
  for (const auto& line : text::lines(text)) {
    auto fields = text::fields(line.content);
    if (fields.empty()) continue;
    if (fields[0] == "Node") {
      // Node <id>, zone <name>
      std::optional<std::int64_t> node;
      if (fields.size() == 4 && fields[1].ends_with(',') && fields[2] == "zone") {
        fields[1].remove_suffix(1);
        node = text::to_count(fields[1]);
        if (node && *node > std::numeric_limits<int>::max()) node.reset();
      }
      if (!node) throw text::parse_error(source, line.number, "expected 'Node N, zone NAME', got '{}'", line.content);
      if (open) close_zone(*open, source, zones);
      open.emplace();
      open->zone.node = static_cast<int>(*node);
      open->zone.zone = std::string(fields[3]);
      open->header_line = line.number;
      continue;
    }
    // "pages free N" and the watermarks "min N", "low N", "high N"; the
    // pagesets' "high:" and every other line are not read.
    std::optional<std::int64_t>* slot = nullptr;
    std::string_view key, value;
    if (fields.size() == 3 && fields[0] == "pages" && fields[1] == "free") {
      key = "pages free";
      value = fields[2];
      if (open) slot = &open->free;
    } else if (fields.size() == 2 && (fields[0] == "min" || fields[0] == "low" || fields[0] == "high")) {
      key = fields[0];
      value = fields[1];
      if (open) slot = key == "min" ? &open->min : key == "low" ? &open->low : &open->high;
    } else {
      continue;
    }
    if (!open) throw text::parse_error(source, line.number, "'{}' before the first 'Node N, zone NAME' line", key);
    auto count = text::to_count(value);
    if (!count) throw text::parse_error(source, line.number, "expected a page count for '{}', got '{}'", key, value);
    if (*slot)
      throw text::parse_error(source, line.number, "a second '{}' line in zone {} of node {}", key, open->zone.zone,
                              open->zone.node);
    *slot = *count;
  }
  if (open) close_zone(*open, source, zones);
  return zones;
}

std::vector<ZoneWatermarks> read_zoneinfo(const SystemRoot& root) {
  return parse_zoneinfo(root.read("/proc/zoneinfo"), "/proc/zoneinfo");
}

}  // namespace memharness::system::procfs
