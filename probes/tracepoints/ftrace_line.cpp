#include "probes/tracepoints/ftrace_line.h"

#include <charconv>
#include <limits>
#include <type_traits>

namespace memharness::probes {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Decimal digits only, rejecting overflow. Every line parses a pid, a cpu and a
// timestamp, and std::from_chars's generality measured ~16% of import time.
// Up to digits10 digits cannot overflow, so the loop needs no check.
template <typename T>
std::optional<T> decimal_digits(std::string_view s) {
  static_assert(std::is_unsigned_v<T>);
  if (s.empty()) return std::nullopt;
  if (s.size() > static_cast<std::size_t>(std::numeric_limits<T>::digits10)) {
    T value{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
  }
  T value = 0;
  for (char c : s) {
    auto digit = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
    if (digit > 9) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

template <typename T>
std::optional<T> whole_number(std::string_view s, int base = 10) {
  if (base == 10) {
    if constexpr (std::is_unsigned_v<T>) {
      return decimal_digits<T>(s);
    } else {
      using U = std::make_unsigned_t<T>;
      bool negative = !s.empty() && s.front() == '-';
      auto magnitude = decimal_digits<U>(negative ? s.substr(1) : s);
      if (!magnitude) return std::nullopt;
      const U limit = static_cast<U>(std::numeric_limits<T>::max()) + (negative ? 1 : 0);
      if (*magnitude > limit) return std::nullopt;
      return negative ? static_cast<T>(U{0} - *magnitude) : static_cast<T>(*magnitude);
    }
  }
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

// "[LOST 123 EVENTS]" anywhere in a line that has no event header.
std::optional<std::uint64_t> lost_marker(std::string_view line) {
  auto at = line.find("[LOST ");
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = line.substr(at + 6);
  auto space = rest.find(' ');
  if (space == std::string_view::npos || rest.substr(space).rfind(" EVENTS]", 0) != 0) return std::nullopt;
  return whole_number<std::uint64_t>(rest.substr(0, space));
}

// The "[NNN]" cpu field: the first '[' followed by digits and "] ".
std::size_t cpu_field(std::string_view line) {
  for (std::size_t at = line.find('['); at != std::string_view::npos; at = line.find('[', at + 1)) {
    std::size_t i = at + 1;
    while (i < line.size() && is_digit(line[i])) ++i;
    if (i > at + 1 && i + 1 < line.size() && line[i] == ']' && line[i + 1] == ' ') return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::uint64_t> parse_timestamp_ns(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  auto seconds = whole_number<std::uint64_t>(text.substr(0, dot));
  auto fraction = text.substr(dot + 1);
  if (!seconds || fraction.empty() || fraction.size() > 9) return std::nullopt;
  auto frac = whole_number<std::uint64_t>(fraction);
  if (!frac) return std::nullopt;
  std::uint64_t ns = *frac;
  for (std::size_t i = fraction.size(); i < 9; ++i) ns *= 10;
  // Past 2^64 ns (584 years) the sum would wrap into a small, wrong time.
  std::uint64_t total = 0;
  if (__builtin_mul_overflow(*seconds, 1'000'000'000ULL, &total) || __builtin_add_overflow(total, ns, &total))
    return std::nullopt;
  return total;
}

FtraceLine parse_ftrace_line(std::string_view line) {
  FtraceLine out;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::string_view trimmed = trim(line);
  if (trimmed.empty() || trimmed.front() == '#') {
    out.kind = FtraceLineKind::ignorable;
    return out;
  }
  std::size_t bracket = cpu_field(line);
  if (bracket == std::string_view::npos) {
    if (auto lost = lost_marker(line)) {
      out.kind = FtraceLineKind::lost;
      out.lost_events = *lost;
      return out;
    }
    // trace-cmd report starts with "cpus=2" (and "version = 6" with -v).
    if (trimmed.rfind("cpus=", 0) == 0 || trimmed.rfind("version", 0) == 0) {
      out.kind = FtraceLineKind::ignorable;
      return out;
    }
    out.problem = "no [cpu] field";
    return out;
  }
  FtraceEvent& ev = out.event;
  // Before the bracket: "comm-pid", then "(tgid)" with record-tgid.
  std::string_view task = trim(line.substr(0, bracket));
  if (!task.empty() && task.back() == ')') {
    auto open = task.rfind('(');
    if (open == std::string_view::npos) {
      out.problem = "unbalanced (tgid) field";
      return out;
    }
    auto tgid = trim(task.substr(open + 1, task.size() - open - 2));
    if (!tgid.empty() && tgid.find_first_not_of('-') != std::string_view::npos) {
      auto value = whole_number<std::int64_t>(tgid);
      if (!value) {
        out.problem = "tgid is not a number";
        return out;
      }
      ev.tgid = *value;
    }
    task = trim(task.substr(0, open));
  }
  auto dash = task.rfind('-');
  if (dash == std::string_view::npos) {
    out.problem = "no comm-pid before [cpu]";
    return out;
  }
  auto pid = whole_number<std::int64_t>(task.substr(dash + 1));
  if (!pid) {
    out.problem = "pid is not a number";
    return out;
  }
  ev.pid = *pid;
  ev.comm = task.substr(0, dash);
  auto close = line.find(']', bracket);
  ev.cpu = whole_number<int>(line.substr(bracket + 1, close - bracket - 1)).value_or(0);

  // After the bracket: optional latency flags, "timestamp:", " name:", " fields".
  std::string_view rest = line.substr(close + 1);
  std::optional<std::uint64_t> timestamp;
  for (int token = 0; token < 2 && !timestamp; ++token) {
    rest = trim(rest);
    auto space = rest.find(' ');
    std::string_view word = rest.substr(0, space);
    if (!word.empty() && word.back() == ':') timestamp = parse_timestamp_ns(word.substr(0, word.size() - 1));
    if (!timestamp && token == 1) break;
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space);
  }
  if (!timestamp) {
    out.problem = "no timestamp after [cpu]";
    return out;
  }
  ev.timestamp_ns = *timestamp;
  rest = trim(rest);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    out.problem = "no event name after the timestamp";
    return out;
  }
  ev.name = rest.substr(0, colon);
  if (ev.name.find(' ') != std::string_view::npos) {
    out.problem = "no event name after the timestamp";
    return out;
  }
  ev.fields = trim(rest.substr(colon + 1));
  out.kind = FtraceLineKind::event;
  return out;
}

namespace {

std::string_view value_at(std::string_view fields, std::size_t at, std::size_t key_size) {
  auto value = fields.substr(at + key_size + 1);
  auto end = value.find(' ');
  return end == std::string_view::npos ? value : value.substr(0, end);
}

bool key_starts_at(std::string_view fields, std::size_t at, std::string_view key) {
  return (at == 0 || fields[at - 1] == ' ') && at + key.size() < fields.size() && fields[at + key.size()] == '=';
}

}  // namespace

std::optional<std::string_view> field_text(std::string_view fields, std::string_view key) {
  for (std::size_t at = fields.find(key); at != std::string_view::npos; at = fields.find(key, at + 1))
    if (key_starts_at(fields, at, key)) return value_at(fields, at, key.size());
  return std::nullopt;
}

std::optional<std::string_view> last_field_text(std::string_view fields, std::string_view key) {
  for (std::size_t at = fields.rfind(key); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : fields.rfind(key, at - 1))
    if (key_starts_at(fields, at, key)) return value_at(fields, at, key.size());
  return std::nullopt;
}

std::optional<std::int64_t> field_integer(std::string_view fields, std::string_view key) {
  auto text = field_text(fields, key);
  if (!text) return std::nullopt;
  std::string_view v = *text;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    auto value = whole_number<std::uint64_t>(v.substr(2), 16);
    if (!value) return std::nullopt;
    return static_cast<std::int64_t>(*value);
  }
  return whole_number<std::int64_t>(v);
}

}  // namespace memharness::probes
