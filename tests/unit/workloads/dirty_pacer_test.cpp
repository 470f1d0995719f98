// The anonymous dirtier's pacing, against a clock the test moves by hand.
#include "workloads/anon-dirty/dirty_pacer.h"

#include <gtest/gtest.h>

namespace memharness::workloads {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kPage = 4096;
constexpr std::int64_t kMiB = 1 << 20;

class DirtyPacerTest : public ::testing::Test {
 protected:
  DirtyPacer pacer(std::int64_t rate, std::int64_t burst) {
    return DirtyPacer(rate, burst, kPage, [this] { return now_; });
  }
  std::chrono::nanoseconds now_{1s};
};

TEST_F(DirtyPacerTest, StartsEmptyAndAccruesAtTheRate) {
  auto p = pacer(64 * kMiB, 4 * kMiB);  // 64 MiB/s: 64 KiB per ms
  EXPECT_EQ(p.grant(kMiB), 0);
  now_ += 1ms;
  EXPECT_EQ(p.grant(kMiB), 64 * 1024);  // 16 pages
  EXPECT_EQ(p.grant(kMiB), 0);          // spent
}

TEST_F(DirtyPacerTest, GrantsWholePagesOnlyAndNeverMoreThanWanted) {
  auto p = pacer(64 * kMiB, 4 * kMiB);
  now_ += 100us;  // 6710.9 bytes: one page and a fraction
  EXPECT_EQ(p.grant(kMiB), kPage);
  now_ += 100us;  // the fraction carries over: 2.6 + 6.5 KiB -> two pages
  EXPECT_EQ(p.grant(kMiB), 2 * kPage);
  now_ += 10ms;
  EXPECT_EQ(p.grant(3 * kPage), 3 * kPage);
  EXPECT_EQ(p.grant(kPage - 1), 0);  // less than a page wanted
}

double microseconds(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::micro>(d).count(); }

TEST_F(DirtyPacerTest, SaysHowLongToSleepForTheNextChunk) {
  auto p = pacer(64'000'000, 4 * kMiB);  // 64 bytes per microsecond
  EXPECT_NEAR(microseconds(p.until_available(64'000)), 1000.0, 0.01);
  now_ += 250us;
  EXPECT_NEAR(microseconds(p.until_available(64'000)), 750.0, 0.01);
  now_ += 750us;
  EXPECT_EQ(p.until_available(64'000), 0ns);
  // Never longer than filling the bucket, whatever is asked.
  EXPECT_LE(microseconds(p.until_available(1LL << 40)), 4.0 * kMiB / 64.0);
}

TEST_F(DirtyPacerTest, AWriterThatKeepsUpGetsExactlyTheRateAndIsNeverBehind) {
  auto p = pacer(64 * kMiB, 4 * kMiB);
  std::int64_t written = 0;
  for (int slice = 0; slice < 1000; ++slice) {  // 10 s in 10 ms slices
    now_ += 10ms;
    written += p.grant(64 * kPage * 100);
  }
  EXPECT_NEAR(static_cast<double>(written), 640.0 * kMiB, kPage);
  EXPECT_EQ(p.behind_schedule(), 0ns);
}

TEST_F(DirtyPacerTest, AStallLongerThanTheBucketIsCountedBehindAndNotPaidBack) {
  auto p = pacer(64 * kMiB, 4 * kMiB);      // the bucket holds 62.5 ms of rate
  now_ += 1s;                               // stalled in reclaim for a second
  EXPECT_EQ(p.grant(1LL << 30), 4 * kMiB);  // only the bucket's worth, no catch-up burst
  EXPECT_NEAR(std::chrono::duration<double>(p.behind_schedule()).count(), 1.0 - 0.0625, 1e-6);
  now_ += 10ms;
  EXPECT_EQ(p.grant(1LL << 30), 64 * kMiB / 100 / kPage * kPage);
}

TEST_F(DirtyPacerTest, TheBucketHoldsASliceOfRateButAtLeastAChunk) {
  EXPECT_EQ(DirtyPacer::burst_for(64 * kMiB, 50ms, 64 * kPage), 64 * kMiB / 20);
  EXPECT_EQ(DirtyPacer::burst_for(kMiB, 50ms, 64 * kPage), 64 * kPage);
}

TEST_F(DirtyPacerTest, RejectsARateOfZeroOrABucketSmallerThanAPage) {
  EXPECT_THROW(pacer(0, 4 * kMiB), std::invalid_argument);
  EXPECT_THROW(pacer(kMiB, kPage - 1), std::invalid_argument);
}

}  // namespace
}  // namespace memharness::workloads
