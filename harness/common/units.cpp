#include "harness/common/units.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <limits>

#include <fmt/core.h>

namespace memharness {
namespace {

// Products of a mantissa of up to 18 digits and a unit of up to 2^40 need more
// than 64 bits before the decimal scale is divided out.
__extension__ using Wide = __int128;

constexpr std::int64_t kib = 1024;

// A decimal number as written, value = mantissa / scale.
struct Decimal {
  std::int64_t mantissa = 0;
  std::int64_t scale = 1;  // a power of ten
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Consumes "[-]digits[.digits]" from the front of `text`. At most 18 digits, so
// the mantissa always fits.
std::optional<Decimal> take_decimal(std::string_view& text, bool allow_sign) {
  bool negative = false;
  if (allow_sign && !text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  Decimal d;
  int digits = 0;
  auto take_digits = [&](bool fraction) {
    int taken = 0;
    while (!text.empty() && is_digit(text.front())) {
      if (++digits > 18) return -1;
      d.mantissa = d.mantissa * 10 + (text.front() - '0');
      if (fraction) d.scale *= 10;
      text.remove_prefix(1);
      ++taken;
    }
    return taken;
  };
  int whole = take_digits(false);
  if (whole <= 0) return std::nullopt;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    if (take_digits(true) <= 0) return std::nullopt;
  }
  if (negative) d.mantissa = -d.mantissa;
  return d;
}

bool fits_int64(Wide value) {
  return value >= std::numeric_limits<std::int64_t>::min() && value <= std::numeric_limits<std::int64_t>::max();
}

// Unit suffixes of sizes, lower-cased: bytes per unit.
std::optional<std::int64_t> size_unit(std::string_view suffix) {
  std::string unit;
  for (char c : suffix) unit += lower(c);
  if (unit.empty() || unit == "b") return 1;
  static constexpr std::array<char, 4> letters{'k', 'm', 'g', 't'};
  std::int64_t multiplier = 1;
  for (char letter : letters) {
    multiplier *= kib;
    if (unit[0] != letter) continue;
    std::string_view rest = std::string_view(unit).substr(1);
    if (rest.empty() || rest == "b" || rest == "ib") return multiplier;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::int64_t> duration_unit_ns(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return std::nullopt;
}

// "1.50" -> "1.5", "2.00" -> "2".
std::string trim_decimals(std::string number) {
  if (number.find('.') == std::string::npos) return number;
  while (number.back() == '0') number.pop_back();
  if (number.back() == '.') number.pop_back();
  return number;
}

}  // namespace

std::optional<std::int64_t> SizeExpression::resolve(std::int64_t base_bytes) const {
  if (base == Base::absolute) return bytes;
  Wide product = static_cast<Wide>(base_bytes) * numerator;
  Wide result = product / denominator;
  if (!fits_int64(result)) return std::nullopt;
  return static_cast<std::int64_t>(result);
}

std::optional<SizeExpression> parse_size(std::string_view text) {
  std::string_view rest = text;
  auto number = take_decimal(rest, true);
  if (!number) return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);

  SizeExpression size;
  if (rest == "%" || rest == "x" || rest == "X") {
    size.base = rest == "%" ? SizeExpression::Base::cgroup_memory_max : SizeExpression::Base::mem_total;
    size.numerator = number->mantissa;
    size.denominator = number->scale * (rest == "%" ? 100 : 1);
    return size;
  }
  auto unit = size_unit(rest);
  if (!unit) return std::nullopt;
  // A unit after a space is fine ("512 MiB"), a lone trailing space is not.
  if (rest.empty() && text.back() == ' ') return std::nullopt;
  Wide bytes = static_cast<Wide>(number->mantissa) * *unit / number->scale;
  if (!fits_int64(bytes)) return std::nullopt;
  size.bytes = static_cast<std::int64_t>(bytes);
  return size;
}

std::optional<std::int64_t> parse_size_bytes(std::string_view text) {
  auto size = parse_size(text);
  if (!size || size->relative()) return std::nullopt;
  return size->bytes;
}

std::optional<std::int64_t> parse_rate(std::string_view text) {
  if (text == "0") return 0;
  constexpr std::string_view per_second = "/s";
  if (!text.ends_with(per_second)) return std::nullopt;
  text.remove_suffix(per_second.size());
  return parse_size_bytes(text);
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text == "0" || text == "-0" || text == "+0") return std::chrono::nanoseconds{0};
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  Wide total = 0;
  while (!text.empty()) {
    auto number = take_decimal(text, false);
    if (!number) return std::nullopt;
    std::size_t unit_length = 0;
    while (unit_length < text.size() && text[unit_length] >= 'a' && text[unit_length] <= 'z') ++unit_length;
    auto unit = duration_unit_ns(text.substr(0, unit_length));
    if (!unit) return std::nullopt;
    text.remove_prefix(unit_length);
    total += static_cast<Wide>(number->mantissa) * *unit / number->scale;
    if (!fits_int64(total)) return std::nullopt;
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(negative ? -total : total)};
}

std::string format_bytes(std::int64_t bytes) {
  static constexpr std::array<char, 4> letters{'T', 'G', 'M', 'K'};
  // The magnitude as unsigned, so that INT64_MIN does not overflow.
  std::uint64_t magnitude = bytes < 0 ? 0 - static_cast<std::uint64_t>(bytes) : static_cast<std::uint64_t>(bytes);
  std::string_view sign = bytes < 0 ? "-" : "";
  std::uint64_t unit = std::uint64_t{1} << 40;
  for (char letter : letters) {
    if (magnitude >= unit) {
      if (magnitude % unit == 0) return fmt::format("{}{}{}", sign, magnitude / unit, letter);
      double value = static_cast<double>(magnitude) / static_cast<double>(unit);
      return fmt::format("{}{}{}", sign, trim_decimals(fmt::format("{:.2f}", value)), letter);
    }
    unit >>= 10;
  }
  return fmt::format("{}{}B", sign, magnitude);
}

std::string format_duration(std::chrono::nanoseconds duration) {
  std::int64_t ns = duration.count();
  if (ns == 0) return "0s";
  std::string_view sign = ns < 0 ? "-" : "";
  // std::llabs(INT64_MIN) is undefined; durations that long are not displayed.
  std::int64_t magnitude =
      ns == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max() : std::llabs(ns);
  constexpr std::int64_t second = 1'000'000'000;
  if (magnitude % (3600 * second) == 0) return fmt::format("{}{}h", sign, magnitude / (3600 * second));
  if (magnitude % (60 * second) == 0) return fmt::format("{}{}m", sign, magnitude / (60 * second));
  struct Unit {
    std::int64_t ns;
    std::string_view suffix;
  };
  static constexpr std::array<Unit, 3> units{{{second, "s"}, {1'000'000, "ms"}, {1'000, "us"}}};
  for (const auto& unit : units) {
    if (magnitude < unit.ns) continue;
    if (magnitude % unit.ns == 0) return fmt::format("{}{}{}", sign, magnitude / unit.ns, unit.suffix);
    double value = static_cast<double>(magnitude) / static_cast<double>(unit.ns);
    return fmt::format("{}{}{}", sign, trim_decimals(fmt::format("{:.3f}", value)), unit.suffix);
  }
  return fmt::format("{}{}ns", sign, magnitude);
}

double to_seconds(std::chrono::nanoseconds duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace memharness
