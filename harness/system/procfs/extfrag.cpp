#include "harness/system/procfs/extfrag.h"

#include <optional>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

namespace {

// "0.066" -> 66: the integer part, a dot and exactly three digits, as
// seq_printf("%d.%03d ", index / 1000, index % 1000) writes an index in [0, 1000].
std::optional<int> thousandths(std::string_view token) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() - dot - 1 != 3) return std::nullopt;
  auto whole = text::to_count(token.substr(0, dot));
  auto fraction = text::to_count(token.substr(dot + 1));
  if (!whole || !fraction || *whole > 1) return std::nullopt;
  return static_cast<int>(*whole * 1000 + *fraction);
}

}  // namespace

std::vector<ZoneUnusableIndex> parse_extfrag_unusable_index(std::string_view text, std::string_view source) {
  std::vector<ZoneUnusableIndex> zones;
  for (const auto& line : text::lines(text)) {
    auto fields = text::fields(line.content);
    if (fields.empty()) continue;
    auto node = text::zone_line_node(fields);
    if (!node)
      throw text::parse_error(source, line.number, "expected 'Node N, zone NAME INDEX...', got '{}'", line.content);
    ZoneUnusableIndex zone{*node, std::string(fields[3]), {}};
    for (std::size_t i = 4; i < fields.size(); ++i) {
      auto milli = thousandths(fields[i]);
      if (!milli || *milli > 1000)
        throw text::parse_error(source, line.number, "expected an index between 0.000 and 1.000 for order {}, got '{}'",
                                i - 4, fields[i]);
      zone.unusable_index_milli.push_back(*milli);
    }
    zones.push_back(std::move(zone));
  }
  return zones;
}

}  // namespace memharness::system::procfs
