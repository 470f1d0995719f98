#pragma once
// One line of ftrace text output, as trace_pipe / trace print it and as
// `trace-cmd report` prints it:
//
//   trace_pipe   "          dd-4242    [001] d..1.  5678.123456: mm_vmscan_memcg_reclaim_begin: order=0 ..."
//   record-tgid  "          dd-4242    (   4242) [001] d..1.  5678.123456: ..."   ("(-------)": unknown)
//   trace-cmd    "          dd-4242  [001]  5678.123456789: mm_vmscan_memcg_reclaim_begin: order=0 ..."
//   lost         "CPU:1 [LOST 123 EVENTS]"  (trace_pipe), "CPU: 1 [LOST 123 EVENTS]" (trace-cmd)
//
// The latency flags ("d..1." on 6.x, "d..1" before, none without irq-info) are
// optional; the timestamp has 6 (trace clocks in µs) to 9 digits after the
// point. A comm may hold spaces and dashes, so the pid is the number after the
// last dash before the [cpu] field. Views point into the caller's line.
#include <cstdint>
#include <optional>
#include <string_view>

namespace memharness::probes {

struct FtraceEvent {
  std::string_view comm;
  std::int64_t pid = 0;              // the thread (what the kernel calls pid)
  std::optional<std::int64_t> tgid;  // with options/record-tgid, when known
  int cpu = 0;
  std::uint64_t timestamp_ns = 0;
  std::string_view name;    // "mm_vmscan_memcg_reclaim_begin" (no subsystem)
  std::string_view fields;  // everything after "name: "
};

enum class FtraceLineKind {
  event,
  ignorable,  // empty, "#" comments, trace-cmd's "cpus=N" / "version = 6" headers
  lost,       // a "[LOST N EVENTS]" marker
  malformed,
};

struct FtraceLine {
  FtraceLineKind kind = FtraceLineKind::malformed;
  FtraceEvent event;
  std::uint64_t lost_events = 0;  // kind == lost
  std::string_view problem;       // kind == malformed: what was expected (a static string)
};

FtraceLine parse_ftrace_line(std::string_view line);

// Fields of an event's text, "key=value" separated by spaces, as the events'
// print fmt writes them. `key` matches at the start or after a space.
std::optional<std::string_view> field_text(std::string_view fields, std::string_view key);
// A decimal (optionally negative) or 0x-hex integer field.
std::optional<std::int64_t> field_integer(std::string_view fields, std::string_view key);
// The last occurrence of `key` (for fields after a free-text comm: child_pid=, group_dead=).
std::optional<std::string_view> last_field_text(std::string_view fields, std::string_view key);

// "5678.123456" -> 5678123456000 ns; nullopt when not a decimal timestamp.
std::optional<std::uint64_t> parse_timestamp_ns(std::string_view text);

}  // namespace memharness::probes
