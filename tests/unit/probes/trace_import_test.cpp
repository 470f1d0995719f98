// import-trace on the committed 6.18 host capture (tests/fixtures/tracepoints/6.18):
// the expected figures are the awk counts in tests/fixtures/tracepoints/README.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/common/error.h"
#include "probes/tracepoints/trace_import.h"

namespace memharness::probes {
namespace {

std::filesystem::path dir_618() { return std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "tracepoints" / "6.18"; }

std::int64_t root_pid() {
  std::ifstream in(dir_618() / "root_tgid");
  std::int64_t pid = 0;
  in >> pid;
  return pid;
}

TEST(ImportTrace, TheCommittedCaptureGivesTheExpectedFigures) {
  auto doc = import_trace_file(dir_618() / "trace.txt",
                               {.format = TraceFormat::automatic, .root_pid = root_pid(), .events_root = dir_618()});
  EXPECT_EQ(doc["recorder"], "import");
  EXPECT_EQ(doc["capture"]["format"], "trace_pipe");
  EXPECT_EQ(doc["capture"]["unparsable_lines"], 0);
  EXPECT_EQ(doc["capture"]["lines"], 1980);  // 12 header lines + 1968 events
  EXPECT_EQ(doc["lost_events"]["count"], 0);
  for (const char* scope : {"system", "workload"}) {
    SCOPED_TRACE(scope);
    const auto& memcg = doc["scopes"][scope]["contexts"]["memcg_reclaim"];
    EXPECT_EQ(memcg["stalls"]["count"], 335);
    EXPECT_EQ(memcg["stalls"]["begins"], 335);
    EXPECT_EQ(memcg["stalls"]["total_ns"], 736'113'000);
    EXPECT_EQ(memcg["reclaim"]["shrink_inactive_calls"], 978);
    EXPECT_EQ(memcg["reclaim"]["pages_scanned"], 249437);
    EXPECT_EQ(memcg["reclaim"]["pages_reclaimed"], 115253);
    EXPECT_EQ(doc["scopes"][scope]["throttled"]["by_reason"]["WRITEBACK"]["count"], 312);
    EXPECT_EQ(doc["scopes"][scope]["throttled"]["by_reason"]["WRITEBACK"]["delay_us"], 416000);
  }
  // 6.18 has no mm_vmscan_writepage; write_folio is enough for the writes.
  EXPECT_FALSE(doc["tracepoints"]["vmscan/mm_vmscan_writepage"].get<bool>());
  EXPECT_TRUE(doc["scopes"]["system"]["contexts"]["kswapd"]["writes"]["available"].get<bool>());

  auto report = import_report_text(doc, "trace.txt");
  EXPECT_NE(report.find("lost events: 0; unparsable lines: 0"), std::string::npos) << report;
  EXPECT_NE(report.find("memcg_reclaim           335      736.113"), std::string::npos) << report;
  EXPECT_NE(report.find("WRITEBACK 312 (416000 us)"), std::string::npos) << report;
}

TEST(ImportTrace, TraceCmdReportIsDetectedAndWithoutARootTheWorkloadIsNotAvailable) {
  auto doc = import_trace_file(dir_618() / "trace-cmd-report.txt", {});
  EXPECT_EQ(doc["capture"]["format"], "trace-cmd");
  EXPECT_EQ(doc["scopes"]["system"]["contexts"]["memcg_reclaim"]["stalls"]["count"], 335);
  EXPECT_FALSE(doc["scopes"]["workload"]["available"].get<bool>());
  EXPECT_NE(import_report_text(doc, "x").find("not attributable: no --root-pid given"), std::string::npos);
}

TEST(ImportTrace, UnparsableLinesAreCountedByReasonWithTheirFirstLine) {
  std::istringstream in(
      "# tracer: nop\n"
      "   dd-7 (7) [000] .....  5.000000: mm_vmscan_memcg_reclaim_begin: order=0 gfp_flags=GFP_KERNEL\n"
      "half a line\n"
      "   dd-7 (7) [000] .....  5.000500: mm_vmscan_memcg_reclaim_end: nr_reclaimed=3\n"
      "another bad one\n"
      "   dd-7 (7) [000] .....  5.000600: mm_vmscan_throttled: nid=0 reason=VMSCAN_THROTTLE_ISOLATED\n");
  auto doc = import_trace(in, "t", {});
  EXPECT_EQ(doc["capture"]["unparsable_lines"], 3);
  EXPECT_EQ(doc["capture"]["unparsable"]["no [cpu] field"]["count"], 2);
  EXPECT_EQ(doc["capture"]["unparsable"]["no [cpu] field"]["first_line"], 3);
  EXPECT_EQ(doc["capture"]["unparsable"]["mm_vmscan_throttled: no usect_delayed= or reason="]["first_line"], 6);
  EXPECT_EQ(doc["scopes"]["system"]["contexts"]["memcg_reclaim"]["stalls"]["total_ns"], 500'000);
}

TEST(ImportTrace, AFileWithNoEventLinesIsAUsageErrorNamingTheLine) {
  std::istringstream in("# tracer: nop\nhello\nworld\n");
  try {
    import_trace(in, "notes.txt", {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_STREQ(e.what(),
                 "notes.txt:2: no ftrace event lines in it, expected trace_pipe or trace-cmd report output (no [cpu] "
                 "field)");
  }
  EXPECT_THROW(import_trace_file(dir_618() / "no-such-file", {}), Error);
  EXPECT_THROW(import_trace_file(
                   dir_618() / "trace.txt",
                   {.format = TraceFormat::automatic, .root_pid = std::nullopt, .events_root = dir_618() / "per_cpu"}),
               Error);
}

// Found by fuzz/ftrace_fuzz.cpp: an unparsable line's example went into the
// document as it was, and dump() (--json, --output, a run's tracepoints.json)
// threw type_error 316 on a byte that is not UTF-8 -- any process can give
// itself such a comm. A cut at 200 bytes through a character did the same.
TEST(ImportTrace, UnparsableLinesThatAreNotUtf8StillMakeAValidDocument) {
  std::istringstream in(
      "   dd-7 (7) [000] .....  5.000000: mm_vmscan_memcg_reclaim_begin: order=0\n"
      "   init-1 (1) [001] .....  20.617840: sched_process_f \x80\xff mkdir-154\n" +
      std::string(199, 'a') + "\xc3\xa9 no cpu field\n");
  auto doc = import_trace(in, "t", {});
  std::string dumped;
  ASSERT_NO_THROW(dumped = doc.dump());
  const auto& unparsable = doc["capture"]["unparsable"];
  ASSERT_EQ(unparsable.size(), 2U);
  std::vector<std::string> examples;
  for (const auto& [what, p] : unparsable.items()) examples.push_back(p["example"]);
  EXPECT_THAT(examples, ::testing::UnorderedElementsAre(
                            "   init-1 (1) [001] .....  20.617840: sched_process_f \xef\xbf\xbd\xef\xbf\xbd mkdir-154",
                            std::string(199, 'a') + "\xef\xbf\xbd"));
}

// A file without newlines (a binary, a compressed capture) is refused once a
// line passes the limit, naming where it started, instead of being read whole
// into one line.
TEST(ImportTrace, AFileWithoutNewlinesIsRefusedNamingTheOffset) {
  std::istringstream in("   dd-7 (7) [000] .....  5.000000: mm_vmscan_memcg_reclaim_begin: order=0\n" +
                        std::string(8 << 20, '\x1f'));
  try {
    import_trace(in, "capture.gz", {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_STREQ(e.what(),
                 "capture.gz:2: byte offset 74: a line longer than 65536 bytes: not ftrace text (trace_pipe or "
                 "trace-cmd report output has short lines)");
  }
  // It stopped reading at the first chunk past the limit, not at the end.
  EXPECT_LT(in.tellg(), std::streampos(2 << 20));
}

}  // namespace
}  // namespace memharness::probes
