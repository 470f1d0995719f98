#include "harness/system/procfs/meminfo.h"

#include <string>
#include <vector>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

CounterMap parse_meminfo(std::string_view text, std::string_view source) {
  CounterMap counters;
  for (const auto& line : text::lines(text)) {
    if (text::fields(line.content).empty()) continue;
    // The name may hold parentheses ("Active(anon)") but never blanks.
    std::size_t colon = line.content.find(':');
    std::string_view name = line.content.substr(0, colon);
    auto values = colon == std::string_view::npos ? std::vector<std::string_view>{}
                                                  : text::fields(line.content.substr(colon + 1));
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos || values.empty() || values.size() > 2)
      throw text::parse_error(source, line.number, "expected 'Name: value [kB]', got '{}'", line.content);
    auto value = text::to_count(values[0]);
    if (!value)
      throw text::parse_error(source, line.number, "expected a non-negative integer for {}, got '{}'", name, values[0]);
    std::int64_t scaled = *value;
    if (values.size() == 2) {
      if (values[1] != "kB") throw text::parse_error(source, line.number, "unknown unit '{}' for {}", values[1], name);
      if (__builtin_mul_overflow(*value, std::int64_t{1024}, &scaled))
        throw text::parse_error(source, line.number, "{} kB does not fit in bytes", *value);
    }
    if (!counters.emplace(std::string(name), scaled).second)
      throw text::parse_error(source, line.number, "field {} appears twice", name);
  }
  return counters;
}

CounterMap read_meminfo(const SystemRoot& root) { return parse_meminfo(root.read("/proc/meminfo"), "/proc/meminfo"); }

}  // namespace memharness::system::procfs
