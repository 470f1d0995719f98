// PSI text (/proc/pressure/memory, a cgroup's memory.pressure).
#include "fuzz/fuzz_input.h"
#include "harness/system/procfs/psi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors(
      [&] { memharness::system::procfs::parse_psi(memharness::fuzz::as_text(data, size), "fuzz/memory.pressure"); });
  return 0;
}
