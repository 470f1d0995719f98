#include <gtest/gtest.h>

#include <cmath>

#include "harness/analysis/permutation.h"
#include "harness/analysis/statistics.h"

namespace memharness::analysis {
namespace {

PermutationMetric metric(const std::vector<double>& base, const std::vector<double>& other, int worse_sign = 1) {
  PermutationMetric m;
  m.worse_sign = worse_sign;
  for (double x : base) m.values.push_back(x);
  for (double x : other) m.values.push_back(x);
  return m;
}

TEST(Permutation, WelchStatisticMatchesR) {
  // R: t.test(seq(2, 10, 2), 1:5) -> t = 1.8974
  EXPECT_NEAR(welch_t({1, 2, 3, 4, 5}, {2, 4, 6, 8, 10}), 1.8974, 1e-4);
  EXPECT_NEAR(welch_t({1, 2, 3, 4, 5}, {2, 4, 6, 8, 10}, -1), -1.8974, 1e-4);
  EXPECT_TRUE(std::isinf(welch_t({3, 3, 3}, {4, 4, 4})));
  EXPECT_EQ(welch_t({3, 3, 3}, {3, 3, 3}), 0);
  EXPECT_EQ(welch_t({3}, {4, 5}), 0);  // a side without a spread
}

TEST(Permutation, CompleteSeparationIsTheSmallestP) {
  PermutationRequest r{
      .base_count = 5, .other_count = 5, .metrics = {metric({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10})}, .family = {0}};
  auto result = permutation_test(r);
  EXPECT_TRUE(result.exact);
  EXPECT_EQ(result.permutations, 252);
  EXPECT_DOUBLE_EQ(result.p_worse[0], 1.0 / 252);
  EXPECT_DOUBLE_EQ(result.p_two_sided[0], 2.0 / 252);
  EXPECT_DOUBLE_EQ(*result.p_worse_family[0], 1.0 / 252);
  // Larger is better: the same values are an improvement, never "worse".
  r.metrics[0].worse_sign = -1;
  EXPECT_DOUBLE_EQ(permutation_test(r).p_worse[0], 1.0);
  EXPECT_DOUBLE_EQ(smallest_permutation_p(5, 5), 1.0 / 252);
  EXPECT_DOUBLE_EQ(smallest_permutation_p(3, 3), 1.0 / 20);
}

TEST(Permutation, FamilyAdjustmentIsAtLeastTheMarginalP) {
  // Two unrelated metrics: the weaker one's adjusted p is at least its own
  // marginal p and at least the stronger one's.
  PermutationRequest r{
      .base_count = 5,
      .other_count = 5,
      .metrics = {metric({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), metric({5, 1, 4, 2, 3}, {3.5, 6, 2.5, 7, 4})},
      .family = {0, 1}};
  auto result = permutation_test(r);
  EXPECT_GE(*result.p_worse_family[0], result.p_worse[0]);
  EXPECT_GE(*result.p_worse_family[1], result.p_worse[1]);
  EXPECT_GE(*result.p_worse_family[1], *result.p_worse_family[0]);
  EXPECT_LT(*result.p_worse_family[0], 0.01);
  EXPECT_GT(*result.p_worse_family[1], 0.05);
}

TEST(Permutation, RandomRelabellingsWhenThereAreTooManyToEnumerate) {
  std::vector<double> a, b;
  for (int i = 0; i < 12; ++i) {
    a.push_back(i);
    b.push_back(i + 20);
  }
  PermutationRequest r{
      .base_count = 12, .other_count = 12, .metrics = {metric(a, b)}, .family = {0}, .random_permutations = 2000};
  auto result = permutation_test(r);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.permutations, 2001);
  EXPECT_DOUBLE_EQ(result.p_worse[0], 1.0 / 2001);  // only the observed one
  // Fixed seed: the same answer every time.
  EXPECT_EQ(permutation_test(r).p_two_sided, result.p_two_sided);
}

TEST(Permutation, MissingIterationsAreLeftOut) {
  PermutationMetric m = metric({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  m.values[2] = std::nullopt;
  PermutationRequest r{.base_count = 5, .other_count = 5, .metrics = {m}, .family = {0}};
  auto result = permutation_test(r);
  EXPECT_GT(result.t_worse[0], 0);
  EXPECT_LT(result.p_worse[0], 0.02);
}

TEST(MultipleTesting, BenjaminiHochbergMatchesR) {
  // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") -> 0.02 0.04 0.04 0.02
  auto q = benjamini_hochberg({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(q.size(), 4u);
  EXPECT_NEAR(q[0], 0.02, 1e-12);
  EXPECT_NEAR(q[1], 0.04, 1e-12);
  EXPECT_NEAR(q[2], 0.04, 1e-12);
  EXPECT_NEAR(q[3], 0.02, 1e-12);
}

TEST(DetectableShift, GrowsWithNoiseAndShrinksWithIterations) {
  // n = 5 + 5, alpha 0.01 one-sided, 80% power: (t_0.99,8 + t_0.8,8) * sd * sqrt(2/5)
  // = (2.896 + 0.889) * 0.6325 = 2.394 sd.
  EXPECT_NEAR(detectable_shift(1.0, 5, 5, 0.01), 2.394, 2e-3);
  EXPECT_NEAR(detectable_shift(2.0, 5, 5, 0.01), 2 * detectable_shift(1.0, 5, 5, 0.01), 1e-12);
  EXPECT_LT(detectable_shift(1.0, 20, 20, 0.01), detectable_shift(1.0, 5, 5, 0.01));
  EXPECT_TRUE(std::isinf(detectable_shift(1.0, 1, 1, 0.01)));
}

}  // namespace
}  // namespace memharness::analysis
