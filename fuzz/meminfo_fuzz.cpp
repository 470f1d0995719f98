// /proc/meminfo text -> counters in bytes.
#include "fuzz/fuzz_input.h"
#include "harness/system/procfs/meminfo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors(
      [&] { memharness::system::procfs::parse_meminfo(memharness::fuzz::as_text(data, size), "fuzz/meminfo"); });
  return 0;
}
