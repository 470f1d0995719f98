#include "harness/system/procfs/fragmentation.h"

#include <gtest/gtest.h>

#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;
using Orders = std::vector<std::int64_t>;

TEST(ContigPageInfo, CountsPagesBlocksAndSuitableBlocks) {
  // 3 order-0 blocks, 2 order-1, 1 order-3: 3 + 4 + 8 = 15 pages in 6 blocks;
  // for order 1, the order-1 blocks count once each and the order-3 block as 4.
  ContigPageInfo info = contig_page_info(Orders{3, 2, 0, 1}, 1);
  EXPECT_EQ(info.free_pages, 15u);
  EXPECT_EQ(info.free_blocks_total, 6u);
  EXPECT_EQ(info.free_blocks_suitable, 2u + 4u);
}

// Hand-computed with the kernel's integer formulas:
//   unusable = (free_pages - (suitable << order)) * 1000 / free_pages
//   fragmentation = 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks_total
TEST(UnusableFreeIndex, HandComputed) {
  // Order 1 of {3, 1}: 5 free pages, 2 of them in a suitable block: 3000 / 5.
  EXPECT_EQ(unusable_free_index_milli(1, contig_page_info(Orders{3, 1}, 1)), 600);
  EXPECT_DOUBLE_EQ(unusable_free_index(Orders{3, 1}, 1), 0.6);
  // Truncation as in the kernel: (3 - 2) * 1000 / 3 = 333.
  EXPECT_EQ(unusable_free_index_milli(1, contig_page_info(Orders{1, 1}, 1)), 333);
  // Order 0: every free page is usable.
  EXPECT_DOUBLE_EQ(unusable_free_index(Orders{3, 1}, 0), 0.0);
  // Nothing large enough: all free memory unusable.
  EXPECT_DOUBLE_EQ(unusable_free_index(Orders{10, 5, 0}, 2), 1.0);
  // No free memory at all counts as all unusable.
  EXPECT_EQ(unusable_free_index_milli(0, contig_page_info(Orders{0, 0}, 0)), 1000);
  EXPECT_DOUBLE_EQ(unusable_free_index(Orders{0, 0}, 0), 1.0);
}

TEST(FragmentationIndex, HandComputed) {
  // {10, 5} for order 2: 20 pages in 15 blocks: 1000 - (1000 + 5000) / 15 = 600.
  EXPECT_EQ(fragmentation_index_milli(2, contig_page_info(Orders{10, 5, 0}, 2)), 600);
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{10, 5, 0}, 2), 0.6);
  // {3} for order 1: 1000 - (1000 + 1500) / 3 = 1000 - 833 = 167 (kernel truncation;
  // the exact value would be 0.1666...).
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{3, 0}, 1), 0.167);
  // Many single pages, order 3: 1000 - (1000 + 1000 * 1000 / 8) / 1000 = 874:
  // free memory is plentiful, it is just fragmented.
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{1000, 0, 0, 0}, 3), 0.874);
}

TEST(FragmentationIndex, MinusOneWhenTheAllocationWouldSucceed) {
  EXPECT_EQ(fragmentation_index_milli(1, contig_page_info(Orders{3, 1}, 1)), -1000);
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{3, 1}, 1), fragmentation_index_allocation_succeeds);
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{0, 0, 1}, 0), -1.0);
}

TEST(FragmentationIndex, ZeroWithoutFreeBlocks) {
  EXPECT_EQ(fragmentation_index_milli(1, contig_page_info(Orders{0, 0}, 1)), 0);
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{0, 0}, 1), 0.0);
}

TEST(FragmentationIndex, KernelFormulaGoesNegativeWithFewSmallBlocks) {
  // One order-0 page, order 1 wanted: 1000 - (1000 + 500) / 1 = -500. The kernel
  // reports this as -0.500 in extfrag_index; reproduced, not clamped.
  EXPECT_EQ(fragmentation_index_milli(1, contig_page_info(Orders{1, 0}, 1)), -500);
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{1, 0}, 1), -0.5);
}

TEST(FragmentationIndex, ReachesOneWithVeryManySinglePages) {
  // 50000 single pages, order 10: 1000 - (1000 + 50000000 / 1024) / 50000
  // = 1000 - 49828 / 50000 = 1000 - 0 = 1000.
  Orders singles(11, 0);
  singles[0] = 50000;
  EXPECT_DOUBLE_EQ(fragmentation_index(singles, 10), 1.0);
}

TEST(FragmentationIndex, OrderBeyondTheSnapshot) {
  EXPECT_DOUBLE_EQ(fragmentation_index(Orders{1, 1}, 2), 0.0);
  EXPECT_DOUBLE_EQ(unusable_free_index(Orders{1, 1}, 2), 1.0);
}

TEST(FragmentationIndices, Linux618DmaZone) {
  // DMA zone of the 6.18 capture: {0,0,0,0,0,0,0,0,1,1,3}: 256 + 512 + 3072 = 3840
  // pages in 5 blocks.
  auto zones = fragmentation_indices(read_buddyinfo(SystemRoot(kernel_root("6.18"))));
  ASSERT_EQ(zones.size(), 3u);
  const auto& dma = zones[0];
  EXPECT_EQ(dma.node, 0);
  EXPECT_EQ(dma.zone, "DMA");
  ASSERT_EQ(dma.unusable_free_index.size(), 11u);
  ASSERT_EQ(dma.fragmentation_index.size(), 11u);
  EXPECT_DOUBLE_EQ(dma.unusable_free_index[8], 0.0);
  // Order 9: 7 suitable blocks (1 + 3 x 2) = 3584 pages: (3840 - 3584) * 1000 / 3840 = 66.
  EXPECT_DOUBLE_EQ(dma.unusable_free_index[9], 0.066);
  // Order 10: 3 x 1024 = 3072 usable: 768000 / 3840 = 200.
  EXPECT_DOUBLE_EQ(dma.unusable_free_index[10], 0.2);
  for (double index : dma.fragmentation_index) EXPECT_DOUBLE_EQ(index, -1.0);
}

TEST(FragmentationIndices, Linux618NormalZone) {
  // Normal zone of the 6.18 capture: {2542, 1369, 632, 435, 243, 67, 28, 6, 6, 3, 139}
  // = 165288 free pages; 139 order-10 blocks (142336 pages) remain, so every order
  // can still be allocated.
  auto zones = fragmentation_indices(read_buddyinfo(SystemRoot(kernel_root("6.18"))));
  ASSERT_EQ(zones.size(), 3u);
  const auto& normal = zones[2];
  EXPECT_EQ(normal.zone, "Normal");
  // Order 10: (165288 - 142336) * 1000 / 165288 = 138.
  EXPECT_DOUBLE_EQ(normal.unusable_free_index[10], 0.138);
  // Order 1: only the 2542 single pages are unusable: 2542000 / 165288 = 15.
  EXPECT_DOUBLE_EQ(normal.unusable_free_index[1], 0.015);
  EXPECT_DOUBLE_EQ(normal.unusable_free_index[0], 0.0);
  for (double index : normal.fragmentation_index) EXPECT_DOUBLE_EQ(index, -1.0);
}

TEST(FragmentationIndices, FailingHighOrderOnAFragmentedZone) {
  // A zone whose largest free block is order 2: order 3+ allocations fail.
  std::vector<ZoneFreeAreas> zones{{1, "Normal", Orders{500, 100, 10, 0, 0}}};
  auto result = fragmentation_indices(zones);
  ASSERT_EQ(result.size(), 1u);
  // 500 + 200 + 40 = 740 pages in 610 blocks.
  // Order 3: 1000 - (1000 + 740000 / 8) / 610 = 1000 - 93500 / 610 = 1000 - 153 = 847.
  EXPECT_DOUBLE_EQ(result[0].fragmentation_index[3], 0.847);
  // Order 4: 1000 - (1000 + 740000 / 16) / 610 = 1000 - 47250 / 610 = 1000 - 77 = 923.
  EXPECT_DOUBLE_EQ(result[0].fragmentation_index[4], 0.923);
  EXPECT_DOUBLE_EQ(result[0].fragmentation_index[2], -1.0);
  // Order 2: 40 of 740 pages usable: 700000 / 740 = 945.
  EXPECT_DOUBLE_EQ(result[0].unusable_free_index[2], 0.945);
  EXPECT_DOUBLE_EQ(result[0].unusable_free_index[3], 1.0);
}

}  // namespace
}  // namespace memharness::system::procfs
