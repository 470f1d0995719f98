// /proc/vmstat text -> counters, and the per-zone sums every kernel needs.
#include "fuzz/fuzz_input.h"
#include "harness/system/procfs/vmstat.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors([&] {
    auto counters = memharness::system::procfs::parse_vmstat(memharness::fuzz::as_text(data, size), "fuzz/vmstat");
    memharness::system::procfs::with_zone_sums(std::move(counters));
  });
  return 0;
}
