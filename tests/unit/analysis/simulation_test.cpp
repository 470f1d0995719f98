// Validates the verdict's test by simulation with a fixed seed (README "Compare
// and report" quotes the figures this prints): the false-positive rate when both
// sides come from one distribution, and the detection rate for shifts of 1, 2 and
// 3 standard deviations, at n = 5 iterations per side and the default alpha.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
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

// Fraction of trials the test calls significant (p < alpha) when side b is side
// a's distribution shifted by `shift` of its standard deviations.
template <typename Draw>
double rejection_rate(Rng& rng, Draw draw, double shift_in_sd, double sd) {
  double alpha = CompareConfig{}.alpha;
  int rejected = 0;
  std::vector<double> a(n), b(n);
  for (int t = 0; t < trials; ++t) {
    for (auto& x : a) x = draw(rng);
    for (auto& x : b) x = draw(rng) + shift_in_sd * sd;
    if (welch_t_test_p(a, b) < alpha) ++rejected;
  }
  return static_cast<double>(rejected) / trials;
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

}  // namespace
}  // namespace memharness::analysis
