// A test config (TOML) through the loader and the plan compiler, as
// `memharness check-config` and `run` read it, on a fixed 24 GiB, 2-CPU host.
#include "fuzz/fuzz_input.h"
#include "harness/config/plan_compiler.h"
#include "harness/config/toml_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors([&] {
    auto config = memharness::config::parse_test_config(memharness::fuzz::as_text(data, size), "fuzz/test.toml");
    const memharness::config::HostFacts host{.mem_total_bytes = 24LL << 30, .swap_total_bytes = 0, .cpus = 2};
    memharness::config::compile_test_plan(config, host);
  });
  return 0;
}
