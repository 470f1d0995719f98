#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <fmt/core.h>

#include "harness/analysis/comparison.h"
#include "harness/analysis/metric_catalog.h"
#include "harness/analysis/noise_calibration.h"
#include "harness/common/error.h"

namespace memharness::analysis {
namespace {

namespace fs = std::filesystem;
const fs::path results_root = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs" / "results";

results::StoredRun load(const std::string& label) {
  return results::read_run(results::resolve_run(label, results_root));
}

// An iteration from one JSON object: result.json, with tracepoints.json under
// "tracepoints_json" when the iteration has one.
results::StoredIteration iteration_of(nlohmann::json record) {
  results::StoredIteration it;
  if (record.contains("tracepoints_json")) {
    it.tracepoints = results::parse_tracepoints_document(record["tracepoints_json"], "tracepoints.json");
    record.erase("tracepoints_json");
  }
  it.record = results::parse_iteration_record(record, "result.json");
  return it;
}

const MetricResult& metric(const Comparison& c, const std::string& id) {
  for (const auto& m : c.metrics)
    if (m.def.id == id) return m;
  throw std::runtime_error("no metric " + id);
}

TEST(Comparison, ThreeIterationsAreInconclusive) {
  // 3 against 3: a permutation test's smallest p is 1/20, so nothing can be
  // judged at alpha 0.01, and the comparison says so instead of "fine".
  auto c = compare_runs({load("a"), load("b")}, {});
  EXPECT_EQ(c.gating_regressions, 0);
  EXPECT_EQ(c.outcome, Outcome::inconclusive);
  EXPECT_TRUE(c.warnings.empty());
  const auto& elapsed = metric(c, "elapsed");
  EXPECT_TRUE(elapsed.gates);
  EXPECT_EQ(elapsed.cells[0].summary->n, 3);
  EXPECT_EQ(elapsed.cells[1].verdict, Verdict::too_few_iterations);
  EXPECT_EQ(elapsed.cells[1].reason, "3 iterations: not judged (needs 5 per side)");
  ASSERT_EQ(c.verdicts.size(), 1u);
  const auto& v = c.verdicts[0];
  EXPECT_TRUE(v.judged.empty());
  EXPECT_EQ(v.not_judged, (std::vector<std::string>{"elapsed", "memcg.oom_kill", "psi.full_ms",
                                                    "vmstat.nr_vmscan_write", "vmstat.thp_fault_fallback"}));
  EXPECT_EQ(v.summary.rfind("inconclusive: 5 of 5 gating metrics not judged (elapsed, ", 0), 0u) << v.summary;
  // Asked for 3, the test still cannot reach 0.01: not judged, and why.
  auto three = compare_runs({load("a"), load("b")}, parse_compare_config("min_iterations = 3\n", "t.toml"));
  EXPECT_EQ(metric(three, "elapsed").cells[1].reason,
            "3 vs 3 iterations: a permutation test cannot reach p < 0.01; not judged");
}

TEST(Comparison, SameIterationsJudgeEveryRecordedGatingMetric) {
  // The same six iterations on both sides: every gating metric the runs
  // recorded is judged and none differs. The tracepoint gates and the cgroup's
  // PSI (cgroup v1 has no memory.pressure) were recorded by neither: "not
  // measured", listed, and not a reason for "inconclusive".
  auto c = compare_runs({load("ab"), load("ab")}, {});
  ASSERT_EQ(c.verdicts.size(), 1u);
  const auto& v = c.verdicts[0];
  EXPECT_EQ(c.outcome, Outcome::no_regression) << v.summary;
  EXPECT_EQ(v.judged.size(), 5u);
  EXPECT_TRUE(v.not_judged.empty());
  EXPECT_EQ(v.not_measured,
            (std::vector<std::string>{"tracepoint.direct_reclaim_write_file", "tracepoint.direct_reclaim_write_anon",
                                      "tracepoint.direct_reclaim_stall_ms", "tracepoint.memcg_reclaim_stall_ms",
                                      "memcg.psi_full_ms"}));
  EXPECT_TRUE(v.exact);
  EXPECT_EQ(v.permutations, 924);  // C(12, 6)
  const auto& elapsed = metric(c, "elapsed").cells[1];
  EXPECT_EQ(elapsed.verdict, Verdict::no_difference);
  EXPECT_GT(*elapsed.p_adjusted, 0.5);
  // Elapsed varies 19-50 s here: only a large regression is detectable.
  ASSERT_TRUE(elapsed.detectable_pct);
  EXPECT_GT(*elapsed.detectable_pct, 20);
  EXPECT_LT(*elapsed.detectable_pct, 300);  // one iteration took 19 s, the others 31-50 s
  EXPECT_NE(elapsed.reason.find("; detectable: >= "), std::string::npos) << elapsed.reason;
}

TEST(Comparison, DoctoredRegressionIsFound) {
  auto c = compare_runs({load("ab"), load("c-regressed")}, {});
  const auto& elapsed = metric(c, "elapsed");
  EXPECT_EQ(elapsed.cells[1].verdict, Verdict::regression) << elapsed.cells[1].reason;
  EXPECT_LT(*elapsed.cells[1].mean_pct, -100);  // 42 s -> 102 s
  // Every relabelling but the observed one mixes the +60 s iterations: only the
  // observed split is as extreme, p = 1/924 family-wise.
  EXPECT_NEAR(*elapsed.cells[1].p_adjusted, 1.0 / 924, 1e-12);
  EXPECT_EQ(metric(c, "vmstat.nr_vmscan_write").cells[1].verdict, Verdict::regression);
  EXPECT_EQ(c.gating_regressions, 2);
  EXPECT_EQ(c.outcome, Outcome::regression);
  EXPECT_EQ(c.verdicts[0].regressed, (std::vector<std::string>{"elapsed", "vmstat.nr_vmscan_write"}));
  EXPECT_EQ(c.verdicts[0].summary, "REGRESSION in 2 of 5 gating metrics (elapsed, vmstat.nr_vmscan_write)");
  // The same change, as the baseline, is an improvement.
  auto reverse = compare_runs({load("c-regressed"), load("ab")}, {});
  EXPECT_EQ(metric(reverse, "elapsed").cells[1].verdict, Verdict::improvement);
  EXPECT_EQ(reverse.gating_regressions, 0);
  EXPECT_EQ(reverse.outcome, Outcome::no_regression);
}

TEST(Comparison, ConfigChangesGatingAndThresholds) {
  auto config = parse_compare_config(
      "[metric.elapsed]\ngates = false\n[metric.\"vmstat.nr_vmscan_write\"]\nmin_effect_pct = 1000\n", "test.toml");
  auto c = compare_runs({load("ab"), load("c-regressed")}, config);
  EXPECT_FALSE(metric(c, "elapsed").gates);
  EXPECT_EQ(metric(c, "vmstat.nr_vmscan_write").cells[1].verdict, Verdict::below_min_effect);
  EXPECT_EQ(c.gating_regressions, 0);
  // Not gating, elapsed is still a significant change, by false discovery rate.
  EXPECT_EQ(metric(c, "elapsed").cells[1].verdict, Verdict::regression);
  EXPECT_LT(*metric(c, "elapsed").cells[1].p_adjusted, 0.05);
}

TEST(Comparison, TooFewIterationsAreNotJudged) {
  auto base = load("ab"), one = load("c-regressed");
  one.iterations.resize(1);
  auto c = compare_runs({base, one}, {});
  EXPECT_EQ(metric(c, "elapsed").cells[1].verdict, Verdict::too_few_iterations);
  EXPECT_EQ(metric(c, "elapsed").cells[1].reason, "1 iteration: not judged (needs 5 per side)");
  EXPECT_EQ(c.gating_regressions, 0);
  EXPECT_EQ(c.outcome, Outcome::inconclusive);
}

// A gated count going from 0 to a constant: significant (p = 1/924, not 0),
// and a regression only beyond the floor for a zero baseline (1 event).
TEST(Comparison, ZeroBaselineHasAnAbsoluteFloor) {
  auto base = load("ab"), other = load("ab");
  for (auto& it : base.iterations) (*it.record.memcg->events_delta)["oom_kill"] = 0;
  for (auto& it : other.iterations) (*it.record.memcg->events_delta)["oom_kill"] = 2;
  auto c = compare_runs({base, other}, {});
  const auto& oom = metric(c, "memcg.oom_kill").cells[1];
  EXPECT_EQ(oom.verdict, Verdict::regression) << oom.reason;
  EXPECT_NEAR(*oom.p_adjusted, 1.0 / 924, 1e-12);
  EXPECT_EQ(oom.reason.rfind("from 0 to 2 events, p=0.00108 (family-wise)", 0), 0u) << oom.reason;
  auto config = parse_compare_config("[metric.\"memcg.oom_kill\"]\nmin_effect_abs = 3\n", "t.toml");
  auto floored = compare_runs({base, other}, config);
  const auto& small = metric(floored, "memcg.oom_kill").cells[1];
  EXPECT_EQ(small.verdict, Verdict::below_min_effect);
  EXPECT_NE(small.reason.find("below the floor of 3 events for a zero baseline"), std::string::npos) << small.reason;
}

// Rates are shown as harmonic means, so they are tested on 1/x: a rate that
// is lower on every iteration is a regression of a higher-is-better metric.
TEST(Comparison, RatesAreTestedAsTheyAreShown) {
  auto base = load("ab"), other = load("ab");
  auto rate = [](results::StoredRun& run, double scale) {
    double v = 40;
    for (auto& it : run.iterations)
      for (auto& w : it.record.phases[0].workloads) w.metrics["vm-bogo-ops-per-second-real-time"] = scale * (v += 1);
  };
  rate(base, 1.0);
  rate(other, 0.5);
  auto c = compare_runs({base, other},
                        parse_compare_config("[metric.\"workload.anon-dirty.vm-bogo-ops-per-second-real-time\"]\n"
                                             "gates = true\n",
                                             "t.toml"));
  const auto& m = metric(c, "workload.anon-dirty.vm-bogo-ops-per-second-real-time");
  ASSERT_TRUE(m.def.harmonic_mean);
  EXPECT_EQ(m.cells[1].verdict, Verdict::regression) << m.cells[1].reason;
  EXPECT_NEAR(*m.cells[1].mean_pct, -50, 1e-9);
}

TEST(Comparison, MissingMetricIsNotAvailableNotZero) {
  auto c = compare_runs({load("a"), load("b")}, {});
  const auto& stall = metric(c, "tracepoint.direct_reclaim_stall_ms");
  EXPECT_FALSE(stall.cells[0].summary);
  EXPECT_EQ(stall.cells[1].verdict, Verdict::not_available);
  EXPECT_FALSE(metric(c, "memcg.psi_some_ms").cells[0].summary);  // cgroup v1: no memory.pressure
}

TEST(Comparison, EnvironmentDifferencesAreNamed) {
  auto a = load("a"), b = load("b");
  (*b.manifest.machine)["cpus"] = 4;
  b.manifest.config->hash = "0123456789abcdef";
  auto differences = environment_differences({a, b});
  ASSERT_EQ(differences.size(), 2u);
  EXPECT_EQ(differences[0].rfind("config hash differs: d09c767255256fbf in a (", 0), 0u) << differences[0];
  EXPECT_NE(differences[0].find("0123456789abcdef in b ("), std::string::npos);
  EXPECT_EQ(differences[1].rfind("CPU count differs: 2 in a (", 0), 0u) << differences[1];
  EXPECT_EQ(compare_runs({a, b}, {}).warnings, differences);
}

TEST(Comparison, LostTracepointEventsAreWarnedAbout) {
  auto a = load("a"), b = load("b");
  auto& record = b.iterations.at(1).record;
  record.tracepoint_recorder = results::parse_tracepoint_recorder(
      results::RecordMembers(nlohmann::json{{"kind", "bpf"}, {"lost_events", 12}}, "result.json"));
  auto c = compare_runs({a, b}, {});
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0],
            fmt::format("b: iteration {}'s bpf tracepoint recorder lost 12 event(s): its tracepoint figures are "
                        "undercounts",
                        record.iteration.value_or(0)));
}

TEST(MetricCatalog, WorkloadRatesAreHigherIsBetterWithHarmonicMeans) {
  auto record = iteration_of(nlohmann::json::parse(R"({"phases": [{"workloads": [{"instance": "dd", "metrics": {
      "threads-4-mb-per-s": 1500.0, "threads-4-elapsed-s": 0.7, "vm-bogo-ops-per-second-real-time": 30.0,
      "dirty-rate-mib-per-s": 64.0, "bytes-written-mib": 900.0, "pass1-latency-p99-ms": 3.0,
      "pass1-success-pct": 95.0}}]}]})"));
  auto catalog = build_catalog({&record});
  auto def = [&](const std::string& name) {
    for (const auto& m : catalog)
      if (m.id == "workload.dd." + name) return m;
    throw std::runtime_error("no metric " + name);
  };
  // dd-writeback's throughput was once judged lower-is-better: a slower night
  // read as an improvement.
  EXPECT_EQ(def("threads-4-mb-per-s").direction, Direction::higher_is_better);
  EXPECT_TRUE(def("threads-4-mb-per-s").harmonic_mean);
  EXPECT_EQ(def("threads-4-mb-per-s").unit, "MB/s");
  EXPECT_EQ(def("dirty-rate-mib-per-s").direction, Direction::higher_is_better);
  EXPECT_EQ(def("dirty-rate-mib-per-s").unit, "MiB/s");
  EXPECT_EQ(def("vm-bogo-ops-per-second-real-time").unit, "ops/s");
  EXPECT_EQ(def("bytes-written-mib").direction, Direction::higher_is_better);  // work done in a fixed time
  EXPECT_FALSE(def("bytes-written-mib").harmonic_mean);
  EXPECT_EQ(def("pass1-success-pct").direction, Direction::higher_is_better);
  EXPECT_EQ(def("threads-4-elapsed-s").direction, Direction::lower_is_better);
  EXPECT_EQ(def("pass1-latency-p99-ms").direction, Direction::lower_is_better);
}

// A record with the workloads' declarations is read by them, not by the
// metric's name: a declaration that says otherwise than the name wins.
TEST(MetricCatalog, DeclaredMetricsAreReadByTheirDeclarations) {
  auto record = iteration_of(nlohmann::json::parse(R"({"phases": [{"workloads": [{"instance": "w",
      "metrics": {"threads-4-mb-per-s": 1500.0, "queue-depth": 3.0},
      "metric_declarations": {"queue-depth": {"unit": "requests", "direction": "higher_is_better",
                                              "gates": true, "harmonic_mean": true}}}]}]})"));
  auto catalog = build_catalog({&record});
  auto def = [&](const std::string& name) {
    for (const auto& m : catalog)
      if (m.id == "workload.w." + name) return m;
    throw std::runtime_error("no metric " + name);
  };
  EXPECT_EQ(def("queue-depth").unit, "requests");
  EXPECT_EQ(def("queue-depth").direction, Direction::higher_is_better);
  EXPECT_TRUE(def("queue-depth").gates);
  EXPECT_TRUE(def("queue-depth").harmonic_mean);
  // Not declared in this record: read by its name, as in an older record.
  EXPECT_EQ(def("threads-4-mb-per-s").unit, "MB/s");
  EXPECT_EQ(def("threads-4-mb-per-s").direction, Direction::higher_is_better);
}

// What highalloc is for leads and gates: its success per pass (hugetlb and
// THP instances alike), then its latencies, then Elapsed and the rest.
TEST(MetricCatalog, HugePageSuccessGatesAndLeadsTheWorkloadRows) {
  auto record = iteration_of(nlohmann::json::parse(R"({"elapsed_s": 90.0, "phases": [{"workloads": [
      {"instance": "highalloc", "metrics": {"at-rest-success-pct": 92.0, "pass1-success-pct": 60.0,
        "pass2-success-pct": 55.0, "at-rest-latency-p50-ms": 1.0, "pass1-latency-p50-ms": 9.0}},
      {"instance": "thp", "metrics": {"pass1-success-pct": 40.0, "pass1-latency-p50-ms": 3.0}}]}]})"));
  auto catalog = build_catalog({&record});
  std::vector<std::string> ids;
  for (const auto& m : catalog)
    if (m.section == Section::workload) ids.push_back(m.id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"workload.highalloc.pass1-success-pct", "workload.thp.pass1-success-pct",
                                      "workload.highalloc.pass2-success-pct", "workload.highalloc.at-rest-success-pct",
                                      "workload.highalloc.pass1-latency-p50-ms", "workload.thp.pass1-latency-p50-ms",
                                      "workload.highalloc.at-rest-latency-p50-ms", "elapsed", "user", "system"}));
  for (const auto& m : catalog) {
    if (m.id.ends_with("-success-pct")) {
      EXPECT_TRUE(m.gates) << m.id;
      EXPECT_EQ(m.direction, Direction::higher_is_better) << m.id;
      EXPECT_EQ(m.unit, "%") << m.id;
    }
    if (m.id.find("-latency-") != std::string::npos) {
      EXPECT_FALSE(m.gates) << m.id;
    }
    if (m.id == "vmstat.thp_fault_fallback") {
      EXPECT_TRUE(m.gates);
    }
  }
}

TEST(MetricCatalog, TracepointFiguresAndUnavailableOnes) {
  auto record = iteration_of(nlohmann::json::parse(R"({
    "elapsed_s": 10.0,
    "phases": [{"workloads": [{"instance": "w", "process": {"user_s": 1.0, "sys_s": 2.0}}]}],
    "tracepoints_json": {"schema_version": 1, "scopes": {"system": {
      "contexts": {"direct_reclaim": {"stalls": {"available": true, "count": 4, "total_ns": 1000000000},
                                      "writes": {"available": false, "reason": "not available on this kernel"}}},
      "kswapd": {"awake": {"available": true, "total_ns": 2500000000}}}}}})"));
  auto catalog = build_catalog({&record});
  auto value = [&](const std::string& id) -> std::optional<double> {
    for (const auto& m : catalog)
      if (m.id == id) return m.extract(record);
    throw std::runtime_error("no metric " + id);
  };
  EXPECT_EQ(value("tracepoint.direct_reclaims"), 4.0);
  EXPECT_EQ(value("tracepoint.direct_reclaim_stall_ms"), 1000.0);
  EXPECT_FALSE(value("tracepoint.direct_reclaim_write_file"));  // unavailable: n/a, not 0
  EXPECT_DOUBLE_EQ(*value("time.direct_reclaim_pct"), 25.0);    // 1 / (1 + 2 + 1)
  EXPECT_DOUBLE_EQ(*value("time.kswapd_awake_pct"), 25.0);      // 2.5 / 10
  EXPECT_EQ(value("user"), 1.0);
  // Every id is unique: it is the key of configs, JSON and JUnit.
  std::set<std::string> ids;
  for (const auto& m : catalog) EXPECT_TRUE(ids.insert(m.id).second) << m.id;
}

// calibrate: the noise of repeats, as a compare config compare then uses for
// "detectable" instead of the two runs' own spread.
TEST(NoiseCalibration, RepeatsGiveACompareConfigThatDetectableUses) {
  auto calibration = calibrate_noise({load("a"), load("b")});
  EXPECT_EQ(calibration.runs, 2);
  EXPECT_EQ(calibration.iterations, 6);
  EXPECT_EQ(calibration.degrees.at("elapsed"), 4);  // 2 per run: each about its own mean
  EXPECT_GT(calibration.cov_pct.at("elapsed"), 5);
  EXPECT_FALSE(calibration.cov_pct.count("tracepoint.direct_reclaim_stall_ms"));  // not recorded
  auto toml = noise_config_toml(calibration);
  auto config = parse_compare_config(toml, "noise.toml");
  EXPECT_EQ(config.noise_source, "calibration of anon-dirty-quick on 6.18.44-fc-v669 (2 runs, 6 iterations)");
  EXPECT_DOUBLE_EQ(config.noise_cov_pct.at("elapsed"), std::round(calibration.cov_pct.at("elapsed") * 1000) / 1000);
  // A made-up small noise makes small regressions detectable.
  config.noise_cov_pct["elapsed"] = 2;
  auto c = compare_runs({load("ab"), load("ab")}, config);
  EXPECT_EQ(c.noise_source, config.noise_source);
  EXPECT_LT(*metric(c, "elapsed").cells[1].detectable_pct, 10);
  // Runs of another test are refused.
  auto other = load("b");
  other.manifest.test = "kernbench";
  EXPECT_THROW(calibrate_noise({load("a"), other}), Error);
}

TEST(CompareConfig, ErrorsNameFileLineAndKey) {
  auto error_of = [](const std::string& text) {
    try {
      parse_compare_config(text, "compare.toml");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of("alpha = 0.01\nbeta = 2\n"),
            "compare.toml:2:8: error: unknown key \"beta\" (expected alpha, fdr_q, min_iterations, min_effect_pct, "
            "max_lost_events, max_unpaired_ends, noise_source, metric)");
  EXPECT_EQ(error_of("min_iterations = 1\n"),
            "compare.toml:1:18: error: key \"min_iterations\": expected an integer >= 2 (a spread needs two)");
  EXPECT_EQ(error_of("[metric.elapsed]\ngate = true\n"),
            "compare.toml:2:8: error: metric \"elapsed\": unknown key \"gate\" (expected gates, min_effect_pct, "
            "min_effect_abs, noise_cov_pct)");
  EXPECT_EQ(error_of("fdr_q = 0.7\n"), "compare.toml:1:9: error: key \"fdr_q\": expected a rate in (0, 0.5)");
  EXPECT_EQ(error_of("max_lost_events = -1\n"),
            "compare.toml:1:19: error: key \"max_lost_events\": expected a count >= 0");
}

}  // namespace
}  // namespace memharness::analysis

namespace memharness::analysis {
namespace {

// Five iterations whose Elapsed is `base` + 0.01 i, elapsed the only gating metric.
results::StoredRun elapsed_run(const std::string& label, double base, std::optional<int> looks) {
  results::StoredRun run;
  run.path = "/stored/" + label;
  run.manifest.label = label;
  run.manifest.test = "t";
  run.manifest.status = results::RunStatus::complete;
  if (looks)
    run.manifest.iterations = results::IterationCounts{
        .planned = 20,
        .completed = 5,
        .stopped_early = "decided",
        .sequential = results::SequentialDesign{.alpha = 0.01, .alpha_per_look = 0.01 / *looks, .looks = *looks}};
  for (int i = 1; i <= 5; ++i) {
    results::StoredIteration it =
        iteration_of({{"status", "complete"}, {"iteration", i}, {"elapsed_s", base + 0.01 * i}});
    it.number = i;
    run.iterations.push_back(std::move(it));
  }
  return run;
}

// A run that `--iterations auto` stopped looked at its data up to K times, each
// at alpha / K. Compared again later (or by the run itself at its end), its
// iterations are tested at alpha / K too, else "no regression" at the run
// could become a regression in a later compare of the same data.
TEST(Comparison, RunsOfIterationsAutoAreComparedAtTheAlphaOfALook) {
  // Every iteration of B slower than every one of A: 5 vs 5, the smallest
  // permutation p (1/252 one-sided), below 0.01 but not below 0.01 / 5.
  auto config = parse_compare_config("[metric.\"elapsed\"]\ngates = true\nmin_effect_pct = 1\n", "t.toml");
  for (const char* id :
       {"memcg.oom_kill", "psi.full_ms", "vmstat.nr_vmscan_write", "vmstat.thp_fault_fallback", "memcg.psi_full_ms",
        "tracepoint.direct_reclaim_write_file", "tracepoint.direct_reclaim_write_anon",
        "tracepoint.direct_reclaim_stall_ms", "tracepoint.memcg_reclaim_stall_ms"})
    config.metrics[id].gates = false;
  auto fixed = compare_runs({elapsed_run("a", 10.0, std::nullopt), elapsed_run("b", 12.0, std::nullopt)}, config);
  EXPECT_DOUBLE_EQ(fixed.alpha, 0.01);
  EXPECT_EQ(metric(fixed, "elapsed").cells[1].verdict, Verdict::regression);
  EXPECT_EQ(fixed.outcome, Outcome::regression);

  auto looked = compare_runs({elapsed_run("a", 10.0, 5), elapsed_run("b", 12.0, 5)}, config);
  EXPECT_DOUBLE_EQ(looked.alpha, 0.002);
  EXPECT_NE(metric(looked, "elapsed").cells[1].verdict, Verdict::regression);
  EXPECT_NE(looked.outcome, Outcome::regression);
  ASSERT_FALSE(looked.warnings.empty());
  EXPECT_NE(looked.warnings.front().find("up to 5 times: verdicts are at alpha 0.01 / 5 = 0.002"), std::string::npos)
      << looked.warnings.front();
  // One side is enough (a nightly baseline promoted from an auto night).
  EXPECT_DOUBLE_EQ(compare_runs({elapsed_run("a", 10.0, 3), elapsed_run("b", 12.0, std::nullopt)}, config).alpha,
                   0.01 / 3);
}

}  // namespace
}  // namespace memharness::analysis
