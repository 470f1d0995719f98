#include "harness/analysis/change_points.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include <boost/math/distributions/students_t.hpp>

#include "harness/analysis/split_mix.h"
#include "harness/common/error.h"

namespace memharness::analysis {

namespace {

struct Split {
  double q = -std::numeric_limits<double>::infinity();
  std::size_t at = 0;  // offset in the segment of the first point after it
  bool found = false;
};

// The best split of a segment's points (in the order given) over tau, the
// first point after the change, and kappa, the end of the right side
// (Matteson and James's (tau, kappa)): a right side that stops short finds a
// block in the middle of a segment -- a level that rose and came back -- which
// a right side running to the segment's end averages away.
//
// O(n^2) time and O(n) memory: for each tau, to_left[k] is point k's summed
// distance to the left side and to_right_side[k] to the points from tau up to
// k; both change by one distance per point when tau moves on, and a scan over
// kappa sums them into the between and right-side totals.
Split best_split(const std::vector<double>& x, std::size_t min_segment) {
  const std::size_t n = x.size();
  Split best;
  if (n < 2 * min_segment) return best;
  std::vector<double> to_left(n, 0.0);
  std::vector<double> to_right_side(n, 0.0);  // for tau = 0: distances to every earlier point
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < k; ++j) to_right_side[k] += std::fabs(x[j] - x[k]);
  double within_left = 0;
  for (std::size_t tau = 1; tau < n; ++tau) {
    // Point tau - 1 joins the left side.
    const double joined = x[tau - 1];
    within_left += to_left[tau - 1];
    for (std::size_t k = tau; k < n; ++k) {
      const double d = std::fabs(joined - x[k]);
      to_left[k] += d;
      to_right_side[k] -= d;
    }
    if (tau < min_segment || n - tau < min_segment) continue;
    const double m = static_cast<double>(tau);
    double between = 0;
    double within_right = 0;
    for (std::size_t kappa = tau + 1; kappa <= n; ++kappa) {
      between += to_left[kappa - 1];
      within_right += to_right_side[kappa - 1];
      const std::size_t right = kappa - tau;
      if (right < min_segment) continue;
      const double k = static_cast<double>(right);
      const double energy = 2 * between / (m * k) - within_left / (m * (m - 1) / 2) - within_right / (k * (k - 1) / 2);
      const double q = m * k / (m + k) * energy;
      if (q > best.q) best = Split{.q = q, .at = tau, .found = true};
    }
  }
  return best;
}

struct Segment {
  std::size_t begin = 0, end = 0;
};

std::vector<double> values_of(const std::vector<double>& series, const Segment& segment) {
  return {series.begin() + static_cast<std::ptrdiff_t>(segment.begin),
          series.begin() + static_cast<std::ptrdiff_t>(segment.end)};
}

double mean_of(const std::vector<double>& series, std::size_t begin, std::size_t end) {
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += series[i];
  return sum / static_cast<double>(end - begin);
}

double variance_of(const std::vector<double>& series, std::size_t begin, std::size_t end, double mean) {
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += (series[i] - mean) * (series[i] - mean);
  return sum / static_cast<double>(end - begin - 1);
}

// mean_after - mean_before with its 95% Welch interval.
void describe_change(const std::vector<double>& series, ChangePoint& c) {
  c.mean_before = mean_of(series, c.before_begin, c.index);
  c.mean_after = mean_of(series, c.index, c.after_end);
  const double n1 = static_cast<double>(c.index - c.before_begin);
  const double n2 = static_cast<double>(c.after_end - c.index);
  const double a = variance_of(series, c.before_begin, c.index, c.mean_before) / n1;
  const double b = variance_of(series, c.index, c.after_end, c.mean_after) / n2;
  const double difference = c.mean_after - c.mean_before;
  const double se = std::sqrt(a + b);
  double half_width = 0;
  if (se > 0) {
    const double df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
    half_width = boost::math::quantile(boost::math::complement(boost::math::students_t(df), 0.025)) * se;
  }
  c.difference_low = difference - half_width;
  c.difference_high = difference + half_width;
}

}  // namespace

std::vector<ChangePoint> find_change_points(const std::vector<double>& series, const ChangePointOptions& options) {
  if (options.min_segment < 2)
    throw usage_error("change points: min-segment {}: expected at least 2", options.min_segment);
  if (options.permutations < 1)
    throw usage_error("change points: permutations {}: expected at least 1", options.permutations);
  if (!(options.alpha > 0 && options.alpha < 1))
    throw usage_error("change points: alpha {}: expected a probability between 0 and 1", options.alpha);
  for (std::size_t i = 0; i < series.size(); ++i)
    if (!std::isfinite(series[i]))
      throw usage_error("change points: point {} is {}: expected a finite number", i, series[i]);

  const auto min_segment = static_cast<std::size_t>(options.min_segment);
  std::vector<Segment> segments{{.begin = 0, .end = series.size()}};
  std::map<std::size_t, std::pair<double, double>> found;  // index -> the q and p that accepted it
  SplitMix rng(options.seed);
  for (;;) {
    // The observed statistic: the best split of any segment.
    Split best;
    std::size_t best_segment = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      auto split = best_split(values_of(series, segments[i]), min_segment);
      if (split.found && split.q > best.q) {
        best = split;
        best_segment = i;
      }
    }
    if (!best.found) break;
    // The same maximum over segments whose points were shuffled within each.
    // A shuffle scoring the same up to rounding counts as at least as extreme.
    const double threshold = best.q - 1e-9 * std::fabs(best.q);
    int as_extreme = 0;
    std::vector<std::vector<double>> shuffled;
    for (const auto& segment : segments) shuffled.push_back(values_of(series, segment));
    for (int r = 0; r < options.permutations; ++r) {
      double permuted = -std::numeric_limits<double>::infinity();
      for (auto& values : shuffled) {
        for (std::size_t j = values.size(); j > 1; --j) std::swap(values[j - 1], values[rng.below(j)]);
        auto split = best_split(values, min_segment);
        if (split.found) permuted = std::max(permuted, split.q);
      }
      as_extreme += permuted >= threshold;
    }
    const double p = (as_extreme + 1.0) / (options.permutations + 1.0);
    if (p > options.alpha) break;
    const Segment cut = segments[best_segment];
    const std::size_t index = cut.begin + best.at;
    found[index] = {best.q, p};
    segments.erase(segments.begin() + static_cast<std::ptrdiff_t>(best_segment));
    segments.push_back({.begin = cut.begin, .end = index});
    segments.push_back({.begin = index, .end = cut.end});
  }

  std::vector<ChangePoint> points;
  for (auto it = found.begin(); it != found.end(); ++it) {
    ChangePoint c;
    c.index = it->first;
    c.q = it->second.first;
    c.p_value = it->second.second;
    c.before_begin = it == found.begin() ? 0 : std::prev(it)->first;
    c.after_end = std::next(it) == found.end() ? series.size() : std::next(it)->first;
    describe_change(series, c);
    points.push_back(c);
  }
  return points;
}

}  // namespace memharness::analysis
