#pragma once
// The history store: an SQLite index (<results>/history.db) of every run
// directory's manifest and every metric's per-iteration values, so a metric's
// series over months of runs is one query instead of reading thousands of
// directories (docs/history.md). The run directories stay the source of truth:
// rebuild() recreates the index from them. Runs are read only through
// results/run_reader and their values only through analysis/metric_catalog,
// so history and compare agree on every value.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/results/run_reader.h"

namespace memharness::history {

// The schema of history.db; a database of another version is refused (and
// replaced by rebuild()).
inline constexpr int history_schema_version = 1;

std::filesystem::path default_database(const std::filesystem::path& results_root);

class Database;

struct RunFilter {
  std::string test;   // empty: every test
  std::string label;  // empty: every label
  std::string since;  // ISO 8601 UTC prefix ("2026-11-01" or "2026-11-01T12:00:00Z"); empty: all
};

struct MetricCount {
  std::string metric, title, unit;
  int runs = 0;
};

struct SeriesPoint {
  std::string started_at, label, kernel_release, path;
  std::vector<double> values;  // the complete iterations', in iteration order
};

struct MetricSeries {
  std::string metric, title, unit, test;
  bool harmonic_mean = false;       // the mean of a rate is harmonic, as in compare
  int decimals = 2;                 // as compare prints it
  std::vector<SeriesPoint> points;  // by started_at, then path
};

struct RebuildSummary {
  int runs = 0;
  std::vector<std::string> skipped;  // "PATH: why" of each run directory that could not be read
};

class HistoryStore {
 public:
  // Opens the database, creating an empty one of this schema when the file does
  // not exist. Throws usage_error naming the file when it is not a memharness
  // history database or is of another schema version.
  HistoryStore(const std::filesystem::path& database, const std::filesystem::path& results_root);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // Indexes one run (replacing what was indexed for its directory before), in
  // one transaction: a concurrent writer waits, nothing is lost.
  void add_run(const results::StoredRun& run);

  std::vector<MetricCount> metric_counts(const RunFilter& filter);
  // Throws usage_error when no run has the metric, or runs of several tests
  // match and filter.test is empty.
  MetricSeries series(const std::string& metric, const RunFilter& filter);
  // Every row of every table but the internal ids, sorted: what two databases
  // of the same runs must agree on.
  std::string dump();
  int run_count();
  // Indexes every run directory under the results directory in one
  // transaction (rebuild()); a run that cannot be read is skipped and named.
  RebuildSummary index_all();

 private:
  void insert_run(const results::StoredRun& run);

  std::unique_ptr<Database> db_;
  std::filesystem::path results_root_;
};

// Recreates the database from every run directory under results_root: built in
// a temporary file beside it, then renamed over it, so a reader sees the old
// index or the new one, never half of one.
RebuildSummary rebuild(const std::filesystem::path& database, const std::filesystem::path& results_root);

// Adds the run directories a command just finished to the default database of
// results_root. Never throws: a failure is one warning line on `warnings`, as
// indexing is a convenience and never fails a run.
void index_finished_runs(const std::filesystem::path& results_root, const std::vector<std::filesystem::path>& runs,
                         std::ostream& warnings);

}  // namespace memharness::history
