// Cost of what the harness does at every sample interval and snapshot, so that
// sampling at 100 ms stays far below the work it observes. Run:
//   build/bench/samplers-bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/fragmentation.h"
#include "harness/system/procfs/meminfo.h"
#include "harness/system/procfs/vmstat.h"
#include "harness/system/system_root.h"
#include "probes/samplers/snapshot.h"
#include "probes/samplers/timeseries_sampler.h"

namespace {

std::string fixture(const char* relative) {
  std::ifstream in(std::string(MEMHARNESS_FIXTURE_DIR) + "/kernels/6.18/proc/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_ParseVmstat(benchmark::State& state) {
  const std::string text = fixture("vmstat");
  for (auto _ : state) benchmark::DoNotOptimize(memharness::system::procfs::parse_vmstat(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseVmstat);

void BM_ParseMeminfo(benchmark::State& state) {
  const std::string text = fixture("meminfo");
  for (auto _ : state) benchmark::DoNotOptimize(memharness::system::procfs::parse_meminfo(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseMeminfo);

void BM_FragmentationIndices(benchmark::State& state) {
  const auto zones = memharness::system::procfs::parse_buddyinfo(fixture("buddyinfo"));
  for (auto _ : state) benchmark::DoNotOptimize(memharness::system::procfs::fragmentation_indices(zones));
}
BENCHMARK(BM_FragmentationIndices);

// A whole system snapshot of the live machine (reads and parses /proc).
void BM_LiveSnapshot(benchmark::State& state) {
  memharness::system::SystemRoot root("/");
  for (auto _ : state) benchmark::DoNotOptimize(memharness::probes::take_snapshot(root, nullptr));
}
BENCHMARK(BM_LiveSnapshot)->Unit(benchmark::kMicrosecond);

// One time-series row of the live system: what every sample interval costs.
void BM_LiveTimeSeriesSample(benchmark::State& state) {
  memharness::system::SystemRoot root("/");
  memharness::probes::TimeSeriesSampler sampler(root, nullptr, "/dev/null", std::chrono::seconds(1));
  for (auto _ : state) benchmark::DoNotOptimize(sampler.sample_row(1.0));
}
BENCHMARK(BM_LiveTimeSeriesSample)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
