#include "harness/analysis/change_points.h"

#include <cmath>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "harness/analysis/split_mix.h"
#include "harness/common/error.h"

namespace memharness::analysis {
namespace {

// Standard normal noise from splitmix64 (Box-Muller): the same series on every
// platform, so the simulation's figures are reproducible.
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return (static_cast<double>(rng_.next() >> 11) + 0.5) / 9007199254740992.0; }
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform()); }
  std::vector<double> series(std::size_t n, double level = 0) {
    std::vector<double> s(n);
    for (auto& v : s) v = level + normal();
    return s;
  }

 private:
  SplitMix rng_;
};

std::vector<double> join(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(ChangePoints, AClearStepIsFoundWhereItIsWithItsSize) {
  Noise noise(1);
  auto series = join(noise.series(20, 100), noise.series(20, 105));
  auto points = find_change_points(series);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].index, 20u);
  EXPECT_EQ(points[0].before_begin, 0u);
  EXPECT_EQ(points[0].after_end, 40u);
  EXPECT_NEAR(points[0].mean_after - points[0].mean_before, 5.0, 1.0);
  EXPECT_LT(points[0].difference_low, points[0].mean_after - points[0].mean_before);
  EXPECT_GT(points[0].difference_high, points[0].mean_after - points[0].mean_before);
  EXPECT_GT(points[0].difference_low, 3.0);  // the interval excludes no change by far
  EXPECT_LE(points[0].p_value, 0.01);
}

TEST(ChangePoints, TwoStepsMakeTwoChangePointsEachBoundedByTheOther) {
  Noise noise(2);
  auto series = join(join(noise.series(15, 0), noise.series(15, 4)), noise.series(15, 0));
  auto points = find_change_points(series);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].index, 15u);
  EXPECT_EQ(points[1].index, 30u);
  EXPECT_EQ(points[0].after_end, 30u);  // the second change bounds the first's after-segment
  EXPECT_EQ(points[1].before_begin, 15u);
  EXPECT_GT(points[0].mean_after - points[0].mean_before, 2.5);
  EXPECT_LT(points[1].mean_after - points[1].mean_before, -2.5);
}

TEST(ChangePoints, AConstantOrShortSeriesHasNone) {
  EXPECT_TRUE(find_change_points(std::vector<double>(50, 7.0)).empty());
  EXPECT_TRUE(find_change_points({}).empty());
  EXPECT_TRUE(find_change_points({1, 2, 3, 4, 5}).empty());  // fewer than two segments of 3
  // Six points, a perfect step: only 20 orders of three and three, so a
  // permutation test cannot reach p <= 0.01 -- no change is claimed.
  EXPECT_TRUE(find_change_points({0, 0, 0, 10, 10, 10}).empty());
}

TEST(ChangePoints, ASingleSpikeIsNotAStep) {
  Noise noise(3);
  auto series = noise.series(40, 50);
  series[20] += 12;  // one night 12 standard deviations off
  EXPECT_TRUE(find_change_points(series).empty());
}

TEST(ChangePoints, TheSameSeriesGivesTheSameAnswer) {
  Noise noise(4);
  auto series = join(noise.series(25, 0), noise.series(10, 2));
  auto a = find_change_points(series);
  auto b = find_change_points(series);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].index, b[i].index);
    EXPECT_EQ(a[i].p_value, b[i].p_value);
  }
}

TEST(ChangePoints, OptionsOutOfRangeAndNonFiniteValuesAreRefused) {
  EXPECT_THROW(find_change_points({1, 2}, {.alpha = 0.01, .permutations = 199, .min_segment = 1, .seed = 1}), Error);
  EXPECT_THROW(find_change_points({1, 2}, {.alpha = 0.01, .permutations = 0, .min_segment = 3, .seed = 1}), Error);
  EXPECT_THROW(find_change_points({1, 2}, {.alpha = 1.0, .permutations = 199, .min_segment = 3, .seed = 1}), Error);
  EXPECT_THROW(find_change_points({1, NAN, 2}), Error);
}

// Issue 14's targets, with the defaults, on normal noise (series in units of
// its standard deviation; a per-run mean's noise is near normal even when one
// iteration's is not). Fixed seeds: the figures printed are docs/history.md's.
//  - Found within 5 points: in a series of 60 runs with a step of 2 or 3
//    standard deviations after run 30, a change point within 5 points of the
//    step in >= 90% of series.
//  - Flat series: <= 1 false change point per 1,000 points.
//  - How soon after the step: the share of series in which the step is found
//    when only 5 or 10 points follow it (a nightly's delay). Controlling false
//    alarms across the positions a step could be at costs power here: 5 points
//    after a 2 standard deviation step is not enough to find it reliably.
double share_found(double step, std::size_t before, std::size_t after, std::size_t tolerance, int series_count) {
  Noise noise(static_cast<std::uint64_t>(step * 1000 + static_cast<double>(after)));
  int found = 0;
  for (int s = 0; s < series_count; ++s) {
    auto series = join(noise.series(before), noise.series(after, step));
    for (const auto& c : find_change_points(series))
      if (c.index + tolerance >= before && c.index <= before + tolerance) {
        ++found;
        break;
      }
  }
  return static_cast<double>(found) / series_count;
}

TEST(ChangePointsSimulation, StepsOfTwoAndThreeDeviationsAreLocatedWithinFivePoints) {
  for (double step : {2.0, 3.0}) {
    double recall = share_found(step, 30, 30, 5, 200);
    std::printf("step of %.0f sd after 30 of 60 points: found within 5 points in %.1f%% of 200 series\n", step,
                100 * recall);
    EXPECT_GE(recall, 0.90) << step;
  }
}

TEST(ChangePointsSimulation, FlatSeriesYieldAtMostOneChangePointPerThousandPoints) {
  Noise noise(99);
  int false_points = 0;
  std::size_t points = 0;
  for (int s = 0; s < 200; ++s) {
    auto series = noise.series(50);
    points += series.size();
    false_points += static_cast<int>(find_change_points(series).size());
  }
  double per_thousand = 1000.0 * false_points / static_cast<double>(points);
  std::printf("no step: %d change points in %zu points (%.2f per 1,000)\n", false_points, points, per_thousand);
  EXPECT_LE(per_thousand, 1.0);
}

TEST(ChangePointsSimulation, HowManyPointsAfterAStepFindIt) {
  for (std::size_t after : {5, 10})
    for (double step : {2.0, 3.0})
      std::printf("step of %.0f sd, 30 points before and %zu after: found in %.1f%% of 200 series\n", step, after,
                  100 * share_found(step, 30, after, 2, 200));
  // What a nightly can count on: a 3 standard deviation step by the tenth night after it.
  EXPECT_GE(share_found(3.0, 30, 10, 2, 200), 0.90);
}

}  // namespace
}  // namespace memharness::analysis
