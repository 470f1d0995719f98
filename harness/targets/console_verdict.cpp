#include "harness/targets/console_verdict.h"

#include <algorithm>

#include "harness/common/line_splitter.h"
#include "harness/targets/guest_init.h"

namespace memharness::targets {

namespace {

constexpr std::size_t excerpt_lines_before = 5;
constexpr std::size_t excerpt_lines_after = 25;  // the problem's line included
constexpr std::string_view guest_error_marker = "memharness-guest: error: ";
constexpr std::string_view harness_message_marker = "memharness: ";

bool contains(std::string_view line, std::string_view what) { return line.find(what) != std::string_view::npos; }

template <typename Lines>
std::string join(const Lines& lines) {
  std::string text;
  for (const auto& line : lines) text.append(line).push_back('\n');
  return text;
}

}  // namespace

void ConsoleScanner::add_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (contains(line, guest_begin_marker)) {
    verdict_.began = true;
    auto uptime = line.find(" uptime=");
    if (uptime != std::string_view::npos) {
      try {
        verdict_.boot_to_workload_s = std::stod(std::string(line.substr(uptime + 8)));
      } catch (const std::exception&) {  // an old init: no figure
      }
    }
  }
  if (contains(line, guest_end_marker)) verdict_.finished = true;
  if (contains(line, guest_error_marker) && verdict_.guest_error.empty())
    verdict_.guest_error = std::string(line.substr(line.find(guest_error_marker) + guest_error_marker.size()));
  if (auto passed = guest_output_.pass(line); passed && verdict_.guest_harness_message.empty()) {
    if (auto at = passed->find(harness_message_marker); at != std::string_view::npos)
      verdict_.guest_harness_message = std::string(passed->substr(at + harness_message_marker.size()));
  }
  bool panic = contains(line, "Kernel panic - not syncing");
  bool oops = contains(line, "Oops:") || contains(line, "BUG:") || contains(line, "general protection fault");
  verdict_.panic = verdict_.panic || panic;
  verdict_.oops = verdict_.oops || oops;

  if (problem_seen_) {
    if (lines_after_problem_ > 0) {
      around_problem_.emplace_back(line);
      --lines_after_problem_;
    }
  } else if (panic || oops) {
    problem_seen_ = true;
    verdict_.first_problem_line = std::string(line);
    std::size_t before = std::min(recent_.size(), excerpt_lines_before);
    around_problem_.assign(recent_.end() - static_cast<std::ptrdiff_t>(before), recent_.end());
    around_problem_.emplace_back(line);
    lines_after_problem_ = excerpt_lines_after - 1;
    recent_.clear();
  } else {
    recent_.emplace_back(line);
    if (recent_.size() > excerpt_lines_before + excerpt_lines_after) recent_.pop_front();
  }
}

ConsoleVerdict ConsoleScanner::verdict() const {
  ConsoleVerdict verdict = verdict_;
  verdict.excerpt = problem_seen_ ? join(around_problem_) : join(recent_);
  return verdict;
}

ConsoleVerdict read_console(std::string_view console) {
  ConsoleScanner scanner;
  LineSplitter lines;
  auto add = [&scanner](std::string_view line) { scanner.add_line(line); };
  lines.feed(console, add);
  lines.finish(add);
  return scanner.verdict();
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

}  // namespace memharness::targets
