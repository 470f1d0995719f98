// highalloc's per-pass fragmentation figures from the 6.18 capture
// (tests/fixtures/kernels/6.18), against hand-computed values.
#include "workloads/highalloc/pass_fragmentation.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"

namespace memharness::workloads::highalloc {
namespace {

std::filesystem::path kernel_root(const char* version) {
  return std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "kernels" / version;
}

FragmentationSnapshot snapshot_618() { return take_fragmentation_snapshot(system::SystemRoot(kernel_root("6.18"))); }

TEST(HugePageOrder, FromTheHugePageAndBasePageSizes) {
  EXPECT_EQ(huge_page_order(2 << 20, 4096), 9u);         // x86-64 PMD
  EXPECT_EQ(huge_page_order(1 << 30, 4096), 18u);        // a 1 GiB hugetlb page
  EXPECT_EQ(huge_page_order(512 << 20, 64 << 10), 13u);  // arm64 with 64 KiB pages
  EXPECT_THROW(huge_page_order(3 << 20, 4096), Error);
  EXPECT_THROW(huge_page_order(2 << 20, 0), Error);
}

TEST(FragmentationSnapshot, ReadsBuddyinfoPagetypeinfoAndTheCompactionCounters) {
  auto snapshot = snapshot_618();
  ASSERT_EQ(snapshot.buddyinfo.size(), 3u);
  ASSERT_TRUE(snapshot.pagetypeinfo);
  EXPECT_EQ(snapshot.pagetypeinfo->page_block_order, 9);
  // compact_* only: the capture's nine, all 0 on an idle host.
  EXPECT_EQ(snapshot.compaction.size(), 9u);
  EXPECT_EQ(snapshot.compaction.at("compact_stall"), 0);
  EXPECT_FALSE(snapshot.compaction.contains("pgfault"));
  EXPECT_TRUE(snapshot.debugfs_unusable_index.empty());  // no debugfs in the capture
}

TEST(PassFragmentation, HandComputedAtTheHugePageOrder) {
  auto before = snapshot_618();
  auto after = before;
  after.compaction["compact_stall"] = 12;
  after.compaction["compact_success"] = 5;
  after.compaction["compact_fail"] = 7;
  after.compaction["compact_migrate_scanned"] = 4096;
  auto figures = pass_fragmentation(before, after, 9);
  // Order-9 blocks: DMA 1 + 3 x 2 = 7, DMA32 2 + 752 x 2 = 1506, Normal 3 + 139 x 2 = 281.
  EXPECT_EQ(figures.free_blocks, 7 + 1506 + 281);
  // All zones' free areas summed: {2543, 1370, 636, 437, 248, 71, 31, 9, 11, 6, 894}
  // = 942043 pages, 1794 x 512 = 918528 of them in order-9 blocks:
  // (942043 - 918528) x 1000 / 942043 = 24.
  EXPECT_DOUBLE_EQ(figures.unusable_index, 0.024);
  // "Number of blocks type": DMA 1/7/0, DMA32 0/1528/0, Normal 45/497/34.
  EXPECT_EQ(figures.pageblocks.at("Unmovable"), 46);
  EXPECT_EQ(figures.pageblocks.at("Movable"), 2032);
  EXPECT_EQ(figures.pageblocks.at("Reclaimable"), 34);
  EXPECT_EQ(figures.compaction_delta.at("compact_stall"), 12);
  EXPECT_EQ(figures.compaction_delta.at("compact_migrate_scanned"), 4096);

  nlohmann::json metrics = nlohmann::json::object();
  record_pass_metrics("pass2", figures, metrics);
  EXPECT_EQ(metrics.at("pass2-order9-free-blocks"), 1794);
  EXPECT_DOUBLE_EQ(metrics.at("pass2-order9-unusable-index").get<double>(), 0.024);
  EXPECT_EQ(metrics.at("pass2-pageblocks-unmovable"), 46);
  EXPECT_EQ(metrics.at("pass2-pageblocks-movable"), 2032);
  EXPECT_EQ(metrics.at("pass2-pageblocks-reclaimable"), 34);
  EXPECT_EQ(metrics.at("pass2-compact-stall"), 12);
  EXPECT_EQ(metrics.at("pass2-compact-success"), 5);
  EXPECT_EQ(metrics.at("pass2-compact-fail"), 7);
  EXPECT_EQ(metrics.size(), 8u);  // migrate_scanned stays in fragmentation.json
}

TEST(PassFragmentation, TheOrderComesFromTheCaller) {
  // Order 10 of the same capture: 3 + 752 + 139 = 894 blocks.
  auto snapshot = snapshot_618();
  auto figures = pass_fragmentation(snapshot, snapshot, 10);
  EXPECT_EQ(figures.free_blocks, 894);
  nlohmann::json metrics = nlohmann::json::object();
  record_pass_metrics("at-rest", figures, metrics);
  EXPECT_TRUE(metrics.contains("at-rest-order10-free-blocks"));
  EXPECT_EQ(metrics.at("at-rest-compact-stall"), 0);
}

TEST(PassFragmentation, NoPageblockMetricsWithoutPagetypeinfo) {
  auto snapshot = snapshot_618();
  snapshot.pagetypeinfo.reset();
  nlohmann::json metrics = nlohmann::json::object();
  record_pass_metrics("pass1", pass_fragmentation(snapshot, snapshot, 9), metrics);
  EXPECT_FALSE(metrics.contains("pass1-pageblocks-movable"));
  EXPECT_TRUE(metrics.contains("pass1-order9-free-blocks"));
}

TEST(PassFragmentationJson, DeltasPerZoneOrderAndMigrateType) {
  auto before = snapshot_618();
  auto after = before;
  // The pass took three order-9 blocks of Normal's Movable list and one
  // Movable pageblock became Unmovable.
  after.buddyinfo[2].free_blocks_per_order[9] -= 3;
  for (auto& row : after.pagetypeinfo->free_blocks)
    if (row.zone == "Normal" && row.migrate_type == "Movable") row.free_blocks_per_order[9] -= 3;
  after.pagetypeinfo->pageblocks[2].pageblocks_per_migrate_type["Movable"] -= 1;
  after.pagetypeinfo->pageblocks[2].pageblocks_per_migrate_type["Unmovable"] += 1;
  after.compaction["compact_stall"] = 2;
  auto json = pass_fragmentation_json("pass1", before, after, 9);
  EXPECT_EQ(json.at("pass"), "pass1");
  EXPECT_EQ(json.at("order"), 9);
  const auto& delta = json.at("delta");
  EXPECT_EQ(delta.at("buddyinfo").at(2).at("zone"), "Normal");
  EXPECT_EQ(delta.at("buddyinfo").at(2).at("free_blocks_per_order").at(9), -3);
  EXPECT_EQ(delta.at("buddyinfo").at(2).at("free_blocks_per_order").at(10), 0);
  EXPECT_EQ(delta.at("buddyinfo").at(0).at("free_blocks_per_order").at(9), 0);
  int movable_rows = 0;
  for (const auto& row : delta.at("free_blocks"))
    if (row.at("zone") == "Normal" && row.at("migrate_type") == "Movable") {
      ++movable_rows;
      EXPECT_EQ(row.at("free_blocks_per_order").at(9), -3);
    } else {
      EXPECT_EQ(row.at("free_blocks_per_order").at(9), 0) << row.dump();
    }
  EXPECT_EQ(movable_rows, 1);
  EXPECT_EQ(delta.at("pageblocks").at(2).at("pageblocks").at("Movable"), -1);
  EXPECT_EQ(delta.at("pageblocks").at(2).at("pageblocks").at("Unmovable"), 1);
  EXPECT_EQ(delta.at("compaction").at("compact_stall"), 2);
  // The snapshots carry both indices per zone and order: DMA's unusable index
  // at order 9 is 0.066 (fragmentation_test.cpp).
  EXPECT_DOUBLE_EQ(json.at("before").at("buddyinfo").at(0).at("unusable_index").at(9).get<double>(), 0.066);
  EXPECT_EQ(json.at("before").at("pagetypeinfo").at("page_block_order"), 9);
}

}  // namespace
}  // namespace memharness::workloads::highalloc
