// A compare config (TOML: alpha, fdr_q, min_iterations, [metric."ID"] ...) as
// `memharness compare --config` and nightly read it.
#include "fuzz/fuzz_input.h"
#include "harness/analysis/compare_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors([&] {
    memharness::analysis::parse_compare_config(std::string(memharness::fuzz::as_text(data, size)), "fuzz/compare.toml");
  });
  return 0;
}
