#include "harness/targets/console_verdict.h"

#include <optional>
#include <string>
#include <vector>

#include "harness/targets/guest_init.h"

namespace memharness::targets {

namespace {

constexpr std::size_t excerpt_lines_before = 5;
constexpr std::size_t excerpt_lines_after = 25;

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool contains(std::string_view line, std::string_view what) { return line.find(what) != std::string_view::npos; }

std::string join(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
  std::string text;
  for (std::size_t i = from; i < to && i < lines.size(); ++i) text.append(lines[i]).push_back('\n');
  return text;
}

}  // namespace

ConsoleVerdict read_console(std::string_view console) {
  ConsoleVerdict verdict;
  auto lines = split_lines(console);
  std::optional<std::size_t> problem;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = lines[i];
    if (contains(line, guest_begin_marker)) {
      verdict.began = true;
      auto uptime = line.find(" uptime=");
      if (uptime != std::string_view::npos) {
        try {
          verdict.boot_to_workload_s = std::stod(std::string(line.substr(uptime + 8)));
        } catch (const std::exception&) {  // an old init: no figure
        }
      }
    }
    if (contains(line, guest_end_marker)) verdict.finished = true;
    if (contains(line, "memharness-guest: error: ") && verdict.guest_error.empty())
      verdict.guest_error = std::string(line.substr(line.find("memharness-guest: error: ") + 25));
    bool panic = contains(line, "Kernel panic - not syncing");
    bool oops = contains(line, "Oops:") || contains(line, "BUG:") || contains(line, "general protection fault");
    verdict.panic = verdict.panic || panic;
    verdict.oops = verdict.oops || oops;
    if ((panic || oops) && !problem) problem = i;
  }
  if (problem) {
    verdict.first_problem_line = std::string(lines[*problem]);
    std::size_t from = *problem > excerpt_lines_before ? *problem - excerpt_lines_before : 0;
    verdict.excerpt = join(lines, from, *problem + excerpt_lines_after);
  } else {
    std::size_t tail = excerpt_lines_before + excerpt_lines_after;
    verdict.excerpt = join(lines, lines.size() > tail ? lines.size() - tail : 0, lines.size());
  }
  return verdict;
}

std::optional<std::string_view> GuestOutputFilter::pass(std::string_view console_line) {
  if (!console_line.empty() && console_line.back() == '\r') console_line.remove_suffix(1);
  if (ended_ || contains(console_line, guest_end_marker)) {
    ended_ = true;
    return std::nullopt;
  }
  if (inside_) return console_line;
  if (contains(console_line, guest_begin_marker)) inside_ = true;
  return std::nullopt;
}

std::string guest_run_output(std::string_view console) {
  GuestOutputFilter filter;
  std::string output;
  for (auto line : split_lines(console)) {
    if (auto passed = filter.pass(line)) output.append(*passed).push_back('\n');
  }
  return output;
}

}  // namespace memharness::targets
