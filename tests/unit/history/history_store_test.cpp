// The history store against copies of the fixture runs
// (tests/fixtures/runs/README.md): its schema, rebuild against incremental
// adds, refusal of files that are not its own, concurrent writers, agreement
// with compare's values, and the text and CSV output against golden files (to
// accept a deliberate change: MEMHARNESS_UPDATE_GOLDEN=1
// build/tests/unit/history/unit-history, then review the diff).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness/analysis/comparison.h"
#include "harness/common/error.h"
#include "harness/history/history_render.h"
#include "harness/history/history_store.h"
#include "harness/history/sqlite.h"
#include "harness/results/run_manifest.h"
#include "harness/results/run_reader.h"
#include "tests/unit/golden_file.h"

namespace memharness::history {
namespace {

namespace fs = std::filesystem;
const fs::path fixture_runs = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs";
const fs::path fixture_run = fixture_runs / "results" / "a" / "anon-dirty-quick" / "2026-11-22T04-54-45Z";

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every run directory below root, as the typed reader lists them.
std::vector<fs::path> all_runs(const fs::path& root) {
  std::vector<fs::path> runs;
  for (const auto& label : results::list_labels(root))
    for (const auto& test : results::list_tests(root, label))
      for (const auto& run : results::list_runs(root, label, test)) runs.push_back(run);
  return runs;
}

class HistoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("memharness-history-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    root_ = dir_ / "results";
    fs::copy(fixture_runs / "results", root_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A copy of the fixture run stored as label/test/timestamp, its manifest saying so.
  fs::path add_copy(const std::string& label, const std::string& test, const std::string& started_at) {
    std::string stamp = started_at;
    std::replace(stamp.begin(), stamp.end(), ':', '-');
    auto run = root_ / label / test / stamp;
    fs::create_directories(run.parent_path());
    fs::copy(fixture_run, run, fs::copy_options::recursive);
    auto manifest = results::read_run_manifest(run / "manifest.json");
    manifest.label = label;
    manifest.test = test;
    manifest.started_at = started_at;
    nlohmann::json j;
    to_json(j, manifest);
    std::ofstream(run / "manifest.json") << j.dump(2) << '\n';
    return run;
  }

  fs::path dir_, root_;
};

TEST_F(HistoryStoreTest, ANewDatabaseHasTheVersionedSchemaInWalMode) {
  auto file = dir_ / "history.db";
  { HistoryStore store(file, root_); }
  Database db(file, false);
  auto version = db.prepare("SELECT version FROM history_schema");
  ASSERT_TRUE(version.step());
  EXPECT_EQ(version.integer(0), history_schema_version);
  EXPECT_FALSE(version.step());  // one row
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  for (const char* table : {"runs", "metrics", "metric_values"}) {
    auto found = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
    found.bind(1, std::string(table)).step();
    EXPECT_EQ(found.integer(0), 1) << table;
  }
}

TEST_F(HistoryStoreTest, RebuildIndexesEveryRunWithItsManifest) {
  auto file = default_database(root_);
  auto summary = rebuild(file, root_);
  auto runs = all_runs(root_);
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(summary.runs, static_cast<int>(runs.size()));
  EXPECT_TRUE(summary.skipped.empty());
  EXPECT_FALSE(fs::exists(file.string() + "-wal"));        // the rebuilt file is whole: no WAL beside it
  for (const auto& entry : fs::directory_iterator(root_))  // no temporary left
    EXPECT_EQ(entry.path().filename().string().find(".rebuild-"), std::string::npos) << entry.path();
  HistoryStore store(file, root_);
  EXPECT_EQ(store.run_count(), static_cast<int>(runs.size()));
  auto dump = store.dump();
  auto run = results::read_run(fixture_run);
  // path|test|label|kernel|config hash|started_at|status|target|MemTotal|CPUs
  std::string row =
      fmt::format("run|a/anon-dirty-quick/2026-11-22T04-54-45Z|anon-dirty-quick|a|{}|{}|{}|{}|", run.kernel_release(),
                  run.manifest.config->hash, *run.manifest.started_at, run.status());
  EXPECT_NE(dump.find(row), std::string::npos) << row << "\nnot in\n" << dump;
}

TEST_F(HistoryStoreTest, IncrementalAddsInAnyOrderEqualARebuild) {
  rebuild(dir_ / "rebuilt.db", root_);
  auto runs = all_runs(root_);
  std::reverse(runs.begin(), runs.end());
  {
    HistoryStore incremental(dir_ / "incremental.db", root_);
    for (const auto& run : runs) incremental.add_run(results::read_run(run));
    incremental.add_run(results::read_run(runs.front()));  // adding again replaces, never duplicates
  }
  HistoryStore rebuilt(dir_ / "rebuilt.db", root_), incremental(dir_ / "incremental.db", root_);
  EXPECT_EQ(rebuilt.dump(), incremental.dump());
  EXPECT_GT(rebuilt.dump().size(), 1000u);
}

TEST_F(HistoryStoreTest, ASecondRebuildIsIdentical) {
  auto file = dir_ / "history.db";
  rebuild(file, root_);
  auto first_bytes = file_bytes(file);
  std::string first_dump = HistoryStore(file, root_).dump();
  rebuild(file, root_);
  EXPECT_EQ(HistoryStore(file, root_).dump(), first_dump);
  rebuild(file, root_);
  EXPECT_EQ(file_bytes(file), first_bytes);  // nothing depends on the time or the order of the disk
}

// A writer killed with its connection open leaves history.db-wal behind; a
// rebuild must not let SQLite replay it into the new file.
TEST_F(HistoryStoreTest, ARebuildAfterAKilledWriterIsWhole) {
  auto file = default_database(root_);
  auto extra = add_copy("killed", "anon-dirty-quick", "2026-10-01T00:00:00Z");
  { HistoryStore store(file, root_); }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto* store = new HistoryStore(file, root_);  // never closed: as if killed
    store->add_run(results::read_run(extra));
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(fs::exists(file.string() + "-wal"));
  fs::remove_all(extra);  // gone from the run directories: the rebuild must not have it
  rebuild(file, root_);
  EXPECT_FALSE(fs::exists(file.string() + "-wal"));
  HistoryStore store(file, root_);
  EXPECT_EQ(store.run_count(), static_cast<int>(all_runs(root_).size()));
  Database db(file, false);
  auto check = db.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
}

TEST_F(HistoryStoreTest, AFileThatIsNotAHistoryDatabaseIsRefusedNamingIt) {
  auto garbage = dir_ / "garbage.db";
  std::ofstream(garbage) << std::string(4096, 'x');
  auto short_garbage = dir_ / "short.db";  // shorter than SQLite's header
  std::ofstream(short_garbage) << "junk\n";
  auto foreign = dir_ / "foreign.db";
  {
    Database db(foreign, true);
    db.exec("CREATE TABLE something (x)");
  }
  auto other_version = dir_ / "v99.db";
  {
    { HistoryStore store(other_version, root_); }
    Database db(other_version, false);
    db.exec("UPDATE history_schema SET version = 99");
  }
  for (const auto& [file, expected] : {std::pair{garbage, std::string("not a memharness history database")},
                                       std::pair{short_garbage, std::string("not a memharness history database")},
                                       std::pair{foreign, std::string("not a memharness history database")},
                                       std::pair{other_version, std::string("schema version 99")}}) {
    try {
      HistoryStore store(file, root_);
      ADD_FAILURE() << file << " was opened";
    } catch (const Error& e) {
      std::string message = e.what();
      EXPECT_EQ(e.code(), ExitCode::usage);
      EXPECT_NE(message.find(file.string()), std::string::npos) << message;
      EXPECT_NE(message.find(expected), std::string::npos) << message;
      EXPECT_NE(message.find("--rebuild"), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    rebuild(file, root_);  // the run directories are the truth: a rebuild replaces it
    EXPECT_EQ(HistoryStore(file, root_).run_count(), static_cast<int>(all_runs(root_).size())) << file;
  }
}

TEST_F(HistoryStoreTest, ConcurrentWritersLoseNothing) {
  std::vector<fs::path> runs;
  for (int i = 0; i < 60; ++i)
    runs.push_back(add_copy("many", "anon-dirty-quick", fmt::format("2026-10-01T00:{:02}:{:02}Z", i / 60, i % 60)));
  auto file = dir_ / "history.db";
  { HistoryStore store(file, root_); }  // the schema first; creating it concurrently is the next test's
  auto add_every_third = [&](int start) {
    HistoryStore store(file, root_);
    for (std::size_t i = static_cast<std::size_t>(start); i < runs.size(); i += 3)
      store.add_run(results::read_run(runs[i]));
  };
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      add_every_third(0);
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  std::thread other([&] { add_every_third(1); });
  add_every_third(2);
  other.join();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the writing process failed";
  HistoryStore store(file, root_);
  EXPECT_EQ(store.run_count(), static_cast<int>(runs.size()));
  auto series = store.series("elapsed", {.test = "", .label = "many", .since = ""});
  EXPECT_EQ(series.points.size(), runs.size());
}

TEST_F(HistoryStoreTest, ConcurrentCreatorsAgreeOnOneSchema) {
  auto file = dir_ / "fresh.db";
  auto run = all_runs(root_).front();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      HistoryStore(file, root_).add_run(results::read_run(run));
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  HistoryStore(file, root_).add_run(results::read_run(run));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  Database db(file, false);
  auto versions = db.prepare("SELECT count(*) FROM history_schema");
  versions.step();
  EXPECT_EQ(versions.integer(0), 1);
  EXPECT_EQ(HistoryStore(file, root_).run_count(), 1);
}

TEST_F(HistoryStoreTest, EveryValueIsTheOneCompareComputes) {
  auto file = dir_ / "history.db";
  rebuild(file, root_);
  HistoryStore store(file, root_);
  int compared = 0;
  for (const auto& dir : all_runs(root_)) {
    auto run = results::read_run(dir);
    auto comparison = analysis::compare_runs({run}, {});
    auto relative = fs::relative(dir, root_).string();
    for (const auto& metric : comparison.metrics) {
      const auto& expected = metric.cells.front().values;
      if (expected.empty()) continue;
      auto series = store.series(metric.def.id, {.test = run.test(), .label = run.label(), .since = ""});
      auto point = std::find_if(series.points.begin(), series.points.end(),
                                [&](const SeriesPoint& p) { return p.path == relative; });
      ASSERT_NE(point, series.points.end()) << metric.def.id << " of " << relative;
      EXPECT_EQ(point->values, expected) << metric.def.id << " of " << relative;
      EXPECT_EQ(series.harmonic_mean, metric.def.harmonic_mean) << metric.def.id;
      ++compared;
    }
  }
  EXPECT_GT(compared, 100);
}

TEST_F(HistoryStoreTest, FiltersSelectRunsAndSeveralTestsNeedOne) {
  add_copy("later", "anon-dirty-quick", "2026-12-24T10:00:00Z");
  add_copy("later", "other-test", "2026-12-25T10:00:00Z");
  auto file = dir_ / "history.db";
  rebuild(file, root_);
  HistoryStore store(file, root_);
  auto since = store.series("elapsed", {.test = "anon-dirty-quick", .label = "", .since = "2026-12-02"});
  ASSERT_EQ(since.points.size(), 1u);
  EXPECT_EQ(since.points.front().label, "later");
  auto labelled = store.series("elapsed", {.test = "", .label = "a", .since = ""});
  EXPECT_EQ(labelled.points.size(), results::list_runs(root_, "a", "anon-dirty-quick").size());
  ASSERT_GE(labelled.points.size(), 2u);
  EXPECT_LE(labelled.points[0].started_at, labelled.points[1].started_at);
  try {
    store.series("elapsed", {});
    ADD_FAILURE() << "several tests were mixed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("anon-dirty-quick, other-test"), std::string::npos) << e.what();
  }
  EXPECT_THROW(store.series("no-such-metric", {}), Error);
  auto counts = store.metric_counts({.test = "other-test", .label = "", .since = ""});
  ASSERT_FALSE(counts.empty());
  for (const auto& c : counts) EXPECT_EQ(c.runs, 1) << c.metric;
}

class HistoryGolden : public HistoryStoreTest {
 protected:
  static void check(const std::string& name, const std::string& actual) {
    testing::check_golden(fixture_runs / "golden" / name, actual);
  }
};

TEST_F(HistoryGolden, SeriesAndMetricListAsTextAndCsv) {
  auto file = dir_ / "history.db";
  rebuild(file, root_);
  HistoryStore store(file, root_);
  auto series = store.series("elapsed", {});
  for (auto [format, name] :
       {std::pair{HistoryFormat::text, "history-elapsed.txt"}, std::pair{HistoryFormat::csv, "history-elapsed.csv"}}) {
    std::ostringstream out;
    render_series(out, series, format);
    check(name, out.str());
  }
  std::ostringstream metrics;
  render_metric_counts(metrics, store.metric_counts({}), HistoryFormat::text);
  check("history-metrics.txt", metrics.str());
}

}  // namespace
}  // namespace memharness::history
