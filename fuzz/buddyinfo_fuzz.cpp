// /proc/buddyinfo text, and the fragmentation indices computed from it.
#include "fuzz/fuzz_input.h"
#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/fragmentation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors([&] {
    auto zones = memharness::system::procfs::parse_buddyinfo(memharness::fuzz::as_text(data, size), "fuzz/buddyinfo");
    memharness::system::procfs::fragmentation_indices(zones);
  });
  return 0;
}
