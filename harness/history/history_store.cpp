#include "harness/history/history_store.h"

#include <unistd.h>

#include <algorithm>
#include <system_error>

#include <fmt/core.h>

#include "harness/analysis/metric_catalog.h"
#include "harness/common/error.h"
#include "harness/history/sqlite.h"

namespace memharness::history {

namespace fs = std::filesystem;

namespace {

constexpr const char* schema_sql = R"sql(
CREATE TABLE history_schema (version INTEGER NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,  -- relative to the results directory when below it
  test TEXT NOT NULL,
  label TEXT NOT NULL,
  kernel_release TEXT NOT NULL,
  config_hash TEXT,
  started_at TEXT NOT NULL,
  status TEXT NOT NULL,
  target TEXT,
  mem_total_bytes INTEGER,
  cpus INTEGER
);
CREATE INDEX runs_by_test_time ON runs (test, started_at);
CREATE TABLE metrics (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  unit TEXT NOT NULL,
  harmonic_mean INTEGER NOT NULL,
  decimals INTEGER NOT NULL
);
-- The complete iterations' values only: the ones compare's statistics use.
CREATE TABLE metric_values (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, metric, iteration)
) WITHOUT ROWID;
CREATE INDEX metric_values_by_metric ON metric_values (metric, run_id);
)sql";

std::string rebuild_hint(const fs::path& database) {
  return fmt::format("move it away or run `memharness history --rebuild --results {}`",
                     database.parent_path().empty() ? "." : database.parent_path().string());
}

int count_tables(Database& db, const char* name = nullptr) {
  auto stmt = db.prepare(name ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"
                              : "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  if (name) stmt.bind(1, std::string_view(name));
  stmt.step();
  return static_cast<int>(stmt.integer(0));
}

// Refuses a file that is not a history database of this schema, naming it,
// before anything is written to it.
void check_schema(Database& db) {
  if (count_tables(db, "history_schema") == 0)
    throw usage_error("{}: not a memharness history database (it has no history_schema table): {}", db.file().string(),
                      rebuild_hint(db.file()));
  auto stmt = db.prepare("SELECT version FROM history_schema");
  std::string version = stmt.step() ? stmt.text(0) : "none";
  if (version != std::to_string(history_schema_version))
    throw usage_error("{}: history database of schema version {}, this memharness reads version {}: {}",
                      db.file().string(), version, history_schema_version, rebuild_hint(db.file()));
}

// Creates the schema in a new database, or checks the one there. Two processes
// creating it at once: the second waits for the first's transaction, then
// finds the schema there.
void open_schema(Database& db, bool new_file) {
  try {
    db.exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
    if (new_file) db.exec("PRAGMA journal_mode=WAL");  // persistent, in the file; ours, so set before the schema
    if (count_tables(db) == 0) {
      Transaction tx(db);
      if (count_tables(db) == 0) {
        db.exec(schema_sql);
        auto version = db.prepare("INSERT INTO history_schema (version) VALUES (?1)");
        version.bind(1, history_schema_version).run();
      }
      tx.commit();
    }
    check_schema(db);
    db.exec("PRAGMA journal_mode=WAL");  // a no-op but for a database emptied by hand
  } catch (const SqliteError& e) {
    if (!e.not_a_database()) throw;
    throw usage_error("{}: not a memharness history database ({}): {}", db.file().string(),
                      sqlite3_errstr(e.sqlite_code()), rebuild_hint(db.file()));
  }
}

// The run's path as stored: relative to the results directory when below it, so
// a results directory moved elsewhere keeps its index.
std::string stored_path(const fs::path& run, const fs::path& results_root) {
  std::error_code ec;
  auto canonical_run = fs::weakly_canonical(run, ec);
  if (ec) canonical_run = fs::absolute(run);
  auto canonical_root = fs::weakly_canonical(results_root, ec);
  if (ec) canonical_root = fs::absolute(results_root);
  auto relative = canonical_run.lexically_relative(canonical_root);
  if (relative.empty() || *relative.begin() == "..") return canonical_run.string();
  return relative.string();
}

std::string where_filter(const char* metric_clause) {
  return fmt::format(
      "WHERE {} (?2 = '' OR r.test = ?2) AND (?3 = '' OR r.label = ?3) AND (?4 = '' OR r.started_at >= ?4)",
      metric_clause);
}

void bind_filter(Statement& stmt, const RunFilter& filter) {
  stmt.bind(2, filter.test).bind(3, filter.label).bind(4, filter.since);
}

}  // namespace

fs::path default_database(const fs::path& results_root) { return results_root / "history.db"; }

HistoryStore::HistoryStore(const fs::path& database, const fs::path& results_root) : results_root_(results_root) {
  std::error_code ec;
  auto size = fs::file_size(database, ec);
  bool new_file = ec || size == 0;
  db_ = std::make_unique<Database>(database, true);
  open_schema(*db_, new_file);
}

HistoryStore::~HistoryStore() = default;

void HistoryStore::add_run(const results::StoredRun& run) {
  Transaction tx(*db_);
  insert_run(run);
  tx.commit();
}

void HistoryStore::insert_run(const results::StoredRun& run) {
  auto path = stored_path(run.path, results_root_);
  auto remove = db_->prepare("DELETE FROM runs WHERE path = ?1");
  remove.bind(1, path).run();

  const auto& m = run.manifest;
  auto insert = db_->prepare(
      "INSERT INTO runs (path, test, label, kernel_release, config_hash, started_at, status, target, "
      "mem_total_bytes, cpus) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  insert.bind(1, path).bind(2, run.test()).bind(3, run.label()).bind(4, run.kernel_release());
  insert.bind(5, m.config ? std::optional<std::string>(m.config->hash) : std::nullopt);
  insert.bind(6, m.started_at.value_or("")).bind(7, run.status()).bind(8, m.target);
  insert.bind(9, m.mem_total_bytes()).bind(10, m.cpus());
  insert.run();
  auto run_id = static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_->handle()));

  auto complete = run.complete_iterations();
  auto metric = db_->prepare(
      "INSERT INTO metrics (id, title, unit, harmonic_mean, decimals) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (id) DO UPDATE SET title = excluded.title, unit = excluded.unit, "
      "harmonic_mean = excluded.harmonic_mean, decimals = excluded.decimals");
  auto value = db_->prepare("INSERT INTO metric_values (run_id, metric, iteration, value) VALUES (?1, ?2, ?3, ?4)");
  for (const auto& def : analysis::build_catalog(complete)) {
    bool any = false;
    for (const auto* it : complete) {
      auto v = def.extract(*it);
      if (!v) continue;  // a metric missing from an iteration has no value, never 0 (as in compare)
      value.bind(1, run_id).bind(2, def.id).bind(3, it->number).bind(4, *v).run();
      any = true;
    }
    if (any)
      metric.bind(1, def.id)
          .bind(2, def.title)
          .bind(3, def.unit)
          .bind(4, def.harmonic_mean ? 1 : 0)
          .bind(5, def.decimals)
          .run();
  }
}

RebuildSummary HistoryStore::index_all() {
  RebuildSummary summary;
  Transaction tx(*db_);
  for (const auto& label : results::list_labels(results_root_))
    for (const auto& test : results::list_tests(results_root_, label))
      for (const auto& dir : results::list_runs(results_root_, label, test)) {
        try {
          insert_run(results::read_run(dir));
          ++summary.runs;
        } catch (const Error& e) {
          summary.skipped.push_back(e.what());
        }
      }
  tx.commit();
  return summary;
}

std::vector<MetricCount> HistoryStore::metric_counts(const RunFilter& filter) {
  auto stmt = db_->prepare(
      "SELECT v.metric, m.title, m.unit, count(DISTINCT r.id) FROM metric_values v JOIN runs r ON r.id = v.run_id "
      "JOIN metrics m ON m.id = v.metric " +
      where_filter("") + " GROUP BY v.metric ORDER BY v.metric");
  bind_filter(stmt, filter);
  std::vector<MetricCount> out;
  while (stmt.step()) out.push_back({stmt.text(0), stmt.text(1), stmt.text(2), static_cast<int>(stmt.integer(3))});
  return out;
}

MetricSeries HistoryStore::series(const std::string& metric, const RunFilter& filter) {
  MetricSeries s;
  s.metric = metric;
  s.test = filter.test;
  {
    auto tests = db_->prepare("SELECT DISTINCT r.test FROM metric_values v JOIN runs r ON r.id = v.run_id " +
                              where_filter("v.metric = ?1 AND") + " ORDER BY r.test");
    tests.bind(1, metric);
    bind_filter(tests, filter);
    std::vector<std::string> found;
    while (tests.step()) found.push_back(tests.text(0));
    if (found.empty())
      throw usage_error(
          "--metric {}: no indexed run has this metric{}: `memharness history` without --metric "
          "lists the metrics",
          metric,
          filter.test.empty() && filter.label.empty() && filter.since.empty() ? "" : " among the runs selected");
    if (found.size() > 1) {
      std::string names;
      for (const auto& t : found) names += (names.empty() ? "" : ", ") + t;
      throw usage_error("--metric {}: runs of several tests have it ({}): name one with --test", metric, names);
    }
    s.test = found.front();
  }
  auto def = db_->prepare("SELECT title, unit, harmonic_mean, decimals FROM metrics WHERE id = ?1");
  def.bind(1, metric);
  if (def.step()) {
    s.title = def.text(0);
    s.unit = def.text(1);
    s.harmonic_mean = def.integer(2) != 0;
    s.decimals = static_cast<int>(def.integer(3));
  }
  auto rows = db_->prepare(
      "SELECT r.id, r.started_at, r.label, r.kernel_release, r.path, v.value FROM metric_values v "
      "JOIN runs r ON r.id = v.run_id " +
      where_filter("v.metric = ?1 AND") + " ORDER BY r.started_at, r.path, v.iteration");
  rows.bind(1, metric);
  bind_filter(rows, filter);
  std::int64_t last_run = -1;
  while (rows.step()) {
    if (rows.integer(0) != last_run) {
      last_run = rows.integer(0);
      s.points.push_back({rows.text(1), rows.text(2), rows.text(3), rows.text(4), {}});
    }
    s.points.back().values.push_back(rows.real(5));
  }
  return s;
}

std::string HistoryStore::dump() {
  std::string out;
  auto runs = db_->prepare(
      "SELECT path, test, label, kernel_release, config_hash, started_at, status, target, mem_total_bytes, cpus "
      "FROM runs ORDER BY path");
  while (runs.step()) {
    out += "run";
    for (int c = 0; c < 10; ++c) out += "|" + (runs.is_null(c) ? std::string("NULL") : runs.text(c));
    out += '\n';
  }
  auto metrics = db_->prepare("SELECT id, title, unit, harmonic_mean, decimals FROM metrics ORDER BY id");
  while (metrics.step())
    out += fmt::format("metric|{}|{}|{}|{}|{}\n", metrics.text(0), metrics.text(1), metrics.text(2), metrics.integer(3),
                       metrics.integer(4));
  auto values = db_->prepare(
      "SELECT r.path, v.metric, v.iteration, v.value FROM metric_values v JOIN runs r ON r.id = v.run_id "
      "ORDER BY r.path, v.metric, v.iteration");
  while (values.step())
    out += fmt::format("value|{}|{}|{}|{:.17g}\n", values.text(0), values.text(1), values.integer(2), values.real(3));
  auto version = db_->prepare("SELECT version FROM history_schema");
  while (version.step()) out += fmt::format("schema|{}\n", version.integer(0));
  return out;
}

int HistoryStore::run_count() {
  auto stmt = db_->prepare("SELECT count(*) FROM runs");
  stmt.step();
  return static_cast<int>(stmt.integer(0));
}

RebuildSummary rebuild(const fs::path& database, const fs::path& results_root) {
  auto temporary = database;
  temporary += fmt::format(".rebuild-{}", ::getpid());
  auto remove_temporary = [&] {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(fs::path(temporary.string() + suffix), ec);
  };
  remove_temporary();  // left by a rebuild that was killed
  RebuildSummary summary;
  try {
    {
      HistoryStore store(temporary, results_root);
      summary = store.index_all();
    }  // closed: the last connection checkpoints the WAL into the file and removes it
    std::error_code ec;
    // A WAL left beside the old file by a writer that was killed would be
    // replayed into the new file under the same name: fold it into the old
    // file first (closing the last connection removes it).
    if (fs::exists(database.string() + "-wal", ec)) {
      try {
        Database old(database, false);
        old.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (const Error&) {  // not a database: nothing of it to keep
      }
    }
    fs::rename(temporary, database, ec);
    if (ec) throw usage_error("{}: cannot replace it with the rebuilt database: {}", database.string(), ec.message());
  } catch (...) {
    remove_temporary();
    throw;
  }
  return summary;
}

void index_finished_runs(const fs::path& results_root, const std::vector<fs::path>& runs, std::ostream& warnings) {
  if (std::all_of(runs.begin(), runs.end(), [](const fs::path& run) { return run.empty(); })) return;
  auto database = default_database(results_root);
  try {
    HistoryStore store(database, results_root);
    for (const auto& run : runs) {
      if (run.empty()) continue;  // interrupted before its run directory existed
      try {
        store.add_run(results::read_run(run));
      } catch (const std::exception& e) {
        warnings << fmt::format("memharness: warning: history: {} not indexed: {}\n", run.string(), e.what());
      }
    }
  } catch (const std::exception& e) {
    warnings << fmt::format("memharness: warning: history: runs not indexed: {}\n", e.what());
  }
}

}  // namespace memharness::history
