// A cgroup's memory.stat, normalised from v1 and from v2 names.
#include "fuzz/fuzz_input.h"
#include "harness/system/cgroup.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = memharness::fuzz::as_text(data, size);
  memharness::fuzz::expect_only_clear_errors(
      [&] { memharness::system::normalise_v1_memory_stat(text, "fuzz/v1/memory.stat"); });
  memharness::fuzz::expect_only_clear_errors(
      [&] { memharness::system::normalise_v2_memory_stat(text, "fuzz/v2/memory.stat"); });
  return 0;
}
