#pragma once
// A small RAII wrapper over SQLite's C API (Debian's libsqlite3): a connection
// and its prepared statements are closed by their destructors on every way
// out, and every failing call throws a usage_error naming the database file and
// what SQLite said. Only what the history store needs is here.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "harness/common/error.h"

namespace memharness::history {

class Statement;

// What a failing SQLite call throws: a usage_error naming the file, with
// SQLite's primary result code (SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_BUSY...).
class SqliteError : public Error {
 public:
  SqliteError(int code, std::string message) : Error(ExitCode::usage, std::move(message)), sqlite_code_(code) {}
  int sqlite_code() const noexcept { return sqlite_code_; }
  // The file is not an SQLite database, or a damaged one.
  bool not_a_database() const noexcept { return sqlite_code_ == SQLITE_NOTADB || sqlite_code_ == SQLITE_CORRUPT; }

 private:
  int sqlite_code_;
};

class Database {
 public:
  // Opens (creating when `create`) the file; waits up to busy_timeout_ms for another writer's lock.
  Database(const std::filesystem::path& file, bool create, int busy_timeout_ms = 30000) : file_(file) {
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw usage_error("{}: cannot open the history database: {}", file.string(), message);
    }
    sqlite3_busy_timeout(db_, busy_timeout_ms);
  }
  ~Database() { sqlite3_close_v2(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.
  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw failure(text);
    }
  }
  Statement prepare(std::string_view sql);

  SqliteError failure(const std::string& what) const {
    return SqliteError(sqlite3_errcode(db_) & 0xff, fmt::format("{}: history database: {}", file_.string(), what));
  }
  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() const { return db_; }

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql) : db_(&db) {
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      throw db.failure(sqlite3_errmsg(db.handle()));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, std::string_view text) {
    check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int index, double value) {
    check(sqlite3_bind_double(stmt_, index, value));
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    if (value) return bind(index, *value);
    check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // Advances to the next row: true while there is one.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw db_->failure(sqlite3_errmsg(db_->handle()));
  }
  // Runs a statement without results, then makes it ready to run again with new parameters.
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : "";
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::optional<std::int64_t> optional_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional<std::int64_t>(integer(column));
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw db_->failure(sqlite3_errmsg(db_->handle()));
  }
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

inline Statement Database::prepare(std::string_view sql) { return Statement(*this, sql); }

// A write transaction: BEGIN IMMEDIATE takes the write lock at once (waiting out
// the busy timeout), so two writers never deadlock upgrading a read lock; rolled
// back unless commit() was reached.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace memharness::history
