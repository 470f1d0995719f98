#pragma once
// Points in time as the harness writes them: in UTC, to the second.
#include <chrono>
#include <ctime>
#include <string>

namespace memharness {

// `when` broken down in UTC (gmtime_r: thread-safe, no time zone involved).
std::tm utc_calendar(std::chrono::system_clock::time_point when);

// "2026-11-22T04:10:33Z": ISO 8601 in UTC, as manifests and journals record it.
std::string timestamp_iso8601(std::chrono::system_clock::time_point when);

}  // namespace memharness
