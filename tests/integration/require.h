#pragma once
// Preconditions of integration tests (root, programs, kernel features). An unmet
// one skips the test on a developer's machine, but fails it where the
// environment variable CI is "true": CI machines are set up to run everything,
// so a skip there would hide a broken setup behind a green run.
//
// The macros return from the calling function (like GTEST_SKIP), so use them in
// a TEST body or in SetUp().
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace memharness::testing {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

// An executable `program` in a directory of $PATH.
inline bool on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    std::size_t end = dirs.find(':');
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, end)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (end == std::string_view::npos) break;
    dirs.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace memharness::testing

// Skips with `reason` (anything streamable into a std::string), or fails under CI=true.
#define MEMHARNESS_SKIP_OR_FAIL(reason)                                                              \
  do {                                                                                               \
    if (::memharness::testing::in_ci()) {                                                            \
      GTEST_FAIL() << "precondition not met, and CI=true forbids skipping: " << std::string(reason); \
    } else {                                                                                         \
      GTEST_SKIP() << std::string(reason);                                                           \
    }                                                                                                \
  } while (false)

#define MEMHARNESS_REQUIRE(condition, reason)          \
  do {                                                 \
    if (!(condition)) MEMHARNESS_SKIP_OR_FAIL(reason); \
  } while (false)

#define MEMHARNESS_REQUIRE_ROOT() \
  MEMHARNESS_REQUIRE(::geteuid() == 0, "needs root (it changes the kernel's state: cgroups, sysctls, swap)")

#define MEMHARNESS_REQUIRE_PROGRAM(program) \
  MEMHARNESS_REQUIRE(::memharness::testing::on_path(program), std::string("needs `") + (program) + "` on PATH")
