#include "harness/system/procfs/buddyinfo.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;
using testing::procfs_fixture;
using Orders = std::vector<std::int64_t>;

TEST(ParseBuddyinfo, SeveralNodesAndZones) {
  auto zones = parse_buddyinfo(procfs_fixture("buddyinfo-2nodes"));
  ASSERT_EQ(zones.size(), 5u);
  EXPECT_EQ(zones[0].node, 0);
  EXPECT_EQ(zones[0].zone, "DMA");
  EXPECT_EQ(zones[0].free_blocks_per_order, (Orders{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3}));
  EXPECT_EQ(zones[2].zone, "Normal");
  EXPECT_EQ(zones[2].free_blocks_per_order[0], 1753);
  EXPECT_EQ(zones[3].node, 1);
  EXPECT_EQ(zones[3].zone, "Normal");
  EXPECT_EQ(zones[3].free_blocks_per_order, (Orders{10, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(zones[4].node, 1);
  EXPECT_EQ(zones[4].zone, "Movable");
}

TEST(ParseBuddyinfo, MalformedLineNamesLineNumber) {
  try {
    parse_buddyinfo("Node 0, zone DMA 1 2 3\nNode 0 zone Normal 1 2 3\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_STREQ(
        e.what(),
        "/proc/buddyinfo:2: expected 'Node N, zone NAME COUNT...', got 'Node 0 zone Normal 1 2 3'");
  }
}

TEST(ParseBuddyinfo, BadCountNamesTheOrder) {
  try {
    parse_buddyinfo("Node 0, zone DMA 1 2 x\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/proc/buddyinfo:1: expected a free block count for order 2, got 'x'");
  }
}

TEST(ParseBuddyinfo, ZonesMustAgreeOnTheNumberOfOrders) {
  EXPECT_THROW(parse_buddyinfo("Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 2\n"), Error);
}

TEST(ParseBuddyinfo, ZoneWithoutCountsIsAnError) {
  EXPECT_THROW(parse_buddyinfo("Node 0, zone DMA\n"), Error);
  EXPECT_THROW(parse_buddyinfo("Node -1, zone DMA 1\n"), Error);
}

TEST(ReadBuddyinfo, Linux618Capture) {
  auto zones = read_buddyinfo(SystemRoot(kernel_root("6.18")));
  ASSERT_EQ(zones.size(), 3u);
  EXPECT_EQ(zones[0].zone, "DMA");
  EXPECT_EQ(zones[1].zone, "DMA32");
  EXPECT_EQ(zones[2].zone, "Normal");
  for (const auto& zone : zones) {
    EXPECT_EQ(zone.node, 0);
    EXPECT_EQ(zone.free_blocks_per_order.size(), 11u);  // NR_PAGE_ORDERS on x86-64
  }
  EXPECT_EQ(zones[1].free_blocks_per_order[10], 752);
  EXPECT_EQ(zones[2].free_blocks_per_order,
            (Orders{2542, 1369, 632, 435, 243, 67, 28, 6, 6, 3, 139}));
}

}  // namespace
}  // namespace memharness::system::procfs
