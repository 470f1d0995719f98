// Throughput of the ftrace text parser + aggregation (the tracefs fallback
// recorder and import-trace) on a large capture: the 6.1, 6.12 and 6.18
// fixtures repeated to ~64 MiB, fed in 64 KiB chunks as trace_pipe reads
// deliver them. Bytes/s and events/s (items) are what docs/benchmarks.md quotes. Run:
//   build/bench/trace-parser-bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "probes/tracepoints/ftrace_line.h"
#include "probes/tracepoints/text_aggregator.h"

namespace {

std::string fixture(const char* relative) {
  std::ifstream in(std::string(MEMHARNESS_FIXTURE_DIR) + "/tracepoints/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& large_capture() {
  static const std::string capture = [] {
    std::string one = fixture("6.1/trace_pipe.txt") + fixture("6.12/trace_pipe.txt") + fixture("6.18/trace.txt");
    std::string all;
    while (all.size() < (64u << 20)) all += one;
    return all;
  }();
  return capture;
}

void BM_AggregateTracePipeText(benchmark::State& state) {
  const std::string& text = large_capture();
  std::uint64_t events = 0;
  for (auto _ : state) {
    memharness::probes::TextAggregator aggregator(1);
    for (std::size_t at = 0; at < text.size(); at += 65536) aggregator.feed(std::string_view(text).substr(at, 65536));
    aggregator.flush();
    events = aggregator.stats().events;
    benchmark::DoNotOptimize(aggregator.aggregates());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  state.counters["MiB"] = static_cast<double>(text.size()) / (1 << 20);
}
BENCHMARK(BM_AggregateTracePipeText)->Unit(benchmark::kMillisecond)->MinTime(3);

// The line splitter and header parser alone, without aggregation.
void BM_ParseLinesOnly(benchmark::State& state) {
  const std::string& text = large_capture();
  for (auto _ : state) {
    std::size_t events = 0;
    std::string_view rest(text);
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      auto line = memharness::probes::parse_ftrace_line(rest.substr(0, nl));
      events += line.kind == memharness::probes::FtraceLineKind::event;
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseLinesOnly)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace

BENCHMARK_MAIN();
