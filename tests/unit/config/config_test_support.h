#pragma once
// Shared helpers of the config tests: a fixed host, and compiling TOML text.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/config/plan_compiler.h"
#include "harness/config/test_plan.h"
#include "harness/config/toml_loader.h"

namespace memharness::config::testing {

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t GiB = 1024 * MiB;

// The name messages start with; a relative path, as a user would type it.
inline const std::filesystem::path test_file = "configs/t.toml";

inline HostFacts test_host() {
  HostFacts host;
  host.mem_total_bytes = 8 * GiB;
  host.swap_total_bytes = 0;
  host.cpus = 2;
  return host;
}

inline TestPlan compile(std::string_view toml, const HostFacts& host = test_host(),
                        const std::filesystem::path& file = test_file) {
  return compile_test_plan(parse_test_config(toml, file), host);
}

// The message of the usage error compiling `toml` throws, or "" (and a test
// failure) if it compiles.
inline std::string error_of(std::string_view toml, const HostFacts& host = test_host()) {
  try {
    compile(toml, host);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::usage);
    return error.what();
  }
  ADD_FAILURE() << "compiled without error:\n" << toml;
  return "";
}

// A phase with one valid workload, to append to configs under test.
inline constexpr std::string_view minimal_phase = R"(
[[phase]]
[[phase.workload]]
type = "test-dirty"
bytes = "64M"
)";

}  // namespace memharness::config::testing
