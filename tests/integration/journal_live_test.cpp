// The journal on the real kernel (root): the dirty limits are pairs of which
// the kernel keeps one in effect, zeroing the other on every write, and
// vm.dirty_bytes refuses 0. Setting the *_bytes member and restoring must give
// back the *_ratio setting that was in effect, and the other way round.
#include <gtest/gtest.h>

#include <string>

#include "harness/system/journal.h"
#include "harness/system/system_root.h"
#include "live_state.h"
#include "require.h"

namespace memharness::system {
namespace {

struct DirtyPair {
  std::string bytes, ratio;
};

const DirtyPair kPairs[] = {
    {"/proc/sys/vm/dirty_bytes", "/proc/sys/vm/dirty_ratio"},
    {"/proc/sys/vm/dirty_background_bytes", "/proc/sys/vm/dirty_background_ratio"},
};

class JournalLive : public ::testing::TestWithParam<DirtyPair> {};

TEST_P(JournalLive, SettingEitherMemberRestoresTheOneInEffect) {
  MEMHARNESS_REQUIRE_ROOT();
  const auto& pair = GetParam();
  SystemRoot root;
  testing::ScopedStateDir state("journal-live");
  const std::string bytes_before = root.read_value(pair.bytes), ratio_before = root.read_value(pair.ratio);
  // The member in effect now is changed to the other kind and back, so both
  // directions of the restore are exercised whichever this machine uses.
  {
    auto journal = Journal::begin(root, state.dir());
    journal.write_value(pair.bytes, "67108864");
    EXPECT_EQ(root.read_value(pair.ratio), "0") << "the kernel zeroes the partner";
    journal.write_value(pair.ratio, "7");
    EXPECT_EQ(root.read_value(pair.bytes), "0");
    auto failures = journal.restore();
    EXPECT_TRUE(failures.empty()) << failures.front();
  }
  EXPECT_EQ(root.read_value(pair.bytes), bytes_before);
  EXPECT_EQ(root.read_value(pair.ratio), ratio_before);
}

INSTANTIATE_TEST_SUITE_P(DirtyLimits, JournalLive, ::testing::ValuesIn(kPairs), [](const auto& param_info) {
  return param_info.index == 0 ? std::string("Dirty") : std::string("DirtyBackground");
});

}  // namespace
}  // namespace memharness::system
