// A nightly suite (TOML) as `memharness nightly --suite` reads it, and the way
// `run` checks whether a test config it could not load is a suite instead.
#include "fuzz/fuzz_input.h"
#include "harness/config/nightly_suite.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors(
      [&] { memharness::config::parse_nightly_suite(memharness::fuzz::as_text(data, size), "fuzz/nightly.toml"); });
  return 0;
}
