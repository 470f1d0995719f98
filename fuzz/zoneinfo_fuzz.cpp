// /proc/zoneinfo text -> free pages and watermarks per zone.
#include "fuzz/fuzz_input.h"
#include "harness/system/procfs/zoneinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors(
      [&] { memharness::system::procfs::parse_zoneinfo(memharness::fuzz::as_text(data, size), "fuzz/zoneinfo"); });
  return 0;
}
