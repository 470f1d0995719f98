// /proc/pagetypeinfo text.
#include "fuzz/fuzz_input.h"
#include "harness/system/procfs/pagetypeinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors([&] {
    memharness::system::procfs::parse_pagetypeinfo(memharness::fuzz::as_text(data, size), "fuzz/pagetypeinfo");
  });
  return 0;
}
