#include "probes/tracepoints/trace_import.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/system/system_root.h"
#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/text_aggregator.h"

namespace memharness::probes {

namespace {

using json = nlohmann::json;

// Where the events/ directory is below `dir`: a tracefs itself, or a tree
// holding sys/kernel/tracing/ (as the fixtures do).
std::string tracefs_below(const std::filesystem::path& dir) {
  if (std::filesystem::is_directory(dir / "events")) return "";
  if (std::filesystem::is_directory(dir / "sys/kernel/tracing/events")) return std::string(kTracefsMountPoint);
  throw usage_error("--events {}: no events/ (or sys/kernel/tracing/events/) directory there", dir.string());
}

std::string format_name(TraceFormat format) { return format == TraceFormat::trace_cmd ? "trace-cmd" : "trace_pipe"; }

}  // namespace

json import_trace(std::istream& in, const std::string& source, const TraceImportOptions& options) {
  std::map<std::string, bool> available;
  CompactionStatusValues statuses = default_compaction_statuses();
  if (options.events_root) {
    system::SystemRoot events(*options.events_root);
    std::string tracefs = tracefs_below(*options.events_root);
    available = tracepoint_availability(events, tracefs);
    if (auto format = events.try_read(tracefs + "/events/compaction/mm_compaction_end/format")) {
      auto from_file = compaction_statuses_from_format(*format);
      if (!from_file.empty()) statuses = std::move(from_file);
    }
  } else {
    for (const auto& spec : reclaim_tracepoints()) available[spec.name()] = true;
  }

  TextAggregator text(options.root_pid.value_or(0), std::move(statuses));
  std::array<char, 1 << 20> chunk{};
  bool first_chunk = true;
  TraceFormat format = options.format;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    std::string_view data(chunk.data(), got);
    if (first_chunk && format == TraceFormat::automatic) {
      auto start = data.find_first_not_of(" \t\n");
      format = start != std::string_view::npos && data.substr(start).rfind("cpus=", 0) == 0 ? TraceFormat::trace_cmd
                                                                                            : TraceFormat::trace_pipe;
    }
    first_chunk = false;
    text.feed(data);
    // Stop at once: reading on would only be more of what is not a capture.
    if (const auto& overlong = text.stats().first_overlong_line)
      throw usage_error(
          "{}:{}: byte offset {}: a line longer than {} bytes: not ftrace text (trace_pipe or "
          "trace-cmd report output has short lines)",
          source, overlong->line, overlong->byte_offset, TextAggregator::kMaxLineBytes);
  }
  if (in.bad()) throw usage_error("{}: read error", source);
  text.flush();
  const auto& stats = text.stats();
  if (stats.events + stats.other_events == 0) {
    const TextCaptureStats::Problem* first = nullptr;
    std::string what;
    for (const auto& [problem, p] : stats.unparsable)
      if (!first || p.first_line < first->first_line) {
        first = &p;
        what = problem;
      }
    if (!first) throw usage_error("{}: no ftrace event lines in it (it is empty or all comments)", source);
    throw usage_error("{}:{}: no ftrace event lines in it, expected trace_pipe or trace-cmd report output ({})", source,
                      first->first_line, what);
  }
  if (format == TraceFormat::automatic) format = TraceFormat::trace_pipe;

  RecorderDescription description{
      .recorder = "import",
      .attribution = "tgid-tree",
      .root_tgid = options.root_pid.value_or(0),
      .workload_cgroup_id = std::nullopt,
      .recorded_s = stats.first_ns && stats.last_ns ? static_cast<double>(*stats.last_ns - *stats.first_ns) / 1e9 : 0,
  };
  json doc = aggregates_json(text.aggregates(), available, description);
  doc["capture"] = capture_json(stats, format_name(format));
  doc["capture"]["source"] = source;
  doc["capture"]["event_availability"] = options.events_root ? "from " + options.events_root->string()
                                                             : "assumed: every event the recorder uses was enabled";
  doc["lost_events"] = {{"count", stats.lost_events}, {"source", "[LOST N EVENTS] markers in the capture"}};
  if (!options.root_pid) {
    doc["attribution"] = {{"method", "none"}};
    doc["scopes"]["workload"] = {
        {"available", false},
        {"reason", "not attributable: no --root-pid given (whose descendants are the workloads)"}};
  }
  return doc;
}

json import_trace_file(const std::filesystem::path& file, const TraceImportOptions& options) {
  if (file == "-") return import_trace(std::cin, "<stdin>", options);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw usage_error("{}: cannot open: {}", file.string(), std::strerror(errno));
  if (std::filesystem::is_directory(file))
    throw usage_error("{}: is a directory, expected a trace file", file.string());
  return import_trace(in, file.string(), options);
}

namespace {

std::string figure(const json& f, const char* key, double scale = 1.0, int decimals = 0) {
  if (!f.is_object() || !f.value("available", false) || !f.contains(key)) return "n/a";
  if (scale == 1.0 && decimals == 0) return fmt::format("{}", f[key].get<std::uint64_t>());
  return fmt::format("{:.{}f}", f[key].get<double>() * scale, decimals);
}

void scope_report(std::ostringstream& out, const json& scope, const std::string& name) {
  out << fmt::format("\n{} scope\n", name);
  if (!scope.value("available", true)) {
    out << "  " << scope.value("reason", "not available") << '\n';
    return;
  }
  out << fmt::format("  {:<18} {:>8} {:>12} {:>10} {:>12} {:>12} {:>8} {:>8}\n", "context", "stalls", "stall ms",
                     "max ms", "scanned", "reclaimed", "wr file", "wr anon");
  for (const auto& [context, c] : scope["contexts"].items()) {
    if (!c.value("available", true)) {
      out << fmt::format("  {:<18} {}\n", context, c.value("reason", ""));
      continue;
    }
    const json none;
    const json& stalls = c.contains("stalls") ? c["stalls"] : none;
    out << fmt::format(
        "  {:<18} {:>8} {:>12} {:>10} {:>12} {:>12} {:>8} {:>8}\n", context,
        stalls.is_null() ? "-" : figure(stalls, "count"), stalls.is_null() ? "-" : figure(stalls, "total_ns", 1e-6, 3),
        stalls.is_null() ? "-" : figure(stalls, "max_ns", 1e-6, 3), figure(c["reclaim"], "pages_scanned"),
        figure(c["reclaim"], "pages_reclaimed"), figure(c["writes"], "file"), figure(c["writes"], "anon"));
  }
  const auto& k = scope["kswapd"];
  out << fmt::format("  kswapd wake requests {}", figure(k["wake_requests"], "count"));
  if (k.contains("wakeups"))
    out << fmt::format(", wakeups {}, awake {} ms", figure(k["wakeups"], "count"),
                       figure(k["awake"], "total_ns", 1e-6, 3));
  out << '\n';
  if (scope["throttled"].value("available", false)) {
    out << "  throttled";
    for (const auto& [reason, r] : scope["throttled"]["by_reason"].items())
      out << fmt::format(" {} {} ({} us)", reason, r["count"].get<std::uint64_t>(), r["delay_us"].get<std::uint64_t>());
    out << '\n';
  } else {
    out << "  throttled: " << scope["throttled"].value("reason", "n/a") << '\n';
  }
  const auto& comp = scope["compaction"];
  out << fmt::format("  compaction: direct {}, migrated {}, failed {}, deferred {}\n",
                     figure(comp["direct_compactions"], "count"), figure(comp["migrate"], "pages_migrated"),
                     figure(comp["migrate"], "pages_failed"), figure(comp["deferred"], "count"));
  out << fmt::format("  dirty throttling: {} pauses, {} ms; unpaired ends {}\n",
                     figure(scope["dirty_throttle"], "pauses"), figure(scope["dirty_throttle"], "pause_ms"),
                     scope["pairing"]["unpaired_ends"].get<std::uint64_t>());
}

}  // namespace

std::string import_report_text(const json& doc, const std::string& source) {
  std::ostringstream out;
  const auto& cap = doc["capture"];
  out << fmt::format("{}: {} format, {} lines, {} events used, {} other events, {:.3f} s\n", source,
                     cap["format"].get<std::string>(), cap["lines"].get<std::uint64_t>(),
                     cap["events"].get<std::uint64_t>(), cap["other_events"].get<std::uint64_t>(),
                     cap["span_s"].get<double>());
  out << fmt::format("lost events: {}; unparsable lines: {}\n", doc["lost_events"]["count"].get<std::uint64_t>(),
                     cap["unparsable_lines"].get<std::uint64_t>());
  for (const auto& [what, p] : cap["unparsable"].items())
    out << fmt::format("  {} x {} (first at line {}: {})\n", p["count"].get<std::uint64_t>(), what,
                       p["first_line"].get<std::uint64_t>(), p["example"].get<std::string>());
  out << "events:";
  for (const auto& [name, n] : cap["per_event"].items()) out << fmt::format(" {} {}", name, n.get<std::uint64_t>());
  out << '\n';
  scope_report(out, doc["scopes"]["system"], "system");
  scope_report(out, doc["scopes"]["workload"], "workload");
  return out.str();
}

}  // namespace memharness::probes
