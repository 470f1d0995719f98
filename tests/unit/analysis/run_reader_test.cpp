#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "harness/common/error.h"
#include "harness/results/run_reader.h"

namespace memharness::results {
namespace {

namespace fs = std::filesystem;
const fs::path results_root = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs" / "results";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  return "(no error)";
}

TEST(RunReader, ReadsAFixtureRun) {
  auto run = read_run(results_root / "a" / "anon-dirty-quick" / "2026-11-22T04-54-45Z");
  EXPECT_EQ(run.label(), "a");
  EXPECT_EQ(run.test(), "anon-dirty-quick");
  EXPECT_EQ(run.status(), "complete");
  EXPECT_EQ(run.kernel_release(), "6.18.44-fc-v669");
  ASSERT_EQ(run.iterations.size(), 3u);
  EXPECT_EQ(run.complete_iterations().size(), 3u);
  EXPECT_EQ(run.iterations[2].number, 3);
  EXPECT_FALSE(run.iterations[0].tracepoints.has_value());
}

TEST(RunReader, LabelResolvesToTheNewestCompleteRun) {
  // results/a holds a newer run that is incomplete: the label skips it.
  auto expected = results_root / "a" / "anon-dirty-quick" / "2026-11-22T04-54-45Z";
  EXPECT_EQ(resolve_run("a", results_root), expected);
  EXPECT_EQ(resolve_run("a", results_root, "anon-dirty-quick"), expected);
  EXPECT_EQ(resolve_run((results_root / "a").string(), "elsewhere"), expected);
  EXPECT_EQ(resolve_run((results_root / "a" / "anon-dirty-quick").string(), "elsewhere"), expected);
  // A run directory is itself, complete or not.
  auto incomplete = results_root / "a" / "anon-dirty-quick" / "2026-11-22T05-20-00Z";
  EXPECT_EQ(resolve_run(incomplete.string(), results_root), incomplete);
}

TEST(RunReader, BadInputNamesThePath) {
  EXPECT_EQ(error_of([] { resolve_run("no-such-label", results_root); }),
            "no-such-label: neither a run directory nor a label stored under " + results_root.string());
  EXPECT_EQ(error_of([] { resolve_run("a", results_root, "other-test"); }),
            (results_root / "a" / "other-test").string() + ": no complete run stored there");
  auto tmp = fs::temp_directory_path() / ("memharness-reader-test-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "iterations" / "1");
  EXPECT_EQ(error_of([&] { read_run(tmp); }), tmp.string() + ": not a run directory (no manifest.json)");
  std::ofstream(tmp / "manifest.json") << "{\"schema_version\": 1, \"status\": \"complete\"}";
  std::ofstream(tmp / "iterations" / "1" / "result.json") << "{\"status\": ";
  auto message = error_of([&] { read_run(tmp); });
  EXPECT_EQ(message.rfind((tmp / "iterations" / "1" / "result.json").string() + ": not valid JSON", 0), 0u) << message;
  std::ofstream(tmp / "manifest.json") << "{\"schema_version\": 2}";
  EXPECT_EQ(error_of([&] { read_run(tmp); }),
            (tmp / "manifest.json").string() + ": schema_version 2 is not supported (this memharness reads 1)");
  fs::remove_all(tmp);
}

TEST(RunReader, TracepointsJsonIsMountedUnderTracepointsJson) {
  auto tmp = fs::temp_directory_path() / ("memharness-reader-tp-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "iterations" / "1");
  std::ofstream(tmp / "manifest.json") << "{\"schema_version\": 1, \"status\": \"complete\"}";
  std::ofstream(tmp / "iterations" / "1" / "result.json") << "{\"status\": \"complete\", \"elapsed_s\": 1.5}";
  std::ofstream(tmp / "iterations" / "1" / "tracepoints.json")
      << "{\"schema_version\": 1, \"scopes\": {\"system\": {\"kswapd\": {\"wakeups\": {\"count\": 7}}}}}";
  auto run = read_run(tmp);
  ASSERT_EQ(run.iterations.size(), 1u);
  ASSERT_TRUE(run.iterations[0].tracepoints.has_value());
  EXPECT_EQ(run.iterations[0].tracepoints->scopes["system"]["kswapd"]["wakeups"]["count"], 7);
  fs::remove_all(tmp);
}

// Run directories are input like any other (copied from other machines): a
// name or a record of the wrong shape is a usage error naming it, never a
// crash ("internal error: stoi", a JSON type_error) or a silent alias.
class DamagedRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(run_);
    fs::create_directories(run_.parent_path());
    fs::copy(results_root / "a" / "anon-dirty-quick" / "2026-11-22T04-54-45Z", run_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(run_.parent_path()); }
  fs::path run_ = fs::temp_directory_path() / ("memharness-damaged-run-" + std::to_string(::getpid())) / "run";
};

TEST_F(DamagedRunTest, AnIterationNumberTooLargeForAnIntIsNamed) {
  fs::create_directories(run_ / "iterations" / "99999999999");
  EXPECT_EQ(error_of([&] { read_run(run_); }), (run_ / "iterations" / "99999999999").string() +
                                                   ": not an iteration directory (iterations are numbered 1, 2, ...)");
}

TEST_F(DamagedRunTest, ALeadingZeroDoesNotAliasAnIteration) {
  fs::create_directories(run_ / "iterations" / "01");
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            (run_ / "iterations" / "01").string() + ": not an iteration directory (iterations are numbered 1, 2, ...)");
}

TEST_F(DamagedRunTest, PhasesOfTheWrongShapeAreNamed) {
  std::ofstream(run_ / "iterations" / "2" / "result.json") << R"({"status":"complete","phases":[1]})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            (run_ / "iterations" / "2" / "result.json").string() + ": \"phases\"[0] must be an object");
  std::ofstream(run_ / "iterations" / "2" / "result.json")
      << R"({"status":"complete","phases":[{"workloads":[{"instance":"a","metrics":[3]}]}]})";
  EXPECT_EQ(error_of([&] { read_run(run_); }), (run_ / "iterations" / "2" / "result.json").string() +
                                                   ": \"phases\"[0].\"workloads\"[0].\"metrics\" must be an object");
}

// Found by fuzz-run_directory: a number beyond a double ("1e3080") made
// nlohmann's parser throw out_of_range 406, not parse_error, so it escaped the
// reader as "internal error" instead of "not valid JSON".
TEST_F(DamagedRunTest, ANumberBeyondADoubleIsInvalidJsonNamingTheFile) {
  auto result = run_ / "iterations" / "2" / "result.json";
  std::ofstream(result) << R"({"status":"complete","elapsed_s":1e3080})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            result.string() + ": not valid JSON: [json.exception.out_of_range.406] number overflow parsing '1e3080'");
}

// What compare reads by name from a record and from tracepoints.json, of the
// wrong type: `compare` and `report` ended with "internal error:
// [json.exception.type_error.302]" (a string "iteration") and ".306" (an array
// for the tracepoint pairing). Now a usage error naming the file and member.
TEST_F(DamagedRunTest, MembersCompareReadsByNameOfTheWrongTypeAreNamed) {
  auto result = run_ / "iterations" / "2" / "result.json";
  std::ofstream(result) << R"({"status":"complete","iteration":"x"})";
  EXPECT_EQ(error_of([&] { read_run(run_); }), result.string() + ": \"iteration\" must be a whole number");
  std::ofstream(result) << R"({"status":"complete","iteration":1e300})";
  EXPECT_EQ(error_of([&] { read_run(run_); }), result.string() + ": \"iteration\" must be a whole number");
  std::ofstream(result) << R"({"status":"complete","tracepoint_recorder":[1]})";
  EXPECT_EQ(error_of([&] { read_run(run_); }), result.string() + ": \"tracepoint_recorder\" must be an object");
  std::ofstream(result) << R"({"status":"complete","tracepoint_recorder":{"kind":7}})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            result.string() + ": \"tracepoint_recorder\".\"kind\" must be a string or null");
  std::ofstream(result) << R"({"status":"complete","tracepoint_recorder":{"lost_events":"many"}})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            result.string() + ": \"tracepoint_recorder\".\"lost_events\" must be a number or null");
  std::ofstream(result) << R"({"status":"complete","tracepoint_recorder":{"lost_events_observable":0}})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            result.string() + ": \"tracepoint_recorder\".\"lost_events_observable\" must be true or false");
  std::ofstream(result) << R"({"status":"complete"})";
  auto tracepoints = run_ / "iterations" / "2" / "tracepoints.json";
  std::ofstream(tracepoints) << R"({"scopes":{"system":{"pairing":[1]}}})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            tracepoints.string() + ": \"scopes\".\"system\".\"pairing\" must be an object");
  std::ofstream(tracepoints) << R"({"scopes":{"system":{"pairing":{"unpaired_ends":-1}}}})";
  EXPECT_EQ(error_of([&] { read_run(run_); }),
            tracepoints.string() + ": \"scopes\".\"system\".\"pairing\".\"unpaired_ends\" must be a count");
  std::ofstream(tracepoints) << R"({"scopes":[]})";
  EXPECT_EQ(error_of([&] { read_run(run_); }), tracepoints.string() + ": \"scopes\" must be an object");
  // The shapes the harness writes are read as before.
  std::ofstream(result) << R"({"status":"complete","iteration":2,"tracepoint_recorder":{"kind":null,"reason":"r"}})";
  std::ofstream(tracepoints) << R"({"scopes":{"system":{"pairing":{"unpaired_ends":0,"open_stall_overflow":0}}}})";
  EXPECT_NO_THROW(read_run(run_));
}

}  // namespace
}  // namespace memharness::results
