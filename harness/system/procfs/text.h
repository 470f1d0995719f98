#pragma once
// Tokenising shared by the /proc parsers: kernel text files are lines of
// whitespace-separated fields, and every parse error must name the file and the
// line ("/proc/vmstat:12: ...") so a user can look at the offending input.
#include <fmt/core.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/common/error.h"

namespace memharness::system::procfs::text {

struct Line {
  int number;                // 1-based, as editors and error messages count
  std::string_view content;  // without the newline
};

// Every line of `text`; a trailing newline does not make an extra empty line.
std::vector<Line> lines(std::string_view text);

// Fields of a line separated by runs of spaces or tabs.
std::vector<std::string_view> fields(std::string_view line);

// Whole-token conversions: nullopt unless the token is entirely a number.
std::optional<std::int64_t> to_int64(std::string_view token);
// A count: like to_int64 but also rejects negative values.
std::optional<std::int64_t> to_count(std::string_view token);
std::optional<double> to_double(std::string_view token);

// The node of a per-zone line "Node N, zone NAME VALUE..." (buddyinfo, debugfs
// extfrag) whose fields are `fields`, with at least one value after the name;
// nullopt when the line is not of that shape. The zone's name is fields[3].
std::optional<int> zone_line_node(std::vector<std::string_view> fields);

// The error for malformed input: environment, since a kernel file we cannot read
// is a property of the machine, not of the user's command line.
template <typename... Args>
Error parse_error(std::string_view source, int line_number, fmt::format_string<Args...> f, Args&&... args) {
  return environment_error("{}:{}: {}", source, line_number, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace memharness::system::procfs::text
