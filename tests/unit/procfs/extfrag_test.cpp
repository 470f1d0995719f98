// debugfs's extfrag/unusable_index against the indices fragmentation.h
// computes from buddyinfo: a real capture (tests/fixtures/kernels/6.18-debugfs,
// both files read at the same moment) must agree to the thousandth.
#include "harness/system/procfs/extfrag.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/fragmentation.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;

TEST(ExtfragUnusableIndex, ParsesTheKernelsThousandths) {
  SystemRoot root(kernel_root("6.18-debugfs"));
  auto zones = parse_extfrag_unusable_index(root.read(kExtfragUnusableIndexPath));
  ASSERT_EQ(zones.size(), 3u);
  EXPECT_EQ(zones[2].node, 0);
  EXPECT_EQ(zones[2].zone, "Normal");
  ASSERT_EQ(zones[2].unusable_index_milli.size(), 11u);
  // "0.373 0.550" at orders 9 and 10.
  EXPECT_EQ(zones[2].unusable_index_milli[9], 373);
  EXPECT_EQ(zones[2].unusable_index_milli[10], 550);
  EXPECT_EQ(zones[0].unusable_index_milli[9], 66);
}

TEST(ExtfragUnusableIndex, AgreesWithTheIndexComputedFromBuddyinfo) {
  // Normal zone by hand: {4051, 10756, 2462, 2128, 1212, 893, 501, 2689, 1839,
  // 878, 1116} = 2539763 free pages; order 9: 878 + 2 x 1116 = 3110 blocks, so
  // (2539763 - 3110 x 512) x 1000 / 2539763 = 373; order 10: 1116 blocks,
  // (2539763 - 1116 x 1024) x 1000 / 2539763 = 550 -- the kernel's figures.
  SystemRoot root(kernel_root("6.18-debugfs"));
  auto buddyinfo = read_buddyinfo(root);
  auto kernel = parse_extfrag_unusable_index(root.read(kExtfragUnusableIndexPath));
  ASSERT_EQ(kernel.size(), buddyinfo.size());
  EXPECT_EQ(unusable_free_index_milli(9, contig_page_info(buddyinfo[2].free_blocks_per_order, 9)), 373);
  EXPECT_EQ(unusable_free_index_milli(10, contig_page_info(buddyinfo[2].free_blocks_per_order, 10)), 550);
  for (std::size_t z = 0; z < kernel.size(); ++z) {
    ASSERT_EQ(kernel[z].zone, buddyinfo[z].zone);
    ASSERT_EQ(kernel[z].unusable_index_milli.size(), buddyinfo[z].free_blocks_per_order.size());
    for (unsigned order = 0; order < kernel[z].unusable_index_milli.size(); ++order)
      EXPECT_EQ(unusable_free_index_milli(order, contig_page_info(buddyinfo[z].free_blocks_per_order, order)),
                kernel[z].unusable_index_milli[order])
          << kernel[z].zone << " order " << order;
  }
}

TEST(ExtfragUnusableIndex, MalformedLinesNameTheFileAndLine) {
  try {
    parse_extfrag_unusable_index("Node 0, zone DMA 0.000 0.000 0.000\nNode 0, zone Normal 0.000 0.5 0.100\n", "x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x:2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'0.5'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_extfrag_unusable_index("Node 0, zone DMA 1.001 0.000 0.000\n"), Error);
  EXPECT_THROW(parse_extfrag_unusable_index("zone DMA 0.000 0.000 0.000\n"), Error);
}

}  // namespace
}  // namespace memharness::system::procfs
