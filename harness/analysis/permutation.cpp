#include "harness/analysis/permutation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "harness/analysis/split_mix.h"

namespace memharness::analysis {

namespace {

// C(n, k) as a double (exact well past the sizes enumerated).
double choose(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

// Welch t over a labelling: in_base[i] says iteration i is on the baseline's side.
double labelled_t(const PermutationMetric& m, const std::vector<char>& in_base) {
  double sa = 0, sb = 0, qa = 0, qb = 0;
  int na = 0, nb = 0;
  for (std::size_t i = 0; i < m.values.size(); ++i) {
    if (!m.values[i]) continue;
    double x = *m.values[i];
    if (in_base[i]) {
      sa += x;
      qa += x * x;
      ++na;
    } else {
      sb += x;
      qb += x * x;
      ++nb;
    }
  }
  if (na < 2 || nb < 2) return 0;
  double ma = sa / na, mb = sb / nb;
  // Sums of squares about the mean, clamped: rounding must not make a constant
  // sample's variance negative.
  double va = std::max(0.0, qa - na * ma * ma) / (na - 1), vb = std::max(0.0, qb - nb * mb * mb) / (nb - 1);
  double se2 = va / na + vb / nb;
  double diff = (mb - ma) * m.worse_sign;
  double scale = std::max(std::fabs(ma), std::fabs(mb));
  if (se2 <= 1e-24 * scale * scale || se2 <= 0) {
    if (std::fabs(mb - ma) <= 1e-12 * scale) return 0;
    return diff > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
  return diff / std::sqrt(se2);
}

// "At least as extreme", with room for rounding: the same split of the same
// values must count as equal however its sums were accumulated.
bool at_least(double permuted, double observed) {
  if (std::isinf(observed)) return permuted >= observed;
  return permuted >= observed - 1e-9 * std::max(1.0, std::fabs(observed));
}

}  // namespace

double welch_t(const std::vector<double>& a, const std::vector<double>& b, int worse_sign) {
  PermutationMetric m;
  m.worse_sign = worse_sign;
  std::vector<char> in_base;
  for (double x : a) {
    m.values.push_back(x);
    in_base.push_back(1);
  }
  for (double x : b) {
    m.values.push_back(x);
    in_base.push_back(0);
  }
  return labelled_t(m, in_base);
}

double smallest_permutation_p(int base_count, int other_count) {
  if (base_count < 1 || other_count < 1) return 1;
  return 1.0 / choose(base_count + other_count, base_count);
}

PermutationResult permutation_test(const PermutationRequest& request) {
  const int total = request.base_count + request.other_count;
  const std::size_t metrics = request.metrics.size();
  PermutationResult result;
  result.t_worse.resize(metrics);
  result.p_two_sided.assign(metrics, 1.0);
  result.p_worse.assign(metrics, 1.0);
  result.p_worse_family.assign(metrics, std::nullopt);

  std::vector<char> observed(static_cast<std::size_t>(total), 0);
  std::fill(observed.begin(), observed.begin() + request.base_count, 1);
  for (std::size_t m = 0; m < metrics; ++m) result.t_worse[m] = labelled_t(request.metrics[m], observed);

  // The family in step-down order: largest observed "worse" statistic first.
  std::vector<int> order = request.family;
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return result.t_worse[static_cast<std::size_t>(x)] > result.t_worse[static_cast<std::size_t>(y)];
  });

  std::vector<std::int64_t> as_extreme_two(metrics, 0), as_extreme_worse(metrics, 0), family_count(order.size(), 0);
  std::vector<double> t(metrics);
  std::int64_t used = 0;
  auto tally = [&](const std::vector<char>& labels) {
    ++used;
    for (std::size_t m = 0; m < metrics; ++m) {
      t[m] = labelled_t(request.metrics[m], labels);
      if (at_least(std::fabs(t[m]), std::fabs(result.t_worse[m]))) ++as_extreme_two[m];
      if (at_least(t[m], result.t_worse[m])) ++as_extreme_worse[m];
    }
    double running_max = -std::numeric_limits<double>::infinity();
    for (std::size_t j = order.size(); j-- > 0;) {
      running_max = std::max(running_max, t[static_cast<std::size_t>(order[j])]);
      if (at_least(running_max, result.t_worse[static_cast<std::size_t>(order[j])])) ++family_count[j];
    }
  };

  if (total > 0 && choose(total, request.base_count) <= static_cast<double>(request.max_exact)) {
    // Every split: the observed one is among them.
    result.exact = true;
    std::vector<char> labels = observed;
    std::sort(labels.begin(), labels.end());  // 0...0 1...1: the first combination in order
    do tally(labels);
    while (std::next_permutation(labels.begin(), labels.end()));
  } else if (total > 0) {
    // Random relabellings plus the observed one, so p >= 1 / (B + 1) and the test
    // stays valid (Phipson and Smyth 2010).
    tally(observed);
    SplitMix rng(request.seed);
    std::vector<char> labels = observed;
    for (std::int64_t b = 0; b < request.random_permutations; ++b) {
      for (std::size_t i = labels.size(); i > 1; --i) std::swap(labels[i - 1], labels[rng.below(i)]);
      tally(labels);
    }
  }
  result.permutations = used;
  if (used == 0) return result;
  double denominator = static_cast<double>(used);
  for (std::size_t m = 0; m < metrics; ++m) {
    result.p_two_sided[m] = static_cast<double>(as_extreme_two[m]) / denominator;
    result.p_worse[m] = static_cast<double>(as_extreme_worse[m]) / denominator;
  }
  double previous = 0;
  for (std::size_t j = 0; j < order.size(); ++j) {
    double p = std::max(previous, static_cast<double>(family_count[j]) / denominator);  // monotone step-down
    result.p_worse_family[static_cast<std::size_t>(order[j])] = p;
    previous = p;
  }
  return result;
}

}  // namespace memharness::analysis
