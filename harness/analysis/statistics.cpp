#include "harness/analysis/statistics.h"

#include <algorithm>
#include <cmath>

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

double welch_t_test_p(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = arithmetic_mean(a), mb = arithmetic_mean(b);
  double va = sample_variance(a, ma) / static_cast<double>(a.size());
  double vb = sample_variance(b, mb) / static_cast<double>(b.size());
  double se2 = va + vb;
  if (se2 <= 0) return ma == mb ? 1.0 : 0.0;
  double t = (ma - mb) / std::sqrt(se2);
  // Welch-Satterthwaite degrees of freedom.
  double df = se2 * se2 /
              (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  boost::math::students_t dist(df);
  return 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
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
