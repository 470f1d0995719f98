#pragma once
// `memharness import-trace`: the recorder's aggregates and report from an
// existing ftrace text capture (trace_pipe / trace output, or `trace-cmd
// report`), so old captures can be analysed like new runs. The file is
// streamed through the same TextAggregator as the tracefs fallback recorder.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace memharness::probes {

enum class TraceFormat { automatic, trace_pipe, trace_cmd };

struct TraceImportOptions {
  TraceFormat format = TraceFormat::automatic;
  // The process whose descendants are the workloads (as the harness is in a
  // run); without it the workload scope is "not available".
  std::optional<std::int64_t> root_pid;
  // A directory holding events/<subsystem>/<event>/format (a tracefs, or a
  // copy of one from the kernel that was traced): which events that kernel
  // had, and its compaction status numbers. Without it every event the
  // recorder uses is taken to have been enabled in the capture.
  std::optional<std::filesystem::path> events_root;
};

// The tracepoints.json document of the capture read from `in` (named `source`
// in messages), with "recorder": "import" and "capture" (format, lines,
// unparsable lines by reason with the first line number and an example).
// Throws Error(usage) when nothing in it is an ftrace event line, or when the
// lines do not look like the --format that was asked for.
nlohmann::json import_trace(std::istream& in, const std::string& source, const TraceImportOptions& options);
nlohmann::json import_trace_file(const std::filesystem::path& file, const TraceImportOptions& options);

// The report of an imported document: what was parsed (with the unparsable
// lines by reason) and the figures per scope and context.
std::string import_report_text(const nlohmann::json& document, const std::string& source);

}  // namespace memharness::probes
