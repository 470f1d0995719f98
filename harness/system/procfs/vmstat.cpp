#include "harness/system/procfs/vmstat.h"

#include <string>
#include <utility>
#include <vector>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

CounterMap parse_vmstat(std::string_view text, std::string_view source) {
  CounterMap counters;
  for (const auto& line : text::lines(text)) {
    auto fields = text::fields(line.content);
    if (fields.empty()) continue;
    if (fields.size() != 2)
      throw text::parse_error(source, line.number, "expected 'name value', got '{}'", line.content);
    auto value = text::to_int64(fields[1]);
    if (!value)
      throw text::parse_error(source, line.number, "expected an integer value for {}, got '{}'", fields[0], fields[1]);
    if (!counters.emplace(std::string(fields[0]), *value).second)
      throw text::parse_error(source, line.number, "counter {} appears twice", fields[0]);
  }
  return counters;
}

namespace {
// The name without its zone suffix, or empty when `name` is not per zone.
std::string_view zone_base_name(std::string_view name) {
  for (std::string_view suffix : vmstat_zone_suffixes) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return {};
}
}  // namespace

CounterMap with_zone_sums(CounterMap counters) {
  CounterMap sums;
  for (const auto& [name, value] : counters) {
    std::string_view base = zone_base_name(name);
    if (base.empty() || counters.contains(base)) continue;
    sums[std::string(base)] += value;
  }
  counters.merge(sums);
  return counters;
}

CounterMap read_vmstat(const SystemRoot& root) {
  return with_zone_sums(parse_vmstat(root.read("/proc/vmstat"), "/proc/vmstat"));
}

}  // namespace memharness::system::procfs
