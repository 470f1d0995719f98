#include "harness/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>

namespace memharness::analysis {

namespace {
double arithmetic_mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double sample_variance(const std::vector<double>& v, double mean) {
  if (v.size() < 2) return 0;
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s / static_cast<double>(v.size() - 1);
}
}  // namespace

std::optional<Summary> summarize(const std::vector<double>& values, bool harmonic) {
  if (values.empty()) return std::nullopt;
  Summary s;
  s.n = static_cast<int>(values.size());
  auto sorted = values;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = s.n % 2 ? sorted[static_cast<size_t>(s.n / 2)]
                     : (sorted[static_cast<size_t>(s.n / 2 - 1)] + sorted[static_cast<size_t>(s.n / 2)]) / 2;
  double mean = arithmetic_mean(values);
  for (double x : values) s.sum += x;
  s.stddev = std::sqrt(sample_variance(values, mean));
  s.cov_pct = mean != 0 ? 100.0 * s.stddev / std::fabs(mean) : 0;
  s.mean = mean;
  if (harmonic && s.min > 0) {
    double inv = 0;
    for (double x : values) inv += 1.0 / x;
    s.mean = static_cast<double>(s.n) / inv;
  }
  return s;
}

std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> q(p.size());
  double running = 1;
  const double m = static_cast<double>(p.size());
  for (std::size_t k = p.size(); k-- > 0;) {  // largest p first: q_(k) = min over j >= k of p_(j) m / j
    running = std::min(running, p[order[k]] * m / static_cast<double>(k + 1));
    q[order[k]] = running;
  }
  return q;
}

double detectable_shift(double sd, int n_a, int n_b, double alpha, double power) {
  int df = n_a + n_b - 2;
  if (df < 1 || n_a < 1 || n_b < 1) return std::numeric_limits<double>::infinity();
  boost::math::students_t dist(df);
  double t = boost::math::quantile(boost::math::complement(dist, alpha)) + boost::math::quantile(dist, power);
  return t * sd * std::sqrt(1.0 / n_a + 1.0 / n_b);
}

std::optional<double> improvement_pct(double base, double value, bool higher_is_better) {
  if (base == 0) {
    if (value == 0) return 0.0;
    return std::nullopt;
  }
  double diff = higher_is_better ? value - base : base - value;
  return 100.0 * diff / std::fabs(base);
}

}  // namespace memharness::analysis
