// E-Divisive change points (harness/analysis/change_points.h) over per-run
// series as `memharness history` computes them: a flat series (one permutation
// test, nothing found) and one with a step in the middle (two tests), at the
// default 199 permutations. Each test costs permutations x O(n^2).
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "harness/analysis/change_points.h"
#include "harness/analysis/split_mix.h"

namespace {

using namespace memharness::analysis;

std::vector<double> noisy_series(std::size_t n, double step) {
  SplitMix rng(7);
  std::vector<double> series(n);
  for (std::size_t i = 0; i < n; ++i) {
    double u1 = (static_cast<double>(rng.next() >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (static_cast<double>(rng.next() >> 11) + 0.5) / 9007199254740992.0;
    series[i] = 100 + (i >= n / 2 ? step : 0) + std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  return series;
}

void BM_ChangePointsFlat(benchmark::State& state) {
  auto series = noisy_series(static_cast<std::size_t>(state.range(0)), 0);
  for (auto _ : state) benchmark::DoNotOptimize(find_change_points(series));
}
BENCHMARK(BM_ChangePointsFlat)->Arg(30)->Arg(100)->Arg(365)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_ChangePointsOneStep(benchmark::State& state) {
  auto series = noisy_series(static_cast<std::size_t>(state.range(0)), 3);
  for (auto _ : state) benchmark::DoNotOptimize(find_change_points(series));
}
BENCHMARK(BM_ChangePointsOneStep)->Arg(30)->Arg(100)->Arg(365)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
