#include "harness/system/procfs/pagetypeinfo.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;
using testing::procfs_fixture;
using Orders = std::vector<std::int64_t>;
using Names = std::vector<std::string>;

TEST(ReadPagetypeinfo, Linux618Capture) {
  PageTypeInfo info = read_pagetypeinfo(SystemRoot(kernel_root("6.18")));
  EXPECT_EQ(info.page_block_order, 9);
  EXPECT_EQ(info.pages_per_block, 512);
  EXPECT_EQ(info.migrate_types, (Names{"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"}));

  ASSERT_EQ(info.free_blocks.size(), 3u * 5u);  // 3 zones x 5 migrate types
  const auto& normal_movable = info.free_blocks[11];
  EXPECT_EQ(normal_movable.node, 0);
  EXPECT_EQ(normal_movable.zone, "Normal");
  EXPECT_EQ(normal_movable.migrate_type, "Movable");
  EXPECT_EQ(normal_movable.free_blocks_per_order, (Orders{2054, 939, 416, 269, 150, 48, 25, 5, 5, 2, 139}));
  EXPECT_FALSE(normal_movable.counts_capped);
  EXPECT_EQ(info.free_blocks[0].zone, "DMA");
  EXPECT_EQ(info.free_blocks[0].migrate_type, "Unmovable");
  EXPECT_EQ(info.free_blocks[0].free_blocks_per_order[8], 1);

  ASSERT_EQ(info.pageblocks.size(), 3u);
  EXPECT_EQ(info.pageblocks[2].zone, "Normal");
  EXPECT_EQ(info.pageblocks[2].pageblocks_per_migrate_type,
            (CounterMap{{"Unmovable", 45}, {"Movable", 497}, {"Reclaimable", 34}, {"HighAtomic", 0}, {"Isolate", 0}}));
  EXPECT_EQ(info.pageblocks[1].pageblocks_per_migrate_type.at("Movable"), 1528);
  EXPECT_TRUE(info.mixed_pageblocks.empty());
}

TEST(ParsePagetypeinfo, TwoNodesCmaCappedCountsAndMixedBlocks) {
  PageTypeInfo info = parse_pagetypeinfo(procfs_fixture("pagetypeinfo-2nodes-cma-page-owner"));
  EXPECT_EQ(info.page_block_order, 9);
  EXPECT_EQ(info.pages_per_block, 512);
  EXPECT_EQ(info.migrate_types, (Names{"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"}));

  ASSERT_EQ(info.free_blocks.size(), 4u * 6u);  // 2 zones on each of 2 nodes
  const auto& capped = info.free_blocks[7];
  EXPECT_EQ(capped.node, 0);
  EXPECT_EQ(capped.zone, "Normal");
  EXPECT_EQ(capped.migrate_type, "Movable");
  EXPECT_TRUE(capped.counts_capped);
  EXPECT_EQ(capped.free_blocks_per_order[0], 100000);
  EXPECT_EQ(capped.free_blocks_per_order[10], 158);
  const auto& node1_cma = info.free_blocks[16];
  EXPECT_EQ(node1_cma.node, 1);
  EXPECT_EQ(node1_cma.zone, "Normal");
  EXPECT_EQ(node1_cma.migrate_type, "CMA");
  EXPECT_EQ(node1_cma.free_blocks_per_order[10], 32);
  EXPECT_FALSE(node1_cma.counts_capped);

  ASSERT_EQ(info.pageblocks.size(), 4u);
  EXPECT_EQ(info.pageblocks[2].node, 1);
  EXPECT_EQ(info.pageblocks[2].zone, "Normal");
  EXPECT_EQ(info.pageblocks[2].pageblocks_per_migrate_type.at("Movable"), 7900);
  EXPECT_EQ(info.pageblocks[2].pageblocks_per_migrate_type.at("CMA"), 64);
  EXPECT_EQ(info.pageblocks[3].zone, "Movable");

  ASSERT_EQ(info.mixed_pageblocks.size(), 4u);
  EXPECT_EQ(info.mixed_pageblocks[1].zone, "Normal");
  EXPECT_EQ(info.mixed_pageblocks[1].pageblocks_per_migrate_type.at("Unmovable"), 12);
  EXPECT_EQ(info.mixed_pageblocks[2].node, 1);
}

std::string minimal(std::string_view free_row, std::string_view block_row) {
  return "Page block order: 9\nPages per block:  512\n\n"
         "Free pages count per migrate type at order       0      1      2 \n" +
         std::string(free_row) + "\n\nNumber of blocks type     Unmovable      Movable \n" + std::string(block_row) +
         "\n";
}

TEST(ParsePagetypeinfo, MinimalLayoutParses) {
  PageTypeInfo info = parse_pagetypeinfo(minimal("Node    0, zone   Normal, type      Movable      1      2      3 ",
                                                 "Node 0, zone   Normal            4            5 "));
  ASSERT_EQ(info.free_blocks.size(), 1u);
  EXPECT_EQ(info.free_blocks[0].free_blocks_per_order, (Orders{1, 2, 3}));
  ASSERT_EQ(info.pageblocks.size(), 1u);
  EXPECT_EQ(info.pageblocks[0].pageblocks_per_migrate_type, (CounterMap{{"Unmovable", 4}, {"Movable", 5}}));
}

TEST(ParsePagetypeinfo, FreeRowWithWrongColumnCount) {
  try {
    parse_pagetypeinfo(minimal("Node    0, zone   Normal, type      Movable      1      2 ",
                               "Node 0, zone   Normal            4            5 "));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_STREQ(e.what(), "/proc/pagetypeinfo:5: 2 free counts, but the header lists 3 orders");
  }
}

TEST(ParsePagetypeinfo, BlockRowWithWrongColumnCount) {
  try {
    parse_pagetypeinfo(minimal("Node    0, zone   Normal, type      Movable      1      2      3 ",
                               "Node 0, zone   Normal            4 "));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/proc/pagetypeinfo:8: 1 pageblock counts, but the header lists 2 migrate types");
  }
}

TEST(ParsePagetypeinfo, UnexpectedLine) {
  try {
    parse_pagetypeinfo("Page block order: 9\nPages per block:  512\nsomething else\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/proc/pagetypeinfo:3: unexpected line 'something else'");
  }
}

TEST(ParsePagetypeinfo, RowBeforeHeader) {
  EXPECT_THROW(parse_pagetypeinfo("Page block order: 9\nPages per block:  512\nNode 0, zone DMA 1 2\n"), Error);
}

TEST(ParsePagetypeinfo, NodesMustAgreeOnPageblockSize) {
  EXPECT_THROW(parse_pagetypeinfo("Page block order: 9\nPages per block:  512\n"
                                  "Page block order: 10\nPages per block:  1024\n"),
               Error);
}

TEST(ParsePagetypeinfo, MissingPageblockLinesIsAnError) {
  try {
    parse_pagetypeinfo("");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/proc/pagetypeinfo: no 'Page block order' and 'Pages per block' lines");
  }
}

TEST(ParsePagetypeinfo, OrdersHeaderMustCountFromZero) {
  EXPECT_THROW(parse_pagetypeinfo("Page block order: 9\nPages per block:  512\n"
                                  "Free pages count per migrate type at order       1      2 \n"),
               Error);
}

}  // namespace
}  // namespace memharness::system::procfs
