// A run directory (manifest.json, iterations/N/result.json, tracepoints.json,
// timeseries.csv) through the reader and everything `memharness report` and
// `compare` do with it: the comparison of the run alone and against itself,
// rendered in every format that needs no external program (html needs gnuplot).
//
// Input: files, each introduced by a line "== RELATIVE-PATH", e.g.
//   == manifest.json
//   {...}
//   == iterations/1/result.json
//   {...}
// Paths other than manifest.json and iterations/NAME/{result.json,
// tracepoints.json,timeseries.csv} (NAME: 1-20 letters or digits, so "01" and
// "99999999999" are reachable) are ignored, so nothing is written outside the
// fuzzer's scratch directory.
#include <ostream>
#include <regex>
#include <sstream>

#include "fuzz/fuzz_input.h"
#include "harness/analysis/comparison.h"
#include "harness/report/report.h"
#include "harness/report/timeseries.h"
#include "harness/results/run_reader.h"

namespace {

namespace fs = std::filesystem;
using namespace memharness;

bool allowed(const std::string& path) {
  static const std::regex pattern(
      R"(manifest\.json|iterations/[0-9A-Za-z]{1,20}/(result\.json|tracepoints\.json|timeseries\.csv))");
  return std::regex_match(path, pattern);
}

// Writes the input's files below the scratch directory's run/; returns it.
fs::path write_run(std::string_view input) {
  fuzz::clear_scratch_directory();
  fs::path run = fs::path("run");
  fs::create_directories(fuzz::scratch_directory() / run);
  constexpr std::string_view marker = "== ";
  std::size_t pos = input.starts_with(marker) ? 0 : input.find("\n== ");
  while (pos != std::string_view::npos) {
    std::size_t name_begin = pos + (input[pos] == '\n' ? 1 : 0) + marker.size();
    std::size_t name_end = input.find('\n', name_begin);
    if (name_end == std::string_view::npos) break;
    std::size_t next = input.find("\n== ", name_end);
    std::string name(input.substr(name_begin, name_end - name_begin));
    std::string_view content =
        input.substr(name_end + 1, next == std::string_view::npos ? std::string_view::npos : next - name_end - 1);
    if (allowed(name)) fuzz::write_scratch_file(run / name, content);
    pos = next;
  }
  return fuzz::scratch_directory() / run;
}

void render_all(const analysis::Comparison& comparison) {
  std::ostringstream out;
  for (auto format : {report::Format::text, report::Format::markdown, report::Format::json, report::Format::junit})
    report::render(out, comparison, format);
}

void plot_series(const fs::path& run) {
  std::error_code ec;
  for (const auto& iteration : fs::directory_iterator(run / "iterations", ec)) {
    auto series = report::read_timeseries(iteration.path() / "timeseries.csv");
    if (!series) continue;
    report::free_memory_mib(*series);
    report::scan_rate_pages_s(*series);
    report::stall_ms_per_s(*series);
    report::psi_avg10(*series, "some");
    report::psi_avg10(*series, "full");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fs::path dir = write_run(fuzz::as_text(data, size));
  fuzz::expect_only_clear_errors([&] {
    auto run = results::read_run(dir);
    run.label();
    run.test();
    run.status();
    run.kernel_release();
    render_all(analysis::compare_runs({run}, {}));
    if (!run.complete_iterations().empty()) {
      analysis::environment_differences({run, run});
      render_all(analysis::compare_runs({run, run}, {}));
    }
  });
  fuzz::expect_only_clear_errors([&] { plot_series(dir); });
  return 0;
}
