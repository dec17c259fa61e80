#include "store/sqlite/db.hpp"

#include <sqlite3.h>

#include <utility>

namespace chartroom::store::sqlite {

Error SqliteError(int code, std::string_view what, sqlite3* db) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCategory::kBusy, "store.busy", std::move(message));
    case SQLITE_FULL:
      return Error(ErrorCategory::kUnavailable, "store.disk-full", std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error(ErrorCategory::kInternal, "store.corrupt", std::move(message));
    case SQLITE_CONSTRAINT:
      return Error(ErrorCategory::kInternal, "store.constraint", std::move(message));
    default:
      return Error(ErrorCategory::kUnavailable, "store.sqlite", std::move(message));
  }
}

// ---- Stmt -------------------------------------------------------------------------------------

Stmt::Stmt(Connection* owner, sqlite3_stmt* stmt, bool cached)
    : owner_(owner), stmt_(stmt), cached_(cached) {}

Stmt::Stmt(Stmt&& other) noexcept
    : owner_(other.owner_), stmt_(std::exchange(other.stmt_, nullptr)), cached_(other.cached_) {}

Stmt::~Stmt() {
  if (stmt_ != nullptr) owner_->Release(stmt_, cached_);
}

Stmt& Stmt::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  // An empty view may have no data pointer, which SQLite would bind as NULL.
  sqlite3_bind_text64(stmt_, index, text.data() != nullptr ? text.data() : "", text.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data() != nullptr ? bytes.data() : "", bytes.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Stmt& Stmt::Bind(int index, const BindValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          BindNull(index);
        } else if constexpr (std::is_same_v<T, Blob>) {
          BindBlob(index, v.bytes);
        } else if constexpr (std::is_same_v<T, std::string>) {
          Bind(index, std::string_view(v));
        } else {
          Bind(index, v);
        }
      },
      value);
  return *this;
}

Stmt& Stmt::BindAll(const std::vector<BindValue>& values, int first) {
  for (std::size_t i = 0; i < values.size(); ++i) Bind(first + static_cast<int>(i), values[i]);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(SqliteError(rc, "step", sqlite3_db_handle(stmt_)));
}

Status Stmt::Run() {
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return tl::unexpected(SqliteError(rc, "run", sqlite3_db_handle(stmt_)));
  sqlite3_reset(stmt_);
  return Ok();
}

void Stmt::Reset() { sqlite3_reset(stmt_); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Stmt::Real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Stmt::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::string_view Stmt::BlobView(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

BindValue Stmt::Value(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return Int(column);
    case SQLITE_FLOAT:
      return Real(column);
    case SQLITE_TEXT:
      return std::string(Text(column));
    case SQLITE_BLOB:
      return Blob{std::string(BlobView(column))};
    default:
      return nullptr;
  }
}

// ---- Connection -------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Mode mode) {
  // Memory statistics take one process-wide mutex on every allocation SQLite makes; with readers
  // and writers on several threads that mutex is contended. Nothing here reads the statistics.
  // The setting must precede the library's initialization, hence once, before the first open.
  static const bool configured = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= mode == Mode::kReadWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                                    : SQLITE_OPEN_READONLY;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = std::string("cannot open the database: ") +
                          (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return Fail(ErrorCategory::kUnavailable, "store.open", message);
  }
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
  sqlite3_close_v2(db_);
}

Result<Stmt> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Stmt(this, it->second.stmt, true);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              it == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(rc, "prepare", db_);
    return Fail(ErrorCategory::kInternal, "store.sql", e.message());
  }
  if (it != cache_.end()) return Stmt(this, stmt, false);  // nested use of a cached statement
  auto [inserted, ok] = cache_.emplace(std::string(sql), CacheEntry{stmt, true});
  by_stmt_[stmt] = &inserted->second;
  return Stmt(this, stmt, true);
}

void Connection::Release(sqlite3_stmt* stmt, bool cached) {
  if (!cached) {
    sqlite3_finalize(stmt);
    return;
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  auto it = by_stmt_.find(stmt);
  if (it != by_stmt_.end()) it->second->in_use = false;
}

Status Connection::Exec(std::string_view sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    return tl::unexpected(SqliteError(rc, "exec", db_));
  }
  return Ok();
}

Result<std::optional<std::int64_t>> Connection::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row || stmt->IsNull(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(stmt->Int(0));
}

std::int64_t Connection::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace chartroom::store::sqlite
