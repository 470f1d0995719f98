#pragma once
// The BPF program's aggregation (probes/bpf/reclaim.bpf.c), done in user space
// on ftrace text: the tracefs fallback recorder and `memharness import-trace`
// feed it lines and get the same RawAggregates, hence the same
// tracepoints.json. Streaming: chunks of any size go in, memory stays bounded
// by the open begin/end pairs and the tracked processes, never by the capture.
//
// Where text lacks what BPF reads from the task: kswapd is the thread whose
// comm starts with "kswapd" or that emitted mm_vmscan_kswapd_wake/sleep (BPF:
// PF_KSWAPD); kcompactd is the comm "kcompactd*" (as in BPF); the workload
// scope follows fork/exit of the tgid tree like the BPF map does, keyed on the
// line's tgid when the capture has record-tgid and on the thread's pid when not.
// cgroup-id attribution is not possible from text.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/ftrace_line.h"

namespace memharness::probes {

// enum compact_result value by the name mm_compaction_end prints ("complete");
// the kernel's own numbers come from the event's format file
// (__print_symbolic(REC->status, {5, "complete"}, ...)).
using CompactionStatusValues = std::map<std::string, int, std::less<>>;
// The values of every kernel from 6.1 to 6.18 (include/linux/compaction.h).
const CompactionStatusValues& default_compaction_statuses();
// The pairs of a mm_compaction_end format file; empty when it has none.
CompactionStatusValues compaction_statuses_from_format(std::string_view format_file);

// The events the aggregates use (mm_vmscan_*, mm_compaction_*,
// balance_dirty_pages, sched_process_fork/exit), by name in text_aggregator.cpp.
inline constexpr std::size_t kTextEventNames = 24;
enum class TextEvent : std::uint8_t;

// What the text looked like, for the report and tracepoints.json's "capture".
struct TextCaptureStats {
  std::uint64_t lines = 0;
  std::uint64_t events = 0;        // lines of an event the recorder uses
  std::uint64_t other_events = 0;  // well-formed lines of other events (ignored)
  std::uint64_t lost_events = 0;   // sum of "[LOST N EVENTS]" markers
  std::uint64_t bytes = 0;
  std::array<std::uint64_t, kTextEventNames> per_event_index{};  // lines of each event used
  std::map<std::string, std::uint64_t> per_event() const;        // the same, by name (non-zero only)
  struct Problem {
    std::uint64_t count = 0;
    std::uint64_t first_line = 0;  // 1-based
    std::string example;           // the first such line (truncated, invalid UTF-8 replaced)
  };
  std::map<std::string, Problem> unparsable;  // by what was wrong
  std::uint64_t unparsable_lines() const;
  std::optional<std::uint64_t> first_ns, last_ns;
  // A line longer than TextAggregator::kMaxLineBytes (also counted in
  // unparsable): where the first one started, 1-based line and byte offset.
  struct Position {
    std::uint64_t line = 0;
    std::uint64_t byte_offset = 0;
  };
  std::optional<Position> first_overlong_line;
  bool saw_tgid = false;  // record-tgid lines: attribution by tgid
};

class TextAggregator {
 public:
  // root_tgid: the process whose descendants are the workloads (0: none).
  explicit TextAggregator(std::int64_t root_tgid, CompactionStatusValues statuses = default_compaction_statuses());

  // No ftrace line comes near this (the kernel prints an event into one page);
  // a longer "line" is not ftrace text, and keeping it whole would let a file
  // without newlines fill memory. Its first kMaxLineBytes are the example of an
  // unparsable line, the rest is dropped up to the next newline.
  static constexpr std::size_t kMaxLineBytes = 64 * 1024;
  static constexpr std::string_view kOverlongLine = "line longer than 65536 bytes";

  // Any chunk of text; lines are cut at '\n' (a partial one waits for the next
  // chunk, up to kMaxLineBytes).
  void feed(std::string_view chunk);
  // One complete line (without or with its '\n').
  void add_line(std::string_view line);
  // The partial last line, if any, as a line.
  void flush();

  // The aggregates so far; kswapd intervals still open are counted up to end_ns
  // (or the last timestamp seen) and reported in kswapd_open_intervals.
  RawAggregates aggregates(std::optional<std::uint64_t> end_ns = std::nullopt) const;
  const TextCaptureStats& stats() const noexcept { return stats_; }

 private:
  enum class Stall : std::uint8_t { direct = 1, memcg = 2, compaction = 3 };
  void handle(const FtraceEvent& ev, TextEvent event);
  void problem(std::string_view what, std::string_view line);
  void overlong_line();
  bool is_workload(const FtraceEvent& ev) const;
  int reclaim_context(const FtraceEvent& ev) const;
  void stall_begin(const FtraceEvent& ev, Stall kind, int context);
  void stall_end(const FtraceEvent& ev, Stall kind, int context);
  template <typename F>
  void for_scopes(bool workload, F&& f);

  std::int64_t root_tgid_;
  CompactionStatusValues statuses_;
  RawAggregates raw_{};
  TextCaptureStats stats_;
  std::string partial_;
  bool skipping_overlong_ = false;       // dropping the rest of an overlong line
  std::uint64_t line_start_offset_ = 0;  // byte offset of the line in partial_
  std::uint64_t line_number_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> open_stalls_;  // (pid << 8 | kind) -> begin ns
  std::unordered_set<std::int64_t> tracked_;                      // workload tgids (and thread ids)
  std::unordered_set<std::int64_t> kswapd_pids_;
  std::array<std::uint64_t, MH_MAX_NODES> kswapd_awake_since_{};
  std::string_view current_line_;
};

// The "capture" member of a tracepoints.json made from text: format, counts,
// lost events and unparsable lines by reason.
nlohmann::json capture_json(const TextCaptureStats& stats, std::string_view format);

}  // namespace memharness::probes
