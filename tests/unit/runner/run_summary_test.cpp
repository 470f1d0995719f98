#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "harness/runner/run_summary.h"

namespace memharness::runner {
namespace {

using ::testing::HasSubstr;

// The summary of records given as JSON, as they are on disk (this test's
// manifests leave out schema_version).
void write_run_summary(std::ostream& out, nlohmann::json manifest, const std::vector<nlohmann::json>& iterations,
                       const std::filesystem::path& run_directory) {
  manifest["schema_version"] = results::run_schema_version;
  std::vector<results::IterationRecord> records;
  for (const auto& it : iterations) records.push_back(results::parse_iteration_record(it, "result.json"));
  runner::write_run_summary(out, results::parse_run_manifest(manifest, "manifest.json"), records, run_directory);
}

nlohmann::json iteration(double elapsed, double user, std::int64_t pswpout, bool with_psi) {
  nlohmann::json it = {
      {"status", "complete"},
      {"elapsed_s", elapsed},
      {"phases", {{{"workloads", {{{"process", {{"user_s", user}, {"sys_s", 1.0}}}}}}}}},
      {"vmstat_delta", {{"pswpout", pswpout}}},
      {"memcg", {{"events_delta", {{"max", 10}}}, {"stat_delta", nlohmann::json::object()},
                 {"peak_bytes", 256 << 20}}},
  };
  it["psi_memory"] = with_psi ? nlohmann::json{{"some_stall_us", 2000}} : nlohmann::json(nullptr);
  return it;
}

nlohmann::json manifest() {
  return {{"test", "anon-dirty"}, {"target", "host"}, {"label", "6.18"}, {"status", "complete"},
          {"machine", {{"kernel", {{"release", "6.18.44"}}}}},
          {"iterations", {{"planned", 2}, {"completed", 2}}}};
}

TEST(RunSummary, MeanMinMaxOverCompleteIterations) {
  std::ostringstream out;
  write_run_summary(out, manifest(), {iteration(10, 3, 100, true), iteration(20, 5, 300, true)}, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("memharness: anon-dirty on 6.18.44 (host), label 6.18: complete, 2/2 iterations complete"));
  EXPECT_THAT(text, HasSubstr("  Elapsed (s)                                          15.00         10.00         20.00\n"));
  EXPECT_THAT(text, HasSubstr("  User (s)                                              4.00          3.00          5.00\n"));
  EXPECT_THAT(text, HasSubstr("  pswpout                                                200           100           300\n"));
  EXPECT_THAT(text, HasSubstr("  Peak usage (MiB)                                     256.0         256.0         256.0\n"));
  EXPECT_THAT(text, HasSubstr("  PSI memory some (ms)                                   2.0           2.0           2.0\n"));
  EXPECT_THAT(text, HasSubstr("Run directory: /r/x\n"));
}

TEST(RunSummary, WhatWasNotRecordedIsNotAvailableNotZero) {
  std::ostringstream out;
  write_run_summary(out, manifest(), {iteration(10, 3, 100, false)}, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("  PSI memory some (ms)                                   n/a           n/a           n/a\n"));
  // memory.stat on v1 has no pgscan: n/a, never 0.
  EXPECT_THAT(text, HasSubstr("  Pages scanned (memcg pgscan)                           n/a           n/a           n/a\n"));
}

// A workload whose supervisor was killed has null CPU times (usage_lost): the
// row's total is unknown in that iteration, not a crash (a fresh-clone run
// died with "type must be number, but is null") and not a partial sum.
TEST(RunSummary, ANullCpuTimeMakesTheIterationsTotalUnknown) {
  auto lost = iteration(20, 5, 300, true);
  lost["phases"][0]["workloads"].push_back({{"process", {{"user_s", nullptr}, {"sys_s", nullptr}}}});
  std::ostringstream out;
  write_run_summary(out, manifest(), {iteration(10, 3, 100, true), lost}, "/r/x");
  EXPECT_THAT(out.str(), HasSubstr("  User (s)                                              3.00          3.00          3.00\n"));
  std::ostringstream only_lost;
  write_run_summary(only_lost, manifest(), {lost}, "/r/x");
  EXPECT_THAT(only_lost.str(), HasSubstr("  User (s)                                               n/a           n/a           n/a\n"));
}

TEST(RunSummary, IncompleteIterationsAreLeftOutAndTheReasonShown) {
  auto m = manifest();
  m["status"] = "incomplete";
  m["status_reason"] = "interrupted by a signal after 1 of 2 iterations";
  m["iterations"]["completed"] = 1;
  auto interrupted = iteration(99, 99, 999, true);
  interrupted["status"] = "interrupted";
  std::ostringstream out;
  write_run_summary(out, m, {iteration(10, 3, 100, true), interrupted}, "/r/x");
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("incomplete, 1/2 iterations complete"));
  EXPECT_THAT(text, HasSubstr("  interrupted by a signal after 1 of 2 iterations\n"));
  EXPECT_THAT(text, HasSubstr("  Elapsed (s)                                          10.00         10.00         10.00\n"));
}

TEST(RunSummary, EveryNumericWorkloadMetricGetsARow) {
  auto a = iteration(10, 3, 100, true), b = iteration(20, 5, 300, true);
  a["phases"][0]["name"] = b["phases"][0]["name"] = "write";
  a["phases"][0]["workloads"][0]["instance"] = b["phases"][0]["workloads"][0]["instance"] = "dd-writeback";
  a["phases"][0]["workloads"][0]["metrics"] = {{"threads-4-mb-per-s", 100.0}, {"note", "text is skipped"}};
  b["phases"][0]["workloads"][0]["metrics"] = {{"threads-4-mb-per-s", 300.0}};
  std::ostringstream out;
  write_run_summary(out, manifest(), {a, b}, "/r/x");
  EXPECT_THAT(out.str(), HasSubstr("  dd-writeback threads-4-mb-per-s                     200.00        100.00        300.00\n"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("note")));
}

}  // namespace
}  // namespace memharness::runner
