// highalloc's timeline: why an attempt failed, zone by zone from the buddy
// allocator's free blocks and the zones' low watermarks right after it, read
// from a 6.12 guest's captured /proc (tests/fixtures/kernels/6.12) and from
// a zoneinfo laid out as the kernel writes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "harness/common/error.h"
#include "workloads/highalloc/attempt_timeline.h"

namespace memharness::workloads::highalloc {
namespace {

constexpr std::int64_t MiB = 1 << 20;
constexpr std::int64_t huge = 512;  // base pages in a 2 MiB page

FreeMemory one_zone(std::int64_t free_pages, std::int64_t huge_blocks, std::int64_t low_pages) {
  return {.free_bytes = free_pages * 4096,
          .huge_blocks = huge_blocks,
          .zones = {{.zone = "0/DMA32", .free_pages = free_pages, .huge_blocks = huge_blocks, .low_pages = low_pages}}};
}

TEST(HighallocFailure, NoZoneWithAHugePageAboveItsLowWatermarkIsMemoryNotFragmentation) {
  // 10 MiB free against a low watermark of 9 MiB: not even one 2 MiB page fits.
  EXPECT_EQ(classify_failure(one_zone(2560, 0, 2304), huge), FailureReason::memory);
  // The same with a free block of huge-page order: the watermark still forbids it.
  EXPECT_EQ(classify_failure(one_zone(2560, 1, 2304), huge), FailureReason::memory);
  // MemFree adds the zones up (21 MiB here), but neither DMA32 (at its
  // watermark) nor DMA (0.3 MiB above its own) has a huge page of room.
  FreeMemory split = one_zone(2304, 0, 2304);
  split.zones.push_back({.zone = "0/DMA", .free_pages = 3072, .huge_blocks = 0, .low_pages = 3000});
  EXPECT_EQ(classify_failure(split, huge), FailureReason::memory);
}

TEST(HighallocFailure, RoomWithoutAHugeBlockIsFragmentation) {
  EXPECT_EQ(classify_failure(one_zone(16384, 0, 2304), huge), FailureReason::fragmentation);
  // Exactly one huge page above the watermark counts as room for it.
  EXPECT_EQ(classify_failure(one_zone(2304 + 512, 0, 2304), huge), FailureReason::fragmentation);
}

TEST(HighallocFailure, AHugeBlockInAZoneWithRoomRightAfterAFailureIsARace) {
  EXPECT_EQ(classify_failure(one_zone(16384, 3, 2304), huge), FailureReason::raced);
}

TEST(HighallocFreeMemory, CountsFreePagesAndHugeBlocksPerZone) {
  system::SystemRoot guest(std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "kernels" / "6.12");
  // buddyinfo: DMA has 2 blocks of order 9 and 2 of order 10, DMA32 13 and
  // 174; an order-10 block holds two order-9 pages.
  auto free = read_free_memory(guest, 2 * MiB, 4096, {{"0/DMA32", 1000}});
  EXPECT_EQ(free.huge_blocks, (2 + 2 * 2) + (13 + 174 * 2));
  EXPECT_EQ(free.free_bytes, 765700LL * 1024);
  ASSERT_EQ(free.zones.size(), 2u);
  EXPECT_EQ(free.zones[0].zone, "0/DMA");
  EXPECT_EQ(free.zones[0].free_pages, 1 + 2 + 8 + 16 + 3 * 32 + 64 + 2 * 128 + 256 + 2 * 512 + 2 * 1024);
  EXPECT_EQ(free.zones[0].low_pages, 0);  // no watermark given for it
  EXPECT_EQ(free.zones[1].zone, "0/DMA32");
  EXPECT_EQ(free.zones[1].huge_blocks, 13 + 174 * 2);
  EXPECT_EQ(free.zones[1].low_pages, 1000);
  // 1 GiB pages: no zone has an order-18 block.
  EXPECT_EQ(read_free_memory(guest, 1024 * MiB, 4096, {}).huge_blocks, 0);
}

TEST(HighallocFreeMemory, RefusesAHugePageThatIsNotAPowerOfTwoOfBasePages) {
  system::SystemRoot guest(std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "kernels" / "6.12");
  EXPECT_THROW(read_free_memory(guest, 3 * MiB, 4096, {}), Error);
  EXPECT_THROW(read_free_memory(guest, 2048, 4096, {}), Error);
}

class FakeZoneinfo : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("memharness-zoneinfo-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "proc");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& text) { std::ofstream(root_ / "proc" / "zoneinfo") << text; }
  std::filesystem::path root_;
};

// DMA's protection keeps its 15 MiB from the movable allocations a hugetlb
// pool makes: a 512 MiB 6.1 guest once counted every failure of a pass as
// "raced" because DMA held free 4 MiB blocks it would never give.
TEST_F(FakeZoneinfo, ReadsEachZonesLowWatermarkAndProtection) {
  // As 6.12 writes it: the first zone of a node carries the per-node stats.
  write(R"(Node 0, zone      DMA
  per-node stats
      nr_inactive_anon 1234
      nr_active_anon 99
  pages free     3840
        boost    0
        min      21
        low      26
        high     31
        spanned  4095
        protection: (0, 2974, 2974, 2974, 2974)
Node 0, zone    DMA32
  pages free     70000
        boost    0
        min      4196
        low      5245
        high     6294
        protection: (0, 0, 0, 0, 0)
Node 0, zone   Normal
  pages free     0
        min      0
        low      0
        high     0
)");
  auto low = read_low_watermarks(system::SystemRoot(root_));
  EXPECT_EQ(low, (std::map<std::string, std::int64_t>{{"0/DMA", 26 + 2974}, {"0/DMA32", 5245}, {"0/Normal", 0}}));
}

TEST_F(FakeZoneinfo, NoWatermarkAtAllIsAnError) {
  write("Node 0, zone      DMA\n  pages free     3840\n");
  EXPECT_THROW(read_low_watermarks(system::SystemRoot(root_)), Error);
}

TEST(HighallocTimeline, KeepsEventsAndAttemptsWithTheirReasons) {
  AttemptTimeline timeline(std::chrono::steady_clock::now());
  timeline.event("pass-start", {{"pass", "pass1"}});
  timeline.attempt("pass1", 1.5, true, one_zone(25600, 7, 2304), std::nullopt);
  timeline.attempt("pass1", 40.0, false, one_zone(23040, 0, 2304), FailureReason::fragmentation);
  auto doc = timeline.to_json();
  EXPECT_EQ(doc["schema_version"], 1);
  ASSERT_EQ(doc["events"].size(), 1u);
  EXPECT_EQ(doc["events"][0]["event"], "pass-start");
  EXPECT_EQ(doc["events"][0]["pass"], "pass1");
  ASSERT_EQ(doc["attempts"].size(), 2u);
  EXPECT_TRUE(doc["attempts"][0]["reason"].is_null());
  EXPECT_EQ(doc["attempts"][0]["free_huge_blocks"], 7);
  EXPECT_EQ(doc["attempts"][1]["reason"], "fragmentation");
  EXPECT_EQ(doc["attempts"][1]["success"], false);
  EXPECT_EQ(doc["attempts"][1]["mem_free_bytes"], 90 * MiB);
  EXPECT_LE(doc["attempts"][0]["t_s"].get<double>(), doc["attempts"][1]["t_s"].get<double>());
}

}  // namespace
}  // namespace memharness::workloads::highalloc
