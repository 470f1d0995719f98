#pragma once
// Descriptive statistics of one metric over a run's iterations, the multiple
// testing and power helpers of compare (docs/compare.md "Statistics"); the test
// itself is permutation.h.
#include <optional>
#include <vector>

namespace memharness::analysis {

struct Summary {
  int n = 0;
  double min = 0, max = 0;
  double mean = 0;  // arithmetic, or harmonic when asked for (rates)
  double median = 0;
  double stddev = 0;   // sample standard deviation (n - 1); 0 when n < 2
  double cov_pct = 0;  // stddev / arithmetic mean, in percent; 0 when the mean is 0
  double sum = 0;
};

// nullopt for no values. Harmonic means need positive values; with a zero or
// negative value the arithmetic mean is used.
std::optional<Summary> summarize(const std::vector<double>& values, bool harmonic);

// Benjamini-Hochberg adjusted p-values (q-values) of a family, in the same
// order: a hypothesis is a discovery at false discovery rate q when its value is
// below q. Valid under independence and positive dependence (PRDS), which
// metrics that rise and fall together satisfy.
std::vector<double> benjamini_hochberg(const std::vector<double>& p);

// The smallest shift of the mean a one-sided test at level `alpha` detects with
// probability `power`, for samples of n_a and n_b with standard deviation `sd`
// (normal theory with n_a + n_b - 2 degrees of freedom, Boost.Math students_t).
// An approximation for the permutation test, which has the same power as the t
// test at these sizes when the noise is near normal. Infinity when n_a + n_b < 3.
double detectable_shift(double sd, int n_a, int n_b, double alpha, double power = 0.8);

// Percentage difference of `value` from `base`, signed so that positive is an
// improvement (MMTests): lower-is-better -> (base - value) / base.
// nullopt when base is 0 and value is not.
std::optional<double> improvement_pct(double base, double value, bool higher_is_better);

}  // namespace memharness::analysis
