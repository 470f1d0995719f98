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

TEST(Statistics, WelchMatchesR) {
  // R: t.test(1:5, seq(2, 10, 2)) -> t = -1.8974, df = 5.8824, p-value = 0.1077
  EXPECT_NEAR(welch_t_test_p({1, 2, 3, 4, 5}, {2, 4, 6, 8, 10}), 0.1077, 5e-4);
  // Equal variances and n = 3 give df = 4, where the t distribution has a closed
  // form: p = 1 - sqrt(x) (3 - x) / 2 with x = t^2 / (t^2 + 4); t = 7.4251 -> 0.0017562.
  EXPECT_NEAR(welch_t_test_p({31.05, 45.28, 50.08}, {91.05, 105.28, 110.08}), 0.0017562, 1e-6);
}

TEST(Statistics, WelchConstantSamples) {
  EXPECT_EQ(welch_t_test_p({3, 3, 3}, {3, 3, 3}), 1.0);
  EXPECT_EQ(welch_t_test_p({3, 3, 3}, {4, 4, 4}), 0.0);
}

TEST(Statistics, ImprovementIsPositiveInBothDirections) {
  EXPECT_NEAR(*improvement_pct(98.19, 98.35, false), -0.16, 5e-3);  // the posting's Elapsed mean
  EXPECT_NEAR(*improvement_pct(79.0, 77.0, true), -2.53, 5e-3);     // success rate fell
  EXPECT_NEAR(*improvement_pct(100.0, 90.0, false), 10.0, 1e-12);
  EXPECT_EQ(*improvement_pct(0.0, 0.0, false), 0.0);
  EXPECT_FALSE(improvement_pct(0.0, 5.0, false));
}

}  // namespace
}  // namespace memharness::analysis
