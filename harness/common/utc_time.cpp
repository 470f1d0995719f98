#include "harness/common/utc_time.h"

#include <fmt/core.h>

namespace memharness {

std::tm utc_calendar(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return tm;
}

std::string timestamp_iso8601(std::chrono::system_clock::time_point when) {
  std::tm tm = utc_calendar(when);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

}  // namespace memharness
