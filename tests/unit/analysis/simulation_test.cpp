// Validates the verdict's test by simulation with a fixed seed (README "Compare
// and report" quotes the figures this prints): the false-positive rate when both
// sides come from one distribution, and the detection rate for shifts of 1, 2 and
// 3 standard deviations, at n = 5 iterations per side and the default alpha.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <vector>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/statistics.h"

namespace memharness::analysis {
namespace {

// splitmix64 + Box-Muller: the same numbers with every standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  double uniform() {  // (0, 1)
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  }
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

constexpr int trials = 20000;
constexpr int n = 5;

using TwoSampleTest = std::function<double(const std::vector<double>&, const std::vector<double>&)>;

// Fraction of trials the test calls significant (p < alpha) when side b is side
// a's distribution shifted by `shift` of its standard deviations.
template <typename Draw>
double rejection_rate(Rng& rng, Draw draw, double shift_in_sd, double sd, const TwoSampleTest& test = welch_t_test_p) {
  double alpha = CompareConfig{}.alpha;
  int rejected = 0;
  std::vector<double> a(n), b(n);
  for (int t = 0; t < trials; ++t) {
    for (auto& x : a) x = draw(rng);
    for (auto& x : b) x = draw(rng) + shift_in_sd * sd;
    if (test(a, b) < alpha) ++rejected;
  }
  return static_cast<double>(rejected) / trials;
}

// The alternatives docs/compare.md weighs against Welch on the raw values, only
// for this comparison (the harness uses welch_t_test_p):
// Welch's test on log values (multiplicative noise), for positive samples.
double welch_on_logs_p(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> la, lb;
  for (double x : a) la.push_back(std::log(x));
  for (double x : b) lb.push_back(std::log(x));
  return welch_t_test_p(la, lb);
}

// Exact two-sided Mann-Whitney (Wilcoxon rank-sum) p for small samples without
// ties: the share of the C(na+nb, na) splits whose rank sum is at least as far
// from its mean as the observed one.
double mann_whitney_exact_p(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<std::pair<double, int>> all;
  for (double x : a) all.push_back({x, 0});
  for (double x : b) all.push_back({x, 1});
  std::sort(all.begin(), all.end());
  int observed = 0, total = static_cast<int>(all.size()), na = static_cast<int>(a.size());
  for (int r = 0; r < total; ++r)
    if (all[static_cast<size_t>(r)].second == 0) observed += r + 1;
  double mean = na * (total + 1) / 2.0, dev = std::fabs(observed - mean);
  int as_extreme = 0, splits = 0;
  for (unsigned mask = 0; mask < (1u << total); ++mask) {
    if (__builtin_popcount(mask) != na) continue;
    int sum = 0;
    for (int r = 0; r < total; ++r)
      if (mask & (1u << r)) sum += r + 1;
    ++splits;
    if (std::fabs(sum - mean) >= dev - 1e-9) ++as_extreme;
  }
  return static_cast<double>(as_extreme) / splits;
}

TEST(Simulation, NormalNoise) {
  Rng rng(20261122);
  auto draw = [](Rng& r) { return 100 + 33 * r.normal(); };  // CoV 33%, as measured here
  double fp = rejection_rate(rng, draw, 0, 33);
  double d1 = rejection_rate(rng, draw, 1, 33), d2 = rejection_rate(rng, draw, 2, 33),
         d3 = rejection_rate(rng, draw, 3, 33);
  std::printf("normal, n=%d, %d trials: false positives %.2f%%; detected: 1 sd %.1f%%, 2 sd %.1f%%, 3 sd %.1f%%\n",
              n, trials, 100 * fp, 100 * d1, 100 * d2, 100 * d3);
  EXPECT_LE(fp, 0.01);
  EXPECT_GE(d3, 0.5);
  EXPECT_LT(d1, d2);
  EXPECT_LT(d2, d3);
}

TEST(Simulation, HeavyTailedNoise) {
  // Log-normal with CoV ~44% (elapsed time here), outliers included: the t-test
  // assumes normality, so check it stays conservative when that is false.
  Rng rng(7);
  double sigma = std::sqrt(std::log(1 + 0.44 * 0.44));
  auto draw = [sigma](Rng& r) { return 2.0 * std::exp(sigma * r.normal()); };
  double sd = 2.0 * std::exp(sigma * sigma / 2) * 0.44;
  double fp = rejection_rate(rng, draw, 0, sd);
  double d1 = rejection_rate(rng, draw, 1, sd), d2 = rejection_rate(rng, draw, 2, sd),
         d3 = rejection_rate(rng, draw, 3, sd);
  std::printf("log-normal CoV 44%%, n=%d, %d trials: false positives %.2f%%; detected: 1 sd %.1f%%, 2 sd %.1f%%, "
              "3 sd %.1f%%\n",
              n, trials, 100 * fp, 100 * d1, 100 * d2, 100 * d3);
  EXPECT_LE(fp, 0.01);
  EXPECT_GE(d3, 0.5);
}

TEST(Simulation, MannWhitneyExactP) {
  // 5 against 5, completely separated: 2 of 252 splits are as extreme.
  EXPECT_NEAR(mann_whitney_exact_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney_exact_p({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}), 1.0, 0.35);
  EXPECT_GT(mann_whitney_exact_p({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}), 0.5);
}

// The machine's noise (DESIGN.md): CoV ~33-44% "with one outlier each way" in 8
// runs. Model: normal noise with CoV 25%, and each iteration with probability
// 1/8 an outlier, half of them at 2.5x the mean and half at 0.4x. Outliers that
// fall unevenly on the two sides are what could raise false alarms; the figures
// for Welch on raw values, Welch on logs and the exact Mann-Whitney test are in
// docs/compare.md "Why Welch".
TEST(Simulation, OutlierContaminatedNoise) {
  auto draw = [](Rng& r) {
    double x = 100 * (1 + 0.25 * r.normal());
    double u = r.uniform();
    if (u < 1.0 / 16) return 250.0 * (1 + 0.1 * r.normal());
    if (u < 1.0 / 8) return 40.0 * (1 + 0.1 * r.normal());
    return std::max(x, 1.0);
  };
  // The mixture's sd, estimated once from the same generator.
  Rng probe(99);
  double s1 = 0, s2 = 0;
  constexpr int draws = 200000;
  for (int i = 0; i < draws; ++i) {
    double x = draw(probe);
    s1 += x;
    s2 += x * x;
  }
  double mean = s1 / draws, sd = std::sqrt(s2 / draws - mean * mean);
  struct Candidate {
    const char* name;
    TwoSampleTest test;
  };
  for (const auto& c : {Candidate{"welch", welch_t_test_p}, Candidate{"welch-log", welch_on_logs_p},
                        Candidate{"mann-whitney", mann_whitney_exact_p}}) {
    Rng rng(20261201);
    double fp = rejection_rate(rng, draw, 0, sd, c.test);
    double d1 = rejection_rate(rng, draw, 1, sd, c.test), d2 = rejection_rate(rng, draw, 2, sd, c.test),
           d3 = rejection_rate(rng, draw, 3, sd, c.test);
    std::printf("outliers (CoV %.0f%%), %s, n=%d, %d trials: false positives %.2f%%; detected: 1 sd %.1f%%, "
                "2 sd %.1f%%, 3 sd %.1f%%\n",
                100 * sd / mean, c.name, n, trials, 100 * fp, 100 * d1, 100 * d2, 100 * d3);
    // Every candidate keeps the target; the harness's choice (welch) is held to it.
    EXPECT_LE(fp, 0.01) << c.name;
  }
}

}  // namespace
}  // namespace memharness::analysis
