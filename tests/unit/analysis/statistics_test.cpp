#include <gtest/gtest.h>

#include "harness/analysis/statistics.h"

namespace memharness::analysis {
namespace {

TEST(Statistics, SummaryOfKnownValues) {
  auto s = summarize({98.00, 98.26, 98.44, 98.11}, false);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->n, 4);
  EXPECT_DOUBLE_EQ(s->min, 98.00);
  EXPECT_DOUBLE_EQ(s->max, 98.44);
  EXPECT_NEAR(s->mean, 98.2025, 1e-9);
  EXPECT_NEAR(s->median, 98.185, 1e-9);
  EXPECT_NEAR(s->stddev, 0.190853, 1e-5);  // sample (n - 1) standard deviation
  EXPECT_NEAR(s->cov_pct, 100 * 0.190853 / 98.2025, 1e-4);
}

TEST(Statistics, HarmonicMeanForRates) {
  auto s = summarize({1.0, 2.0, 4.0}, true);
  ASSERT_TRUE(s);
  EXPECT_NEAR(s->mean, 3.0 / (1.0 + 0.5 + 0.25), 1e-12);
  // A zero rate has no harmonic mean: the arithmetic one is used.
  EXPECT_NEAR(summarize({0.0, 2.0}, true)->mean, 1.0, 1e-12);
}

TEST(Statistics, NoValuesIsNoSummary) { EXPECT_FALSE(summarize({}, false)); }

TEST(Statistics, ImprovementIsPositiveInBothDirections) {
  EXPECT_NEAR(*improvement_pct(98.19, 98.35, false), -0.16, 5e-3);  // the posting's Elapsed mean
  EXPECT_NEAR(*improvement_pct(79.0, 77.0, true), -2.53, 5e-3);     // success rate fell
  EXPECT_NEAR(*improvement_pct(100.0, 90.0, false), 10.0, 1e-12);
  EXPECT_EQ(*improvement_pct(0.0, 0.0, false), 0.0);
  EXPECT_FALSE(improvement_pct(0.0, 5.0, false));
}

}  // namespace
}  // namespace memharness::analysis
