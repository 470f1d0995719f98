// The ftrace text parser and the text aggregation (the tracefs fallback
// recorder and import-trace), on hand-written lines of every event and on
// captures from real kernels: Debian's 6.1 and 6.12 (booted under qemu by
// tests/fixtures/capture/capture-guest-fixtures.sh with TRACEPOINTS=1) and the
// 6.18 development host (capture-host-trace.sh). The expected figures of the
// captures were counted independently with awk (tests/fixtures/tracepoints/README.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "harness/system/system_root.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/ftrace_line.h"
#include "probes/tracepoints/text_aggregator.h"
#include "probes/tracepoints/tracefs_recorder.h"

namespace memharness::probes {
namespace {

std::filesystem::path fixtures() { return std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "tracepoints"; }

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << file;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::int64_t root_tgid_618() { return std::stoll(slurp(fixtures() / "6.18" / "root_tgid")); }

TEST(FtraceLine, TracePipeWithRecordTgid) {
  auto line = parse_ftrace_line(
      "              dd-24394   (  24394) [001] .N...  1172.180012: mm_vmscan_lru_shrink_inactive: nid=0 "
      "nr_scanned=256 nr_reclaimed=0 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC\n");
  ASSERT_EQ(line.kind, FtraceLineKind::event) << line.problem;
  EXPECT_EQ(line.event.comm, "dd");
  EXPECT_EQ(line.event.pid, 24394);
  EXPECT_EQ(line.event.tgid, 24394);
  EXPECT_EQ(line.event.cpu, 1);
  EXPECT_EQ(line.event.timestamp_ns, 1172180012000ULL);
  EXPECT_EQ(line.event.name, "mm_vmscan_lru_shrink_inactive");
  EXPECT_EQ(field_integer(line.event.fields, "nr_scanned"), 256);
  EXPECT_EQ(field_integer(line.event.fields, "nid"), 0);
  EXPECT_EQ(field_text(line.event.fields, "flags"), "RECLAIM_WB_FILE|RECLAIM_WB_ASYNC");
  EXPECT_FALSE(field_integer(line.event.fields, "scanned"));  // a key matches whole words only
}

TEST(FtraceLine, TraceCmdReportAndOlderFormats) {
  // trace-cmd report: no flags, no tgid, nanoseconds, padded event name.
  auto tc = parse_ftrace_line(
      "            bash-24385 [001]  1171.822360123: sched_process_fork:   comm=bash pid=24385 "
      "child_comm=bash child_pid=24393");
  ASSERT_EQ(tc.kind, FtraceLineKind::event) << tc.problem;
  EXPECT_EQ(tc.event.pid, 24385);
  EXPECT_FALSE(tc.event.tgid);
  EXPECT_EQ(tc.event.timestamp_ns, 1171822360123ULL);
  EXPECT_EQ(tc.event.name, "sched_process_fork");
  EXPECT_EQ(last_field_text(tc.event.fields, "child_pid"), "24393");
  // 4 latency flags (before 5.x's migrate-disable column), a comm with spaces
  // and dashes, an unknown tgid.
  auto old = parse_ftrace_line(" kworker/u4:2-my job-77 (-------) [000] d..1   12.5: mm_vmscan_kswapd_sleep: nid=0");
  ASSERT_EQ(old.kind, FtraceLineKind::event) << old.problem;
  EXPECT_EQ(old.event.comm, "kworker/u4:2-my job");
  EXPECT_EQ(old.event.pid, 77);
  EXPECT_FALSE(old.event.tgid);
  EXPECT_EQ(old.event.timestamp_ns, 12'500'000'000ULL);
  EXPECT_EQ(field_integer("pfn=0x1f2e", "pfn"), 0x1f2e);
  EXPECT_EQ(field_integer("pause=-3 x=1", "pause"), -3);
}

// Numbers at the edges of their types are read or refused, never wrapped:
// a timestamp past 2^64 ns (18446744073.709551615 s) would otherwise become a
// small time and turn a 1 s stall into 0 (issue 12's measured case).
TEST(FtraceLine, NumbersAtTheirLimitsAreReadOrRefusedNeverWrapped) {
  EXPECT_EQ(parse_timestamp_ns("18446744073.709551615"), 18'446'744'073'709'551'615ULL);
  EXPECT_FALSE(parse_timestamp_ns("18446744073.709551616"));
  EXPECT_FALSE(parse_timestamp_ns("18446744074.5"));
  EXPECT_FALSE(parse_timestamp_ns("99999999999999999999.5"));  // seconds alone overflow
  EXPECT_FALSE(parse_timestamp_ns("-1.5"));
  auto past = parse_ftrace_line("dd-1 [000] ..... 18446744074.500000: mm_vmscan_memcg_reclaim_end: nr_reclaimed=1");
  EXPECT_EQ(past.kind, FtraceLineKind::malformed);
  EXPECT_EQ(field_integer("x=9223372036854775807", "x"), 9'223'372'036'854'775'807LL);
  EXPECT_EQ(field_integer("x=-9223372036854775808", "x"), std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(field_integer("x=9223372036854775808", "x"));
  EXPECT_FALSE(field_integer("x=-9223372036854775809", "x"));
  EXPECT_FALSE(field_integer("x=--1", "x"));
  EXPECT_FALSE(field_integer("x=-", "x"));
  EXPECT_FALSE(field_integer("x=+1", "x"));
  EXPECT_FALSE(field_integer("x=1a", "x"));
}

// Events are found by name through a perfect hash: a name that lands in a used
// slot but is not that slot's name, and names the aggregates do not use, are
// other events; every used name is counted under its own name.
TEST(TextAggregator, EventNamesAreMatchedExactly) {
  TextAggregator text(0);
  text.add_line("dd-1 [000] ..... 1.000000: mm_vmscan_writepage: page=0 pfn=0x1 flags=RECLAIM_WB_ANON");
  text.add_line("dd-1 [000] ..... 1.000001: mm_vmscan_write_folio: page=0 pfn=0x1 flags=RECLAIM_WB_FILE");
  text.add_line("dd-1 [000] ..... 1.000002: mm_vmscan_writepagf: page=0 pfn=0x1 flags=RECLAIM_WB_ANON");
  text.add_line("dd-1 [000] ..... 1.000003: mm_vmscan_write_folio_: flags=RECLAIM_WB_FILE");
  text.add_line("dd-1 [000] ..... 1.000004: sched_switch: prev_comm=dd");
  text.add_line("dd-1 [000] ..... 1.000005: x: y=1");
  EXPECT_EQ(text.stats().events, 2U);
  EXPECT_EQ(text.stats().other_events, 4U);
  auto per_event = text.stats().per_event();
  EXPECT_EQ(per_event,
            (std::map<std::string, std::uint64_t>{{"mm_vmscan_write_folio", 1}, {"mm_vmscan_writepage", 1}}));
  auto raw = text.aggregates();
  EXPECT_EQ(raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_OTHER].write_anon, 1U);
  EXPECT_EQ(raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_OTHER].write_file, 1U);
}

TEST(FtraceLine, CommentsHeadersLostMarkersAndMalformedLines) {
  EXPECT_EQ(parse_ftrace_line("# tracer: nop").kind, FtraceLineKind::ignorable);
  EXPECT_EQ(parse_ftrace_line("   ").kind, FtraceLineKind::ignorable);
  EXPECT_EQ(parse_ftrace_line("cpus=2").kind, FtraceLineKind::ignorable);
  auto lost = parse_ftrace_line("CPU:1 [LOST 123 EVENTS]");
  EXPECT_EQ(lost.kind, FtraceLineKind::lost);
  EXPECT_EQ(lost.lost_events, 123U);
  EXPECT_EQ(parse_ftrace_line("CPU: 0 [LOST 7 EVENTS]").lost_events, 7U);
  auto bad = parse_ftrace_line("garbage without a cpu");
  EXPECT_EQ(bad.kind, FtraceLineKind::malformed);
  EXPECT_EQ(bad.problem, "no [cpu] field");
  EXPECT_EQ(parse_ftrace_line("  dd-x [001] 1.000001: e: a=1").problem, "pid is not a number");
  EXPECT_EQ(parse_ftrace_line("  dd-1 [001] soon: e: a=1").problem, "no timestamp after [cpu]");
  EXPECT_EQ(parse_ftrace_line("  dd-1 [001] 1.000001:").problem, "no event name after the timestamp");
}

// Hand-written lines of every event the recorder uses (6.18 formats), with the
// figures the BPF program would have produced for them.
constexpr const char* kEveryEvent = R"(# root 100 (the harness) forks 200; 200 gets a thread 201
     harness-100     (    100) [000] .....   10.000000: sched_process_fork: comm=harness pid=100 child_comm=harness child_pid=200
          wl-200     (    200) [000] .....   10.000100: sched_process_fork: comm=wl pid=200 child_comm=wl child_pid=201
          wl-201     (    200) [001] .....   10.001000: mm_vmscan_memcg_reclaim_begin: order=0 gfp_flags=GFP_HIGHUSER_MOVABLE
          wl-201     (    200) [001] .....   10.001010: mm_vmscan_lru_shrink_inactive: nid=0 nr_scanned=32 nr_reclaimed=30 nr_dirty=0 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC
          wl-201     (    200) [001] .....   10.001020: mm_vmscan_write_folio: page=0000000012345678 pfn=0x1234 flags=RECLAIM_WB_ANON|RECLAIM_WB_ASYNC
          wl-201     (    200) [001] .....   10.001030: mm_vmscan_throttled: nid=0 usec_timeout=100000 usect_delayed=4000 reason=VMSCAN_THROTTLE_WRITEBACK
          wl-201     (    200) [001] .....   10.003000: mm_vmscan_memcg_reclaim_end: nr_reclaimed=30
          wl-200     (    200) [000] .....   10.004000: mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL
          wl-200     (    200) [000] .....   10.004001: mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_KERNEL
          wl-200     (    200) [000] .....   10.004002: mm_compaction_try_to_compact_pages: order=9 gfp_mask=GFP_TRANSHUGE priority=1
          wl-200     (    200) [000] .....   10.004003: mm_compaction_begin: zone_start=0x1 migrate_pfn=0x1 free_pfn=0x2 zone_end=0x3, mode=async
          wl-200     (    200) [000] .....   10.004004: mm_compaction_migratepages: nr_migrated=10 nr_failed=2
          wl-200     (    200) [000] .....   10.004103: mm_compaction_end: zone_start=0x1 migrate_pfn=0x1 free_pfn=0x2 zone_end=0x3, mode=async status=complete
          wl-200     (    200) [000] .....   10.004104: mm_compaction_deferred: node=0 zone=Normal   order=9 order_failed=9 consider=1 limit=2
          wl-200     (    200) [000] .....   10.004105: mm_compaction_defer_compaction: node=0 zone=Normal   order=9 order_failed=9 consider=0 limit=4
          wl-200     (    200) [000] .....   10.004106: mm_compaction_defer_reset: node=0 zone=Normal   order=9 order_failed=10 consider=0 limit=1
          wl-200     (    200) [000] .....   10.004107: mm_compaction_wakeup_kcompactd: nid=0 order=9 classzone_idx=Normal
          wl-200     (    200) [000] .....   10.004108: balance_dirty_pages: bdi 8:0: limit=1 setpoint=1 dirty=1 wb_setpoint=1 wb_dirty=1 dirty_ratelimit=1 task_ratelimit=1 dirtied=1 dirtied_pause=1 paused=0 pause=12 period=12 think=0 cgroup_ino=1
          wl-200     (    200) [000] .....   10.006000: mm_vmscan_direct_reclaim_end: nr_reclaimed=5
     harness-100     (    100) [000] .....   10.007000: mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL
     harness-100     (    100) [000] .....   10.007500: mm_vmscan_direct_reclaim_end: nr_reclaimed=1
     harness-100     (    100) [000] .....   10.007600: mm_vmscan_memcg_reclaim_end: nr_reclaimed=1
         kswapd0-90      (     90) [001] .....   10.010000: mm_vmscan_kswapd_wake: nid=0 order=0
         kswapd0-90      (     90) [001] .....   10.010100: mm_vmscan_lru_shrink_inactive: nid=0 nr_scanned=64 nr_reclaimed=60 nr_dirty=0 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC
         kswapd0-90      (     90) [001] .....   10.010200: mm_vmscan_write_folio: page=0000000012345678 pfn=0x1235 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC
         kswapd0-90      (     90) [001] .....   10.012000: mm_vmscan_kswapd_sleep: nid=0
         kswapd0-90      (     90) [001] .....   10.013000: mm_vmscan_kswapd_wake: nid=0 order=3
      kcompactd0-91      (     91) [000] .....   10.013100: mm_compaction_kcompactd_wake: nid=0 order=3 classzone_idx=Normal
      kcompactd0-91      (     91) [000] .....   10.013200: mm_compaction_begin: zone_start=0x1 migrate_pfn=0x1 free_pfn=0x2 zone_end=0x3, mode=sync
      kcompactd0-91      (     91) [000] .....   10.013300: mm_compaction_end: zone_start=0x1 migrate_pfn=0x1 free_pfn=0x2 zone_end=0x3, mode=sync status=success
          wl-201     (    200) [001] .....   10.014000: sched_process_exit: comm=wl pid=201 prio=120 group_dead=false
          wl-200     (    200) [000] .....   10.015000: sched_process_exit: comm=wl pid=200 prio=120 group_dead=true
          wl-200     (    200) [000] .....   10.016000: mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_KERNEL
          wl-200     (    200) [000] .....   10.017000: mm_vmscan_lru_shrink_inactive: nid=0 flags=RECLAIM_WB_FILE
CPU:0 [LOST 3 EVENTS]
          wl-200     (    200) [000] .....   10.018000: sched_switch: prev_comm=wl prev_pid=200
not a trace line
)";

TEST(TextAggregator, EveryEventLandsWhereTheBpfProgramPutsIt) {
  TextAggregator text(100);
  text.feed(kEveryEvent);
  text.flush();
  auto raw = text.aggregates(20'000'000'000ULL);  // kswapd (woken at 10.013) still awake at 20 s
  const auto& sys = raw.contexts[MH_SCOPE_SYSTEM];
  const auto& wl = raw.contexts[MH_SCOPE_WORKLOAD];
  // memcg: 201's pair (1.999 ms), in both scopes; the harness's unpaired end in the system scope.
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].stalls, 1U);
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].begins, 1U);
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].stall_ns_total, 2'000'000U);
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].stall_hist[20], 1U);  // 2^20 ns <= 2 ms < 2^21 ns
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].pages_scanned, 32U);
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].pages_reclaimed, 30U);
  EXPECT_EQ(wl[MH_CTX_MEMCG_RECLAIM].write_anon, 1U);
  EXPECT_EQ(raw.scopes[MH_SCOPE_SYSTEM].unpaired_ends, 1U);
  EXPECT_EQ(raw.scopes[MH_SCOPE_WORKLOAD].unpaired_ends, 0U);
  // direct reclaim: the workload's 2 ms, and the harness's 0.5 ms in the system scope only.
  EXPECT_EQ(wl[MH_CTX_DIRECT_RECLAIM].stalls, 1U);
  EXPECT_EQ(wl[MH_CTX_DIRECT_RECLAIM].stall_ns_total, 2'000'000U);
  EXPECT_EQ(sys[MH_CTX_DIRECT_RECLAIM].stalls, 2U);
  EXPECT_EQ(sys[MH_CTX_DIRECT_RECLAIM].stall_ns_total, 2'500'000U);
  EXPECT_EQ(sys[MH_CTX_DIRECT_RECLAIM].stall_ns_max, 2'000'000U);
  // kswapd: known by its comm; one closed interval of 2 ms plus one open until 20 s.
  EXPECT_EQ(sys[MH_CTX_KSWAPD].shrink_inactive_calls, 1U);
  EXPECT_EQ(sys[MH_CTX_KSWAPD].pages_scanned, 64U);
  EXPECT_EQ(sys[MH_CTX_KSWAPD].write_file, 1U);
  EXPECT_EQ(raw.scopes[MH_SCOPE_SYSTEM].kswapd_wakeups, 2U);
  EXPECT_EQ(raw.scopes[MH_SCOPE_SYSTEM].kswapd_awake_ns, 2'000'000U + (20'000'000'000ULL - 10'013'000'000ULL));
  EXPECT_EQ(raw.kswapd_open_intervals, 1U);
  // wake requests: the workload's first; the one after 200 exited is system only.
  EXPECT_EQ(raw.scopes[MH_SCOPE_SYSTEM].kswapd_wake_requests, 2U);
  EXPECT_EQ(raw.scopes[MH_SCOPE_WORKLOAD].kswapd_wake_requests, 1U);
  // compaction: direct (0.1 ms, complete = 5) and kcompactd (0.1 ms, success = 8).
  EXPECT_EQ(wl[MH_CTX_DIRECT_COMPACTION].stalls, 1U);
  EXPECT_EQ(wl[MH_CTX_DIRECT_COMPACTION].stall_ns_total, 100'000U);
  EXPECT_EQ(sys[MH_CTX_KCOMPACTD].stalls, 1U);
  EXPECT_EQ(wl[MH_CTX_KCOMPACTD].stalls, 0U);
  const auto& s = raw.scopes[MH_SCOPE_SYSTEM];
  const auto& w = raw.scopes[MH_SCOPE_WORKLOAD];
  EXPECT_EQ(s.compaction_ends[5], 1U);
  EXPECT_EQ(s.compaction_ends[8], 1U);
  EXPECT_EQ(w.compaction_ends[5], 1U);
  EXPECT_EQ(w.direct_compactions, 1U);
  EXPECT_EQ(w.compaction_migrated, 10U);
  EXPECT_EQ(w.compaction_migrate_failed, 2U);
  EXPECT_EQ(w.compaction_deferred, 1U);
  EXPECT_EQ(w.compaction_defer, 1U);
  EXPECT_EQ(w.compaction_defer_reset, 1U);
  EXPECT_EQ(w.kcompactd_wake_requests, 1U);
  EXPECT_EQ(s.kcompactd_wakeups, 1U);
  EXPECT_EQ(w.throttled[0], 1U);
  EXPECT_EQ(w.throttled_delay_us[0], 4000U);
  EXPECT_EQ(w.dirty_throttle_pauses, 1U);
  EXPECT_EQ(w.dirty_throttle_pause_ms, 12U);
  // What the text looked like.
  const auto& stats = text.stats();
  EXPECT_EQ(stats.lost_events, 3U);
  EXPECT_EQ(stats.other_events, 1U);  // sched_switch
  EXPECT_EQ(stats.unparsable_lines(), 2U);
  ASSERT_TRUE(stats.unparsable.contains("no [cpu] field"));
  EXPECT_EQ(stats.unparsable.at("no [cpu] field").example, "not a trace line");
  ASSERT_TRUE(stats.unparsable.contains("mm_vmscan_lru_shrink_inactive: no integer nr_scanned="));
  EXPECT_EQ(stats.unparsable.at("mm_vmscan_lru_shrink_inactive: no integer nr_scanned=").first_line, 35U);
  EXPECT_TRUE(stats.saw_tgid);
}

// mm_vmscan_lru_isolate in both of its formats: 6.1 prints isolate_mode first
// (TP_printk of include/trace/events/vmscan.h in Debian's 6.1 source); 6.12
// and 6.18 have no such field (tests/fixtures/tracepoints/6.18/.../format).
TEST(TextAggregator, LruIsolateInThe61AndLaterFormats) {
  TextAggregator text(100);
  text.feed(
      R"(     harness-100     (    100) [000] .....   10.000000: sched_process_fork: comm=harness pid=100 child_comm=harness child_pid=200
          wl-200     (    200) [000] .....   10.001000: mm_vmscan_memcg_reclaim_begin: order=0 gfp_flags=GFP_HIGHUSER_MOVABLE
          wl-200     (    200) [000] .....   10.001010: mm_vmscan_lru_isolate: isolate_mode=0 classzone=3 order=0 nr_requested=32 nr_scanned=40 nr_skipped=8 nr_taken=32 lru=inactive_file
          wl-200     (    200) [000] .....   10.001020: mm_vmscan_lru_isolate: isolate_mode=0 classzone=3 order=0 nr_requested=32 nr_scanned=32 nr_skipped=0 nr_taken=30 lru=active_anon
          wl-200     (    200) [000] .....   10.002000: mm_vmscan_memcg_reclaim_end: nr_reclaimed=30
         kswapd0-90      (     90) [001] .....   10.010000: mm_vmscan_kswapd_wake: nid=0 order=0
         kswapd0-90      (     90) [001] .....   10.010100: mm_vmscan_lru_isolate: classzone=3 order=0 nr_requested=32 nr_scanned=64 nr_skipped=0 nr_taken=64 lru=active_file
         kswapd0-90      (     90) [001] .....   10.010200: mm_vmscan_lru_isolate: classzone=3 order=0 nr_requested=32 nr_scanned=16 nr_skipped=0 nr_taken=16 lru=inactive_anon
         kswapd0-90      (     90) [001] .....   10.010300: mm_vmscan_lru_isolate: classzone=3 order=0 nr_requested=32 nr_scanned=16 nr_skipped=0
)");
  text.flush();
  auto raw = text.aggregates(11'000'000'000ULL);
  const auto& memcg = raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM];
  EXPECT_EQ(memcg.isolate_calls, 2U);
  EXPECT_EQ(memcg.isolate_scanned, 72U);
  EXPECT_EQ(memcg.isolate_scanned_active, 32U);
  EXPECT_EQ(memcg.isolate_taken, 62U);
  EXPECT_EQ(memcg.isolate_skipped, 8U);
  const auto& kswapd = raw.contexts[MH_SCOPE_SYSTEM][MH_CTX_KSWAPD];
  EXPECT_EQ(kswapd.isolate_calls, 2U);  // the line without nr_taken is a problem, not a zero
  EXPECT_EQ(kswapd.isolate_scanned, 80U);
  EXPECT_EQ(kswapd.isolate_scanned_active, 64U);
  EXPECT_EQ(kswapd.isolate_taken, 80U);
  EXPECT_EQ(raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_KSWAPD].isolate_calls, 0U);
  EXPECT_EQ(text.stats().unparsable_lines(), 1U);
  EXPECT_TRUE(text.stats().unparsable.contains("mm_vmscan_lru_isolate: no integer nr_taken="));
}

TEST(TextAggregator, ChunksOfAnySizeGiveTheSameAggregates) {
  std::string trace = slurp(fixtures() / "6.18" / "trace.txt");
  TextAggregator whole(root_tgid_618()), pieces(root_tgid_618());
  whole.feed(trace);
  whole.flush();
  for (std::size_t at = 0; at < trace.size(); at += 7) pieces.feed(std::string_view(trace).substr(at, 7));
  pieces.flush();
  auto available = tracepoint_availability(system::SystemRoot(fixtures() / "6.18"));
  EXPECT_EQ(aggregates_json(whole.aggregates(), available, {}), aggregates_json(pieces.aggregates(), available, {}));
  EXPECT_EQ(whole.stats().lines, pieces.stats().lines);
}

// A "line" longer than any ftrace line is reported and dropped, in whatever
// chunks it arrives, and the lines after it are read as usual.
TEST(TextAggregator, AnOverlongLineIsDroppedAndTheNextLinesStillCount) {
  const std::string event = "   dd-7 (7) [000] .....  5.000000: mm_vmscan_memcg_reclaim_begin: order=0\n";
  const std::string junk(TextAggregator::kMaxLineBytes * 3, 'x');
  for (std::size_t chunk : {std::size_t{1000}, std::size_t{1} << 20}) {
    SCOPED_TRACE(chunk);
    TextAggregator text(0);
    std::string capture = event + junk + "\n" + event;
    for (std::size_t at = 0; at < capture.size(); at += chunk) text.feed(std::string_view(capture).substr(at, chunk));
    text.flush();
    EXPECT_EQ(text.stats().events, 2U);
    EXPECT_EQ(text.stats().lines, 3U);
    ASSERT_TRUE(text.stats().first_overlong_line);
    EXPECT_EQ(text.stats().first_overlong_line->line, 2U);
    EXPECT_EQ(text.stats().first_overlong_line->byte_offset, event.size());
    const auto& problem = text.stats().unparsable.at(std::string(TextAggregator::kOverlongLine));
    EXPECT_EQ(problem.count, 1U);
    EXPECT_EQ(problem.example, std::string(200, 'x'));
    EXPECT_EQ(text.stats().bytes, capture.size());
  }
}

struct Expected {
  std::uint64_t memcg_begins, memcg_pairs, memcg_total_us, shrink_calls, scanned, reclaimed, kswapd_calls,
      kswapd_scanned, write_file, write_anon, kswapd_wakeups;
};

void expect_capture(const std::filesystem::path& file, const Expected& e) {
  SCOPED_TRACE(file.string());
  TextAggregator text(0);
  text.feed(slurp(file));
  text.flush();
  EXPECT_EQ(text.stats().unparsable_lines(), 0U);
  EXPECT_EQ(text.stats().lost_events, 0U);
  auto raw = text.aggregates();
  const auto& sys = raw.contexts[MH_SCOPE_SYSTEM];
  EXPECT_EQ(sys[MH_CTX_MEMCG_RECLAIM].begins, e.memcg_begins);
  EXPECT_EQ(sys[MH_CTX_MEMCG_RECLAIM].stalls, e.memcg_pairs);
  EXPECT_EQ(sys[MH_CTX_MEMCG_RECLAIM].stall_ns_total, e.memcg_total_us * 1000);
  std::uint64_t calls = 0, scanned = 0, reclaimed = 0, file_writes = 0, anon_writes = 0;
  for (const auto& cell : sys) {
    calls += cell.shrink_inactive_calls;
    scanned += cell.pages_scanned;
    reclaimed += cell.pages_reclaimed;
    file_writes += cell.write_file;
    anon_writes += cell.write_anon;
  }
  EXPECT_EQ(calls, e.shrink_calls);
  EXPECT_EQ(scanned, e.scanned);
  EXPECT_EQ(reclaimed, e.reclaimed);
  EXPECT_EQ(sys[MH_CTX_KSWAPD].shrink_inactive_calls, e.kswapd_calls);
  EXPECT_EQ(sys[MH_CTX_KSWAPD].pages_scanned, e.kswapd_scanned);
  EXPECT_EQ(file_writes, e.write_file);
  EXPECT_EQ(anon_writes, e.write_anon);
  EXPECT_EQ(raw.scopes[MH_SCOPE_SYSTEM].kswapd_wakeups, e.kswapd_wakeups);
}

TEST(TextAggregator, Debian61GuestCaptureGivesTheIndependentCounts) {
  expect_capture(fixtures() / "6.1" / "trace_pipe.txt",
                 {893, 893, 15536080, 1534, 124470, 24634, 451, 13725, 0, 363, 69});
}

TEST(TextAggregator, Debian612GuestCaptureGivesTheIndependentCounts) {
  expect_capture(fixtures() / "6.12" / "trace_pipe.txt",
                 {957, 957, 10093605, 479, 35181, 26126, 218, 13952, 0, 361, 15});
}

TEST(TextAggregator, Host618CaptureGivesTheIndependentCounts) {
  expect_capture(fixtures() / "6.18" / "trace.txt", {335, 335, 736113, 978, 249437, 115253, 0, 0, 0, 0, 0});
}

TEST(TextAggregator, Host618WorkloadScopeFollowsTheForkTree) {
  TextAggregator text(root_tgid_618());
  text.feed(slurp(fixtures() / "6.18" / "trace.txt"));
  auto raw = text.aggregates();
  const auto& memcg = raw.contexts[MH_SCOPE_WORKLOAD][MH_CTX_MEMCG_RECLAIM];
  EXPECT_EQ(memcg.stalls, 335U);  // all of it is dd's, a child of the root shell
  EXPECT_EQ(memcg.stall_ns_total, 736'113'000U);
  EXPECT_EQ(memcg.shrink_inactive_calls, 978U);
  EXPECT_EQ(raw.scopes[MH_SCOPE_WORKLOAD].throttled[0], 312U);  // WRITEBACK
  EXPECT_EQ(raw.scopes[MH_SCOPE_WORKLOAD].throttled_delay_us[0], 416000U);
}

TEST(TextAggregator, TraceCmdReportOfTheSameEventsGivesTheSameDocument) {
  auto available = tracepoint_availability(system::SystemRoot(fixtures() / "6.18"));
  TextAggregator pipe(root_tgid_618()), report(root_tgid_618());
  pipe.feed(slurp(fixtures() / "6.18" / "trace.txt"));
  report.feed(slurp(fixtures() / "6.18" / "trace-cmd-report.txt"));
  EXPECT_EQ(report.stats().unparsable_lines(), 0U);
  EXPECT_FALSE(report.stats().saw_tgid);
  EXPECT_EQ(aggregates_json(pipe.aggregates(), available, {}), aggregates_json(report.aggregates(), available, {}));
}

TEST(CompactionStatuses, TheFormatFilesOf61612And618AgreeWithTheDefaults) {
  for (const char* kernel : {"6.1", "6.12", "6.18"}) {
    auto format = slurp(fixtures() / kernel / "sys/kernel/tracing/events/compaction/mm_compaction_end/format");
    EXPECT_EQ(compaction_statuses_from_format(format), default_compaction_statuses()) << kernel;
  }
  EXPECT_TRUE(compaction_statuses_from_format("print fmt: \"nothing\"").empty());
}

TEST(TracefsRecorder, LostEventsAreOverrunsPlusDroppedEventsOfEveryCpu) {
  system::SystemRoot captured(fixtures() / "6.18");
  EXPECT_EQ(instance_lost_events(captured, ""), 0U);  // the capture lost nothing
  auto dir = std::filesystem::temp_directory_path() / ("memharness-lost-" + std::to_string(::getpid()));
  for (int cpu = 0; cpu < 2; ++cpu) {
    std::filesystem::create_directories(dir / "i" / "per_cpu" / ("cpu" + std::to_string(cpu)));
    std::ofstream(dir / "i" / "per_cpu" / ("cpu" + std::to_string(cpu)) / "stats")
        << "entries: 9\noverrun: " << (cpu + 4) << "\ncommit overrun: 100\ndropped events: 1\n";
  }
  EXPECT_EQ(instance_lost_events(system::SystemRoot(dir), "/i"), 4U + 5U + 2U);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace memharness::probes
