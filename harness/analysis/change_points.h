#pragma once
// Step changes in a series of runs (a metric's per-run means, oldest first):
// where the level moved and stayed moved, as opposed to one noisy night.
//
// The method is E-Divisive with means of absolute differences (Matteson and
// James 2014, "A Nonparametric Approach for Multiple Change Point Analysis of
// Multivariate Data", JASA 109(505), section 2 with alpha = 1), the one MongoDB's
// and Apache Otava's performance CI use:
//   - a candidate split tau of a segment [a, b) is scored by the scaled energy
//     distance between its two sides X = [a, tau), Y = [tau, kappa), kappa <= b:
//       Q = m k / (m + k) * (2/(m k) sum|x - y| - sum_{i<j}|x_i - x_j| / C(m,2)
//                                               - sum_{i<j}|y_i - y_j| / C(k,2))
//     (m, k the sides' sizes); it grows with a shift of the level and with the
//     number of points that show it, and needs no assumption on the noise;
//   - the best split of every segment is found, and the best of those is kept
//     when a permutation test says it is significant: the points of each segment
//     are shuffled (fixed seed), the best split's Q recomputed, and p is the share
//     of shuffles scoring at least the observed Q; then it is repeated on the
//     segments that split made, until a test is not significant.
// The right side of a split may end before its segment does (the paper's
// kappa), so a level that rose and came back is found as two change points.
// Each test costs permutations x O(n^2) for a segment of n points: about
// 0.6 s of CPU per test for 1,000 runs, 80 ms for 365, with the default 199
// permutations (bench/change_points_bench.cpp).
//
// min_segment keeps a single spike from being a change point: a split needs
// that many points on each side, so one outlying night cannot form a segment
// of its own (the complaint Otava's users raise most). Every test of the
// sequence is at `alpha`, so on a series without a step the chance of reporting
// any change point is at most alpha (the first test must pass for any to be
// found) -- checked in tests/unit/analysis/change_points_test.cpp's simulation.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace memharness::analysis {

struct ChangePointOptions {
  double alpha = 0.01;            // each permutation test's significance level
  int permutations = 199;         // per test; the smallest p is 1 / (permutations + 1)
  int min_segment = 3;            // points each side of a change point needs, at least 2
  std::uint64_t seed = 20261203;  // fixed: the same series always gives the same answer
};

struct ChangePoint {
  std::size_t index = 0;  // the first point after the change
  double q = 0;           // the split's statistic (above)
  double p_value = 1;     // of the permutation test that accepted it
  // The segments either side, bounded by the neighbouring change points (or the
  // series' ends): [before_begin, index) and [index, after_end).
  std::size_t before_begin = 0;
  std::size_t after_end = 0;
  double mean_before = 0;
  double mean_after = 0;
  // A 95% confidence interval of mean_after - mean_before (Welch's t with
  // Welch-Satterthwaite degrees of freedom over the segments' points).
  double difference_low = 0;
  double difference_high = 0;
};

// The change points of `series`, by index. Throws usage_error for options out of
// range (min_segment < 2, permutations < 1, alpha outside (0, 1)) or a value that
// is not finite.
std::vector<ChangePoint> find_change_points(const std::vector<double>& series, const ChangePointOptions& options = {});

}  // namespace memharness::analysis
