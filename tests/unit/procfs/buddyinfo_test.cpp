#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/fragmentation.h"

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
    EXPECT_STREQ(e.what(), "/proc/buddyinfo:2: expected 'Node N, zone NAME COUNT...', got 'Node 0 zone Normal 1 2 3'");
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

// Found by fuzz-buddyinfo: 69 orders made the fragmentation indices shift a
// 64-bit count by 64 and more (undefined behaviour), and counts of many pages
// at high orders overflowed the page sums. No kernel has more than 32 orders,
// nor more free pages in a zone than 64-bit addresses reach (2^52 of 4 KiB).
TEST(ParseBuddyinfo, MoreOrdersOrPagesThanAKernelCanHaveAreErrors) {
  const std::string fuzzed =
      "Node 00, zone      5      5        0    0      1      0       0      0      0      0    0       0       0      "
      "0      0      0    0       0   0   0    0   0      0      0        0   0   0    0   0      0      0  0    0   0 "
      "     0      0        0   0      0      0      0      0      0 0   0   0    0   0      0      0        0   0   0 "
      "   0   0      0      0  0    0   0      0      0        0   0      0      0      0      0      0      0 \n";
  try {
    parse_buddyinfo(fuzzed);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/proc/buddyinfo:1: 69 orders: more than any kernel has (at most 32)");
  }
  std::string orders_32 = "Node 0, zone Normal";
  for (int i = 0; i < 32; ++i) orders_32 += " 0";
  EXPECT_EQ(parse_buddyinfo(orders_32).front().free_blocks_per_order.size(), 32U);
  try {
    parse_buddyinfo("Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 4503599627370496\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "/proc/buddyinfo:1: zone Normal: more free pages than 64-bit addresses reach (2^52 of 4 KiB)");
  }
  EXPECT_THROW(parse_buddyinfo("Node 0, zone Normal 4503599627370496 4503599627370496\n"), Error);
  EXPECT_NO_THROW(fragmentation_indices(parse_buddyinfo("Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 4398046511104\n")));
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
  EXPECT_EQ(zones[2].free_blocks_per_order, (Orders{2542, 1369, 632, 435, 243, 67, 28, 6, 6, 3, 139}));
}

}  // namespace
}  // namespace memharness::system::procfs
