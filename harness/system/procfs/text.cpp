#include "harness/system/procfs/text.h"

#include <charconv>
#include <limits>

namespace memharness::system::procfs::text {

std::vector<Line> lines(std::string_view text) {
  std::vector<Line> result;
  int number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view content = text.substr(0, end);
    result.push_back({++number, content});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return result;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> result;
  constexpr std::string_view blanks = " \t\r";
  std::size_t start = line.find_first_not_of(blanks);
  while (start != std::string_view::npos) {
    std::size_t end = line.find_first_of(blanks, start);
    result.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    start = end == std::string_view::npos ? end : line.find_first_not_of(blanks, end);
  }
  return result;
}

std::optional<std::int64_t> to_int64(std::string_view token) {
  std::int64_t value = 0;
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::int64_t> to_count(std::string_view token) {
  auto value = to_int64(token);
  if (!value || *value < 0) return std::nullopt;
  return value;
}

std::optional<double> to_double(std::string_view token) {
  double value = 0;
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<int> zone_line_node(std::vector<std::string_view> fields) {
  if (fields.size() < 5 || fields[0] != "Node" || !fields[1].ends_with(',') || fields[2] != "zone") return std::nullopt;
  fields[1].remove_suffix(1);
  auto node = to_count(fields[1]);
  if (!node || *node > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(*node);
}

}  // namespace memharness::system::procfs::text
