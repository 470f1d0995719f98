// compare over 2 runs x ~200 metrics (10 iterations each), rendering included,
// and label resolution over a history of 1000 stored runs.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "harness/analysis/comparison.h"
#include "harness/report/report.h"
#include "harness/results/run_reader.h"

namespace {

using memharness::results::StoredRun;

// A run whose iterations carry the fixed catalog's sources plus enough workload
// metrics to make ~200 metrics in all.
StoredRun synthetic_run(const std::string& label, double shift) {
  StoredRun run;
  run.path = "/synthetic/" + label;
  run.manifest = {{"schema_version", 1}, {"status", "complete"}, {"label", label}, {"test", "bench"}};
  for (int i = 1; i <= 10; ++i) {
    nlohmann::json r = {{"status", "complete"}, {"elapsed_s", 40 + i + shift}};
    nlohmann::json metrics = nlohmann::json::object();
    for (int m = 0; m < 126; ++m) metrics[fmt::format("metric-{}", m)] = 100.0 + m + i + shift;
    r["phases"] = {{{"workloads", {{{"instance", "w"}, {"metrics", metrics},
                                    {"process", {{"user_s", 1.0 + i}, {"sys_s", 2.0 + i}}}}}}}};
    for (const char* c : {"pgscan_kswapd", "pgscan_direct", "pswpout", "nr_vmscan_write", "pgmajfault"})
      r["vmstat_delta"][c] = 1000 * i + shift;
    run.iterations.push_back({i, "complete", std::move(r)});
  }
  return run;
}

void BM_CompareTwoRuns(benchmark::State& state) {
  std::vector<StoredRun> runs = {synthetic_run("a", 0), synthetic_run("b", 1)};
  size_t metrics = 0;
  for (auto _ : state) {
    auto c = memharness::analysis::compare_runs(runs, {});
    metrics = c.metrics.size();
    std::ostringstream out;
    memharness::report::render(out, c, memharness::report::Format::text);
    benchmark::DoNotOptimize(out.str().size());
  }
  state.counters["metrics"] = static_cast<double>(metrics);
}
BENCHMARK(BM_CompareTwoRuns)->Unit(benchmark::kMillisecond);

void BM_ResolveLabelIn1000Runs(benchmark::State& state) {
  namespace fs = std::filesystem;
  auto root = fs::temp_directory_path() / fmt::format("memharness-bench-history-{}", ::getpid());
  fs::remove_all(root);
  for (int i = 0; i < 1000; ++i) {
    auto dir = root / "nightly" / "bench" / fmt::format("2026-01-01T00-00-{:04}Z", i);
    fs::create_directories(dir);
    // The newest 10 are incomplete, so resolution reads 11 manifests.
    std::ofstream(dir / "manifest.json") << fmt::format("{{\"schema_version\": 1, \"status\": \"{}\"}}",
                                                        i >= 990 ? "incomplete" : "complete");
  }
  for (auto _ : state) benchmark::DoNotOptimize(memharness::results::resolve_run("nightly", root));
  fs::remove_all(root);
}
BENCHMARK(BM_ResolveLabelIn1000Runs)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
