// A journal file (journal-PID.jsonl) through the reader that every
// state-changing command runs first: the check for changes a dead run left,
// and the question whether `restore` has anything to do. The system root is a
// fake tree whose only process is 4242 (start time 12345), so a header naming
// it is a running owner and any other pid a dead one. restore_all is not
// called: its undo of a scratch directory or swapfile acts on real paths.
#include "fuzz/fuzz_input.h"
#include "harness/system/journal.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace memharness;
  static const auto root = [] {
    // /proc/PID/stat: field 22 is the start time in clock ticks.
    fuzz::write_scratch_file("root/proc/4242/stat",
                             "4242 (memharness) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0\n");
    return system::SystemRoot(fuzz::scratch_directory() / "root");
  }();
  auto journal = fuzz::write_scratch_file("state/journal-4243.jsonl", fuzz::as_text(data, size));
  auto dir = journal.parent_path();
  fuzz::expect_only_clear_errors([&] { system::Journal::any_left_by_ended_owners(root, dir); });
  fuzz::expect_only_clear_errors([&] { system::Journal::check_no_unrestored(root, dir); });
  return 0;
}
