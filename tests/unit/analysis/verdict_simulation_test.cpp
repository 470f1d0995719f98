// Simulates the whole verdict rule (compare_runs: the joint permutation test,
// the family-wise max-T over the gating metrics, the false discovery rate of the
// others, the effect floors) on synthetic runs with the machine's noise, with
// fixed seeds. docs/compare.md "Simulation" quotes the figures this prints.
//
// Each synthetic iteration records the ten default gating metrics and twenty
// vmstat counters. The noise is what DESIGN.md measured here: CoV 25-45% with
// outliers, and correlated across metrics (an iteration that ran under a busy
// machine is slower, stalls longer and scans more): each value is
// mean * (1 + 0.2 shared + 0.15 own) with the shared factor an outlier (x2.5
// or x0.4) in one iteration of eight.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/comparison.h"
#include "harness/analysis/sequential.h"
#include "harness/common/error.h"

namespace memharness::analysis {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  double uniform() {
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

// The shift injected into one metric, in units of its own noise's mean.
struct Injection {
  double elapsed_factor = 1.0;  // elapsed *= this in the second run
};

nlohmann::json iteration_record(Rng& rng, int number, const Injection& injection) {
  double shared = 0.2 * rng.normal();
  double u = rng.uniform();
  double outlier = u < 1.0 / 16 ? 2.5 : u < 1.0 / 8 ? 0.4 : 1.0;
  auto value = [&](double mean) { return std::max(0.0, mean * outlier * (1 + shared + 0.15 * rng.normal())); };
  nlohmann::json r;
  r["iteration"] = number;
  r["status"] = "complete";
  r["elapsed_s"] = value(20) * injection.elapsed_factor;
  // Counters and stall times are whole numbers in a record (results/iteration_record.h).
  auto whole = [](double v) { return static_cast<std::int64_t>(std::round(v)); };
  r["psi_memory"]["full_stall_us"] = whole(value(4e6));
  r["memcg"]["events_delta"]["oom_kill"] = 0;
  r["memcg"]["psi_memory"]["full_stall_us"] = whole(value(3e6));
  r["vmstat_delta"]["nr_vmscan_write"] = whole(value(5000));
  r["vmstat_delta"]["thp_fault_fallback"] = whole(value(300));
  auto& contexts = r["tracepoints_json"]["scopes"]["system"]["contexts"];
  contexts["direct_reclaim"]["stalls"] = {{"available", true}, {"count", 100}, {"total_ns", value(2e9)}};
  contexts["direct_reclaim"]["writes"] = {
      {"available", true}, {"file", whole(value(800))}, {"anon", whole(value(1200))}};
  contexts["memcg_reclaim"]["stalls"] = {{"available", true}, {"count", 100}, {"total_ns", value(5e9)}};
  for (const char* counter : {"pgscan_kswapd",
                              "pgscan_direct",
                              "pgsteal_kswapd",
                              "pgsteal_direct",
                              "pgscan_anon",
                              "pgscan_file",
                              "pgsteal_anon",
                              "pgsteal_file",
                              "allocstall_normal",
                              "allocstall_movable",
                              "pswpin",
                              "pswpout",
                              "nr_vmscan_immediate_reclaim",
                              "workingset_refault_anon",
                              "workingset_refault_file",
                              "pgmajfault",
                              "compact_stall",
                              "compact_fail",
                              "pgmigrate_success",
                              "thp_fault_alloc"})
    r["vmstat_delta"][counter] = whole(value(1e5));
  return r;
}

results::StoredRun synthetic_run(Rng& rng, const std::string& label, int iterations, const Injection& injection) {
  results::StoredRun run;
  run.path = "/synthetic/" + label;
  run.manifest.label = label;
  run.manifest.test = "synthetic";
  run.manifest.status = results::RunStatus::complete;
  for (int i = 1; i <= iterations; ++i) {
    auto record = iteration_record(rng, i, injection);
    results::StoredIteration it;
    it.number = i;
    it.tracepoints = results::parse_tracepoints_document(record["tracepoints_json"], "tracepoints.json");
    record.erase("tracepoints_json");
    it.record = results::parse_iteration_record(record, "result.json");
    run.iterations.push_back(std::move(it));
  }
  return run;
}

struct Rates {
  double regression = 0;     // comparisons whose outcome is regression
  double other_changes = 0;  // comparisons listing any non-gating significant change
  double inconclusive = 0;
};

Rates simulate(uint64_t seed, int trials, int n, const Injection& injection) {
  Rng rng(seed);
  Rates rates;
  for (int t = 0; t < trials; ++t) {
    auto a = synthetic_run(rng, "a", n, {});
    auto b = synthetic_run(rng, "b", n, injection);
    auto c = compare_runs({a, b}, {});
    rates.regression += c.outcome == Outcome::regression;
    rates.inconclusive += c.outcome == Outcome::inconclusive;
    bool other = false;
    for (const auto& m : c.metrics)
      if (!m.gates && (m.cells[1].verdict == Verdict::regression || m.cells[1].verdict == Verdict::improvement))
        other = true;
    rates.other_changes += other;
  }
  rates.regression /= trials;
  rates.other_changes /= trials;
  rates.inconclusive /= trials;
  return rates;
}

TEST(VerdictSimulation, EveryGatingMetricIsJudged) {
  Rng rng(1);
  auto c = compare_runs({synthetic_run(rng, "a", 5, {}), synthetic_run(rng, "b", 5, {})}, {});
  ASSERT_EQ(c.verdicts.size(), 1u);
  EXPECT_EQ(c.verdicts[0].judged.size(), 10u) << c.verdicts[0].summary;
  EXPECT_TRUE(c.verdicts[0].not_judged.empty());
}

// A/A: the same distribution on both sides. The gating verdict's false-alarm
// rate per comparison, all ten gating metrics together, must be <= 1%.
TEST(VerdictSimulation, FalseAlarmsPerComparisonAtMostOnePercent) {
  for (int n : {5, 7}) {
    int trials = n == 5 ? 2000 : 500;
    auto rates = simulate(20261203 + static_cast<uint64_t>(n), trials, n, {});
    std::printf(
        "A/A, n=%d, %d comparisons: gating false alarms %.2f%%, any other change listed %.2f%%, "
        "inconclusive %.2f%%\n",
        n, trials, 100 * rates.regression, 100 * rates.other_changes, 100 * rates.inconclusive);
    EXPECT_LE(rates.regression, 0.01) << "n=" << n;
    EXPECT_LE(rates.other_changes, 0.05) << "n=" << n;  // fdr_q: under A/A the FDR is the family-wise rate
    EXPECT_EQ(rates.inconclusive, 0) << "n=" << n;
  }
}

// Power: elapsed made slower by 50%, 100% and 200% in the second run (its CoV
// here is ~45% with the outliers, so these are shifts of ~1, 2 and 4 sd).
// Detection must grow with the shift and with n; the price of controlling false
// alarms over ten gates with outlier-laden noise is that at n = 5 only large
// changes are found reliably; more iterations buy power back quickly.
TEST(VerdictSimulation, InjectedRegressionIsDetected) {
  double previous = 0;
  for (double factor : {1.5, 2.0, 3.0}) {
    auto n5 = simulate(77, 500, 5, {.elapsed_factor = factor});
    auto n7 = simulate(78, 150, 7, {.elapsed_factor = factor});
    std::printf("elapsed x%.2f: detected n=5 %.1f%%, n=7 %.1f%%\n", factor, 100 * n5.regression, 100 * n7.regression);
    EXPECT_GT(n5.regression, previous);
    EXPECT_GT(n7.regression, n5.regression);
    previous = n5.regression;
  }
  EXPECT_GE(previous, 0.5);  // tripling the elapsed time is found at n = 5 in most comparisons
}

// --iterations auto (sequential.h): both runs get up to 20 iterations, the rule
// looks at the schedule's points with alpha split over the looks, and stops at
// the first look that decides. Returns the share of sequences that ended in
// "regression" and the mean iterations per side used.
struct SequentialRates {
  double regression = 0;
  double mean_iterations = 0;
};

results::StoredRun first_iterations(const results::StoredRun& run, int n) {
  results::StoredRun head = run;
  head.iterations.resize(static_cast<std::size_t>(n));
  return head;
}

// `baseline`: the first run is a stored baseline of that many iterations (a
// nightly run against last-good) instead of growing with the second.
SequentialRates simulate_sequential(uint64_t seed, int trials, const Injection& injection,
                                    std::optional<int> baseline = std::nullopt) {
  auto schedule = plan_looks(5, 20, 0.01, baseline);
  CompareConfig config;
  config.alpha = schedule.alpha_per_look;
  Rng rng(seed);
  SequentialRates rates;
  for (int t = 0; t < trials; ++t) {
    auto a = synthetic_run(rng, "a", baseline.value_or(20), {});
    auto b = synthetic_run(rng, "b", 20, injection);
    for (int n : schedule.looks) {
      auto c = compare_runs({first_iterations(a, baseline.value_or(n)), first_iterations(b, n)}, config);
      auto decision = decide_at_look(c, n);
      if (decision.stop || n == schedule.looks.back()) {
        rates.regression += c.outcome == Outcome::regression;
        rates.mean_iterations += n;
        break;
      }
    }
  }
  rates.regression /= trials;
  rates.mean_iterations /= trials;
  return rates;
}

TEST(Sequential, LooksStartWhereAPermutationTestCanRejectAndSplitAlpha) {
  auto schedule = plan_looks(5, 20, 0.01);
  EXPECT_EQ(schedule.looks, (std::vector<int>{7, 9, 12, 16, 20}));
  EXPECT_DOUBLE_EQ(schedule.alpha_per_look, 0.002);
  // 5 against 5 reaches p = 2/252 = 0.0079 at best: a single look there is fine at alpha 0.01.
  EXPECT_EQ(plan_looks(5, 5, 0.01).looks, (std::vector<int>{5}));
  EXPECT_THROW(plan_looks(5, 4, 0.01), Error);
  // Against a stored baseline of 10 iterations, 5 new ones reach 2/C(15, 5) = 0.00067: the first look is at 5.
  auto against_stored = plan_looks(5, 20, 0.01, 10);
  EXPECT_EQ(against_stored.looks, (std::vector<int>{5, 7, 9, 12, 16, 20}));
  EXPECT_DOUBLE_EQ(against_stored.alpha_per_look, 0.01 / 6);
  // Against a baseline of 3, n new ones reach only 2/C(n + 3, 3): 12 of them 0.0044, above alpha/3;
  // the looks start at 16 (0.0021 < alpha/2).
  EXPECT_EQ(plan_looks(5, 20, 0.01, 3).looks, (std::vector<int>{16, 20}));
}

// Looking five times must not buy false alarms: A/A sequences end in
// "regression" at most alpha = 1% of the time; and a tripled elapsed time is
// found, mostly at an early look.
TEST(Sequential, AARarelyRegressesAndALargeChangeStopsEarly) {
  auto aa = simulate_sequential(20261204, 100, {});
  auto tripled = simulate_sequential(20261205, 40, {.elapsed_factor = 3.0});
  std::printf(
      "--iterations auto: A/A %.2f%% regression (mean %.1f iterations); elapsed x3 detected %.1f%% "
      "(mean %.1f iterations)\n",
      100 * aa.regression, aa.mean_iterations, 100 * tripled.regression, tripled.mean_iterations);
  EXPECT_LE(aa.regression, 0.01);
  EXPECT_GE(tripled.regression, 0.9);
  EXPECT_LT(tripled.mean_iterations, 12);
}

// The same against a stored baseline of 10 iterations (`nightly --iterations auto`).
TEST(Sequential, AgainstAStoredBaselineAARarelyRegressesAndALargeChangeStopsEarly) {
  auto aa = simulate_sequential(20261206, 100, {}, 10);
  auto tripled = simulate_sequential(20261207, 40, {.elapsed_factor = 3.0}, 10);
  std::printf(
      "--iterations auto against 10 stored: A/A %.2f%% regression (mean %.1f iterations); elapsed x3 "
      "detected %.1f%% (mean %.1f iterations)\n",
      100 * aa.regression, aa.mean_iterations, 100 * tripled.regression, tripled.mean_iterations);
  EXPECT_LE(aa.regression, 0.01);
  EXPECT_GE(tripled.regression, 0.9);
  EXPECT_LT(tripled.mean_iterations, 9);
}

}  // namespace
}  // namespace memharness::analysis
