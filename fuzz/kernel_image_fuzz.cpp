// The release string of an x86 bzImage's boot header (read_bzimage_release),
// which names module directories and VM run labels.
#include "fuzz/fuzz_input.h"
#include "harness/targets/kernel_image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto image = memharness::fuzz::write_scratch_file("vmlinuz", memharness::fuzz::as_text(data, size));
  memharness::fuzz::expect_only_clear_errors([&] { memharness::targets::read_bzimage_release(image); });
  return 0;
}
