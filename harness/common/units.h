#pragma once
// Sizes and durations as people write them in configs and on the command line.
//
// Sizes: a decimal number with an optional unit letter K, M, G or T (any case),
// optionally followed by "B" or "iB": "512M", "512MiB", "2g", "4096K", "1.5G", "4096".
// Units are powers of 1024 whatever the spelling ("1KB" is 1024 bytes, as in the
// kernel's own memparse()). A fraction of a byte is rounded down.
// Relative sizes: "150%" (of the test cgroup's memory-max) and "1.5x" (of MemTotal);
// only the config compiler knows the bases, so parse_size() keeps them symbolic.
//
// Rates (bytes per second): an absolute size followed by "/s": "64MiB/s", "64M/s",
// "1.5G/s", "4096/s". A bare "0" is zero (callers give it a meaning, e.g. "off").
//
// Durations: one or more <number><unit> groups, units ns, us, ms, s, m, h:
// "500ms", "10s", "1.5s", "5m", "1h30m". A bare "0" is zero.
//
// Negative values parse ("-5M", "-1s"): callers check ranges, so that the user is
// told "expected a size greater than 0" rather than that "-5M" is not a size.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memharness {

// A size as written: absolute bytes, or a fraction of a base resolved later.
struct SizeExpression {
  enum class Base {
    absolute,           // bytes
    cgroup_memory_max,  // "150%": 150/100 of the test cgroup's memory-max
    mem_total,          // "1.5x": 1.5 times the host's (or guest's) MemTotal
  };
  Base base = Base::absolute;
  std::int64_t bytes = 0;  // absolute only
  // Relative only: the factor is numerator / denominator, kept exact so that
  // "150%" of 256M is exactly 384M.
  std::int64_t numerator = 0;
  std::int64_t denominator = 1;

  bool relative() const { return base != Base::absolute; }
  // numerator / denominator of base_bytes, rounded down; nullopt on overflow.
  std::optional<std::int64_t> resolve(std::int64_t base_bytes) const;
};

// "512M", "150%", "1.5x", "4096" -> the expression; nullopt if it is none of these.
std::optional<SizeExpression> parse_size(std::string_view text);

// Absolute sizes only ("512M", "1.5G", "4096"): bytes, or nullopt for anything
// else, relative sizes included, and for results beyond int64.
std::optional<std::int64_t> parse_size_bytes(std::string_view text);

// "64MiB/s", "1.5G/s", "0" -> bytes per second; nullopt if it is not a rate.
std::optional<std::int64_t> parse_rate(std::string_view text);

// "500ms", "10s", "1h30m" -> the duration; nullopt if it is not one.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// For display: the largest unit not above the value, "256M", "1.5G", "1023B".
// Exact when no decimals are shown; otherwise rounded to at most two decimals.
std::string format_bytes(std::int64_t bytes);

// For display: "1h", "5m", "10s", "1.5s", "250ms", "20us", "7ns" (at most three
// decimals, trailing zeros dropped).
std::string format_duration(std::chrono::nanoseconds duration);

// Seconds as a floating-point number, the unit durations have in JSON output.
double to_seconds(std::chrono::nanoseconds duration);

}  // namespace memharness
