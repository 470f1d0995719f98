// compare over 2 runs x ~200 metrics (10 iterations each), rendering included;
// compare over a history of 1000 stored runs read from disk (run directories
// made from the committed fixture's real iteration records); label resolution
// among 1000 runs; and the HTML page of the fixtures (gnuplot included).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness/analysis/comparison.h"
#include "harness/report/compare_runs.h"
#include "harness/report/report.h"
#include "harness/results/run_reader.h"

namespace {

using memharness::results::StoredRun;

// A run whose iterations carry the fixed catalog's sources plus enough workload
// metrics to make ~200 metrics in all.
StoredRun synthetic_run(const std::string& label, double shift) {
  StoredRun run;
  run.path = "/synthetic/" + label;
  run.manifest.status = memharness::results::RunStatus::complete;
  run.manifest.label = label;
  run.manifest.test = "bench";
  for (int i = 1; i <= 10; ++i) {
    nlohmann::json r = {{"status", "complete"}, {"elapsed_s", 40 + i + shift}};
    nlohmann::json metrics = nlohmann::json::object();
    for (int m = 0; m < 126; ++m) metrics[fmt::format("metric-{}", m)] = 100.0 + m + i + shift;
    r["phases"] = {
        {{"workloads",
          {{{"instance", "w"}, {"metrics", metrics}, {"process", {{"user_s", 1.0 + i}, {"sys_s", 2.0 + i}}}}}}}};
    for (const char* c : {"pgscan_kswapd", "pgscan_direct", "pswpout", "nr_vmscan_write", "pgmajfault"})
      r["vmstat_delta"][c] = static_cast<std::int64_t>(1000 * i + shift);  // counters are whole numbers
    memharness::results::StoredIteration it;
    it.number = i;
    it.record = memharness::results::parse_iteration_record(r, "result.json");
    run.iterations.push_back(std::move(it));
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

namespace fs = std::filesystem;
const fs::path fixture_runs = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs";
const fs::path fixture_run = fixture_runs / "results/a/anon-dirty-quick/2026-11-22T04-54-45Z";

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// results/nightly/anon-dirty-quick/<1000 timestamps>/: the fixture run's manifest
// and its 3 real iteration records (result.json, ~9 KB each), elapsed time
// varied per run, so every run has the ~90 metrics of a real anon-dirty run.
class History {
 public:
  explicit History(int runs)
      : root_(fs::temp_directory_path() / fmt::format("memharness-bench-compare-{}", ::getpid())) {
    fs::remove_all(root_);
    auto manifest = read_json(fixture_run / "manifest.json");
    manifest["label"] = "nightly";
    std::vector<nlohmann::json> iterations;
    for (int i = 1; i <= 3; ++i)
      iterations.push_back(read_json(fixture_run / "iterations" / std::to_string(i) / "result.json"));
    for (int r = 0; r < runs; ++r) {
      auto dir = root_ / "nightly" / "anon-dirty-quick" / fmt::format("2026-01-01T00-00-{:04}Z", r);
      for (int i = 1; i <= 3; ++i) {
        auto it = iterations[static_cast<size_t>(i - 1)];
        it["elapsed_s"] = it["elapsed_s"].get<double>() * (1 + 0.001 * (r % 17));
        fs::create_directories(dir / "iterations" / std::to_string(i));
        std::ofstream(dir / "iterations" / std::to_string(i) / "result.json") << it.dump();
      }
      std::ofstream(dir / "manifest.json") << manifest.dump();
      dirs_.push_back(dir);
    }
  }
  ~History() { fs::remove_all(root_); }
  History(const History&) = delete;
  History& operator=(const History&) = delete;
  const std::vector<fs::path>& dirs() const { return dirs_; }

 private:
  fs::path root_;
  std::vector<fs::path> dirs_;
};

// Every run of the history in one comparison (the oldest the baseline), read
// from disk, rendered as JSON (1000 columns are for programs, not for text).
void BM_CompareHistoryOf1000Runs(benchmark::State& state) {
  History history(1000);
  size_t bytes = 0, metrics = 0;
  for (auto _ : state) {
    std::ostringstream out, warnings;
    auto outcome =
        memharness::report::compare_run_directories(history.dirs(), memharness::report::Format::json, out, warnings);
    bytes = out.str().size();
    metrics = outcome.comparison.metrics.size();
  }
  state.counters["runs"] = 1000;
  state.counters["metrics"] = static_cast<double>(metrics);
  state.counters["json_MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_CompareHistoryOf1000Runs)->Unit(benchmark::kMillisecond)->Iterations(3);

// The newest run against each of the 999 before it, text rendered each time:
// what a per-commit regression check over the history does.
void BM_CompareNewestWithEachOf999(benchmark::State& state) {
  History history(1000);
  const auto& dirs = history.dirs();
  for (auto _ : state) {
    size_t bytes = 0;
    for (size_t i = 0; i + 1 < dirs.size(); ++i) {
      std::ostringstream out, warnings;
      memharness::report::compare_run_directories({dirs[i], dirs.back()}, memharness::report::Format::text, out,
                                                  warnings);
      bytes += out.str().size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["comparisons"] = 999;
}
BENCHMARK(BM_CompareNewestWithEachOf999)->Unit(benchmark::kMillisecond)->Iterations(3);

// The HTML page of the three fixture runs: 14 metric plots and 12 time series
// through one gnuplot process.
void BM_HtmlThreeFixtureRuns(benchmark::State& state) {
  std::vector<fs::path> dirs;
  for (const char* label : {"a", "b", "c-regressed"})
    dirs.push_back(memharness::results::resolve_run(label, fixture_runs / "results"));
  size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out, warnings;
    memharness::report::compare_run_directories(dirs, memharness::report::Format::html, out, warnings);
    bytes = out.str().size();
  }
  state.counters["html_KB"] = static_cast<double>(bytes) / 1e3;
}
BENCHMARK(BM_HtmlThreeFixtureRuns)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
