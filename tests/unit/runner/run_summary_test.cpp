#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/results/run_reader.h"
#include "harness/runner/run_summary.h"

namespace memharness::runner {
namespace {

using ::testing::HasSubstr;

// Folds the records in one by one, as host_run does when each iteration ends.
void summary_of(std::ostream& out, const results::RunManifest& manifest,
                const std::vector<results::IterationRecord>& records, const std::filesystem::path& run_directory) {
  RunSummary summary;
  for (const auto& record : records) summary.add(record);
  summary.write(out, manifest, run_directory);
}

// The summary of records given as JSON, as they are on disk (this test's
// manifests leave out schema_version).
void summary_of_json(std::ostream& out, nlohmann::json manifest, const std::vector<nlohmann::json>& iterations,
                     const std::filesystem::path& run_directory) {
  manifest["schema_version"] = results::run_schema_version;
  std::vector<results::IterationRecord> records;
  for (const auto& it : iterations) records.push_back(results::parse_iteration_record(it, "result.json"));
  summary_of(out, results::parse_run_manifest(manifest, "manifest.json"), records, run_directory);
}

nlohmann::json iteration(double elapsed, double user, std::int64_t pswpout, bool with_psi) {
  nlohmann::json it = {
      {"status", "complete"},
      {"elapsed_s", elapsed},
      {"phases", {{{"workloads", {{{"process", {{"user_s", user}, {"sys_s", 1.0}}}}}}}}},
      {"vmstat_delta", {{"pswpout", pswpout}}},
      {"memcg", {{"events_delta", {{"max", 10}}}, {"stat_delta", nlohmann::json::object()}, {"peak_bytes", 256 << 20}}},
  };
  it["psi_memory"] = with_psi ? nlohmann::json{{"some_stall_us", 2000}} : nlohmann::json(nullptr);
  return it;
}

nlohmann::json manifest() {
  return {{"test", "anon-dirty"},
          {"target", "host"},
          {"label", "6.18"},
          {"status", "complete"},
          {"machine", {{"kernel", {{"release", "6.18.44"}}}}},
          {"iterations", {{"planned", 2}, {"completed", 2}}}};
}

TEST(RunSummary, MeanMinMaxOverCompleteIterations) {
  std::ostringstream out;
  summary_of_json(out, manifest(), {iteration(10, 3, 100, true), iteration(20, 5, 300, true)}, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text,
              HasSubstr("memharness: anon-dirty on 6.18.44 (host), label 6.18: complete, 2/2 iterations complete"));
  EXPECT_THAT(text,
              HasSubstr("  Elapsed (s)                                          15.00         10.00         20.00\n"));
  EXPECT_THAT(text,
              HasSubstr("  User (s)                                              4.00          3.00          5.00\n"));
  EXPECT_THAT(text,
              HasSubstr("  pswpout                                                200           100           300\n"));
  EXPECT_THAT(text,
              HasSubstr("  Peak usage (MiB)                                     256.0         256.0         256.0\n"));
  EXPECT_THAT(text,
              HasSubstr("  PSI memory some (ms)                                   2.0           2.0           2.0\n"));
  EXPECT_THAT(text, HasSubstr("Run directory: /r/x\n"));
}

// Folded one at a time over many iterations: the mean of 1..1000, and the
// min and max of values that are all negative (a min or max started at 0
// would show here).
TEST(RunSummary, MeanMinMaxOfManyIterationsAndOfNegativeValues) {
  std::vector<nlohmann::json> iterations;
  for (int i = 1; i <= 1000; ++i) {
    auto it = iteration(i, 0.5, 100, true);
    it["vmstat_delta"]["workingset_refault_anon"] = -(i % 5) - 1;
    iterations.push_back(it);
  }
  auto m = manifest();
  m["iterations"] = {{"planned", 1000}, {"completed", 1000}};
  std::ostringstream out;
  summary_of_json(out, m, iterations, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text,
              HasSubstr("  Elapsed (s)                                         500.50          1.00       1000.00\n"));
  EXPECT_THAT(text,
              HasSubstr("  workingset_refault_anon                                 -3            -5            -1\n"));
  EXPECT_THAT(text,
              HasSubstr("  User (s)                                              0.50          0.50          0.50\n"));
}

TEST(RunSummary, WhatWasNotRecordedIsNotAvailableNotZero) {
  std::ostringstream out;
  summary_of_json(out, manifest(), {iteration(10, 3, 100, false)}, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text,
              HasSubstr("  PSI memory some (ms)                                   n/a           n/a           n/a\n"));
  // memory.stat on v1 has no pgscan: n/a, never 0.
  EXPECT_THAT(text,
              HasSubstr("  Pages scanned (memcg pgscan)                           n/a           n/a           n/a\n"));
}

// A workload whose supervisor was killed has null CPU times (usage_lost): the
// row's total is unknown in that iteration, not a crash (a fresh-clone run
// died with "type must be number, but is null") and not a partial sum.
TEST(RunSummary, ANullCpuTimeMakesTheIterationsTotalUnknown) {
  auto lost = iteration(20, 5, 300, true);
  lost["phases"][0]["workloads"].push_back({{"process", {{"user_s", nullptr}, {"sys_s", nullptr}}}});
  std::ostringstream out;
  summary_of_json(out, manifest(), {iteration(10, 3, 100, true), lost}, "/r/x");
  EXPECT_THAT(out.str(),
              HasSubstr("  User (s)                                              3.00          3.00          3.00\n"));
  std::ostringstream only_lost;
  summary_of_json(only_lost, manifest(), {lost}, "/r/x");
  EXPECT_THAT(only_lost.str(),
              HasSubstr("  User (s)                                               n/a           n/a           n/a\n"));
}

TEST(RunSummary, IncompleteIterationsAreLeftOutAndTheReasonShown) {
  auto m = manifest();
  m["status"] = "incomplete";
  m["status_reason"] = "interrupted by a signal after 1 of 2 iterations";
  m["iterations"]["completed"] = 1;
  auto interrupted = iteration(99, 99, 999, true);
  interrupted["status"] = "interrupted";
  std::ostringstream out;
  summary_of_json(out, m, {iteration(10, 3, 100, true), interrupted}, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("incomplete, 1/2 iterations complete"));
  EXPECT_THAT(text, HasSubstr("  interrupted by a signal after 1 of 2 iterations\n"));
  EXPECT_THAT(text,
              HasSubstr("  Elapsed (s)                                          10.00         10.00         10.00\n"));
}

TEST(RunSummary, EveryNumericWorkloadMetricGetsARow) {
  auto a = iteration(10, 3, 100, true), b = iteration(20, 5, 300, true);
  a["phases"][0]["name"] = b["phases"][0]["name"] = "write";
  a["phases"][0]["workloads"][0]["instance"] = b["phases"][0]["workloads"][0]["instance"] = "dd-writeback";
  a["phases"][0]["workloads"][0]["metrics"] = {{"threads-4-mb-per-s", 100.0}, {"note", "text is skipped"}};
  b["phases"][0]["workloads"][0]["metrics"] = {{"threads-4-mb-per-s", 300.0}};
  std::ostringstream out;
  summary_of_json(out, manifest(), {a, b}, "/r/x");
  EXPECT_THAT(out.str(),
              HasSubstr("  dd-writeback threads-4-mb-per-s                     200.00        100.00        300.00\n"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("note")));
}

// ---- The same text as before the summary became a running aggregate ----
// The goldens (tests/fixtures/runs/golden/run-summary-*.txt) were printed by
// write_run_summary when it still took every record of the run at the end
// (before RunSummary; these same records, these same tests).

std::string golden(const std::string& name) {
  std::ifstream in(std::string(MEMHARNESS_FIXTURE_DIR) + "/runs/golden/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string summary_of_stored_run(const std::string& relative) {
  auto run = results::read_run(std::string(MEMHARNESS_FIXTURE_DIR) + "/runs/results/" + relative);
  std::vector<results::IterationRecord> records;
  for (const auto& it : run.iterations) records.push_back(it.record);
  std::ostringstream out;
  summary_of(out, run.manifest, records, "/r/stored");
  return out.str();
}

// Twelve iterations exercising what the aggregate must get right: rows that
// first appear in a later iteration (kept in first-seen order), a metric seen
// in a second phase after its first, iterations that did not complete (left
// out), nulls, negative deltas, and values whose sum order matters.
std::vector<nlohmann::json> varied_iterations() {
  std::vector<nlohmann::json> iterations;
  for (int i = 1; i <= 12; ++i) {
    double x = i * 1.37 + (i % 3) * 0.11;
    nlohmann::json dd = {
        {"instance", "dd-writeback"},
        {"process", {{"user_s", 0.5 * i}, {"sys_s", i % 4 == 0 ? nlohmann::json(nullptr) : nlohmann::json(0.25 * i)}}},
        {"metrics", {{"threads-4-mb-per-s", 100.0 + 3.3 * x}, {"note", "text"}}}};
    if (i >= 5) dd["metrics"]["threads-8-mb-per-s"] = 50.0 - x;  // a row found in iteration 5
    if (i == 7) dd["metrics"].erase("threads-4-mb-per-s");
    nlohmann::json hog = {
        {"instance", "anon-hog"}, {"process", {{"user_s", 0.1}, {"sys_s", 0.2}}}, {"metrics", {{"pages", 1000 * i}}}};
    nlohmann::json phases = nlohmann::json::array();
    phases.push_back({{"name", "write"}, {"workloads", {dd, hog}}});
    if (i % 2 == 0)  // the same instance and metric in a later phase: not its row's phase
      phases.push_back({{"name", "read"},
                        {"workloads",
                         {{{"instance", "dd-writeback"},
                           {"metrics", {{"threads-4-mb-per-s", 9999.0}, {"read-mb-per-s", 7.0 * i}}}}}}});
    nlohmann::json it = {
        {"iteration", i},
        {"status", i == 3   ? "interrupted"
                   : i == 9 ? "failed"
                            : "complete"},
        {"elapsed_s", 10.0 + x},
        {"phases", phases},
        {"vmstat_delta",
         {{"pswpout", 100 * i},
          {"pgscan_kswapd", 12345 * i},
          {"oom_kill", i == 6 ? 1 : 0},
          {"workingset_refault_anon", -i}}},
        {"memcg",
         {{"events_delta", {{"max", 10 + i}, {"oom_kill", 0}}},
          {"stat_delta", {{"pgscan", 4000 + i}, {"pgsteal", 3000 + i}, {"pgmajfault", i % 5}}},
          {"stat_end", {{"swap", (i * 3) << 20}}},
          {"peak_bytes", (256 + i) << 20},
          {"psi_memory", {{"some_stall_us", 1500 * i}}}}},
        {"psi_memory", i % 3 == 0 ? nlohmann::json(nullptr)
                                  : nlohmann::json{{"some_stall_us", 2000 * i}, {"full_stall_us", 700 * i}}},
    };
    if (i > 2)
      it["tracepoints"] = {{"direct_reclaims", 3 * i},
                           {"direct_reclaim_stall_ms", 0.123 * i},
                           {"memcg_reclaims", i},
                           {"memcg_reclaim_stall_ms", 1.5 * x},
                           {"kswapd_wakeups", 2},
                           {"kswapd_awake_ms", 33.3},
                           {"direct_reclaim_write_file", 0},
                           {"direct_reclaim_write_anon", nullptr},
                           {"kswapd_reclaim_write_file", i},
                           {"kswapd_reclaim_write_anon", 0}};
    if (i == 3) it["phases"][0]["workloads"][0]["metrics"]["ghost"] = 1.0;  // only in an interrupted iteration
    iterations.push_back(it);
  }
  return iterations;
}

TEST(RunSummary, PrintsWhatItPrintedBeforeOnVariedIterations) {
  auto m = manifest();
  m["iterations"] = {{"planned", 12}, {"completed", 10}};
  std::ostringstream out;
  summary_of_json(out, m, varied_iterations(), "/r/varied");
  EXPECT_EQ(out.str(), golden("run-summary-varied.txt"));
}

TEST(RunSummary, PrintsWhatItPrintedBeforeOnStoredRuns) {
  EXPECT_EQ(summary_of_stored_run("ab/anon-dirty-quick/2026-11-22T04-58-00Z"), golden("run-summary-ab.txt"));
  EXPECT_EQ(summary_of_stored_run("tp/anon-dirty-quick/2026-12-01T20-01-22Z"), golden("run-summary-tp.txt"));
  EXPECT_EQ(summary_of_stored_run("a/anon-dirty-quick/2026-11-22T05-20-00Z"), golden("run-summary-a-incomplete.txt"));
}

}  // namespace
}  // namespace memharness::runner
