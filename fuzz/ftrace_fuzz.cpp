// ftrace text (trace_pipe / trace output, or `trace-cmd report`) through the
// line parser, the aggregator and the report, as `memharness import-trace`
// reads it. The workload root is the one of the fixture captures, so the
// workload scope's fork/exit tracking is exercised too.
#include <sstream>

#include "fuzz/fuzz_input.h"
#include "probes/tracepoints/trace_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memharness::fuzz::expect_only_clear_errors([&] {
    std::istringstream in(std::string(memharness::fuzz::as_text(data, size)));
    memharness::probes::TraceImportOptions options;
    options.root_pid = 24393;  // tests/fixtures/tracepoints/6.18/root_tgid
    auto doc = memharness::probes::import_trace(in, "fuzz/trace.txt", options);
    memharness::probes::import_report_text(doc, "fuzz/trace.txt");
    doc.dump();  // what --json and --output write
  });
  return 0;
}
