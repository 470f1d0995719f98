#pragma once
// Descriptive statistics of one metric over a run's iterations, and the test
// that decides whether two runs differ (see docs/compare.md "Statistics").
#include <optional>
#include <vector>

namespace memharness::analysis {

struct Summary {
  int n = 0;
  double min = 0, max = 0;
  double mean = 0;  // arithmetic, or harmonic when asked for (rates)
  double median = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 when n < 2
  double cov_pct = 0;  // stddev / arithmetic mean, in percent; 0 when the mean is 0
  double sum = 0;
};

// nullopt for no values. Harmonic means need positive values; with a zero or
// negative value the arithmetic mean is used.
std::optional<Summary> summarize(const std::vector<double>& values, bool harmonic);

// Welch's two-sample t-test (unequal variances), two-sided. p = 1 when both
// samples are constant and equal; p = 0 when constant and different. Needs n >= 2
// on both sides.
double welch_t_test_p(const std::vector<double>& a, const std::vector<double>& b);

// Percentage difference of `value` from `base`, signed so that positive is an
// improvement (MMTests): lower-is-better -> (base - value) / base.
// nullopt when base is 0 and value is not.
std::optional<double> improvement_pct(double base, double value, bool higher_is_better);

}  // namespace memharness::analysis
