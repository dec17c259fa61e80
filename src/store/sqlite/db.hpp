// A thin RAII layer over the SQLite C API for the SQLite store: a Connection owns one sqlite3
// handle and a cache of prepared statements; a Stmt is a leased, bound, steppable statement that
// resets itself when it goes out of scope. Every SQLite failure becomes an Error here, so the rest
// of the backend deals in Result values only.
//
// Error mapping (stable codes): SQLITE_BUSY/LOCKED -> kBusy "store.busy"; SQLITE_FULL ->
// kUnavailable "store.disk-full"; SQLITE_CORRUPT/NOTADB -> kInternal "store.corrupt";
// SQLITE_CONSTRAINT -> kInternal "store.constraint" (the store checks its invariants before it
// writes, so a constraint failure is a bug); anything else -> kUnavailable "store.sqlite".
// Messages carry SQLite's text, which names tables and columns but never values.
//
// Thread safety: none. A Connection and its statements belong to one thread at a time (the
// connections are opened with SQLITE_OPEN_NOMUTEX); the store hands connections to threads.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "store/common/bind_value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace chartroom::store::sqlite {

// A value bound to a `?` placeholder (SQLite copies text and blobs when they are bound).
using common::BindValue;
using common::Blob;

Error SqliteError(int code, std::string_view what, sqlite3* db);

class Connection;

// A prepared statement on loan from a Connection. Binding is positional (1-based); Step()
// returns true while rows are available. Column accessors read the current row.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int index, std::int64_t value);
  Stmt& Bind(int index, double value);
  // Text and blobs are copied into SQLite.
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& BindNull(int index);
  Stmt& Bind(int index, const BindValue& value);
  // Binds values[i] to placeholder first + i.
  Stmt& BindAll(const std::vector<BindValue>& values, int first = 1);

  // Advances to the next row: true if there is one, false when done.
  [[nodiscard]] Result<bool> Step();
  // Runs a statement that returns no rows (or ignores them).
  [[nodiscard]] Status Run();
  // Resets for re-execution with the same bindings (they are kept).
  void Reset();

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  double Real(int column) const;
  std::string_view Text(int column) const;  // valid until the next Step/Reset
  std::string_view BlobView(int column) const;
  BindValue Value(int column) const;

 private:
  friend class Connection;
  Stmt(Connection* owner, sqlite3_stmt* stmt, bool cached);

  Connection* owner_;
  sqlite3_stmt* stmt_;
  bool cached_;
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating when kReadWrite) the database at `path`. kUnavailable "store.open" when the
  // file cannot be opened.
  [[nodiscard]] static Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepares `sql` once and keeps it; a statement already on loan is prepared afresh (and
  // finalized after use), so nested use of the same SQL is safe. Fails when the SQL is invalid,
  // which is a bug (kInternal "store.sql").
  [[nodiscard]] Result<Stmt> Prepare(std::string_view sql);
  // Runs one or more statements without parameters (pragmas, DDL, BEGIN/COMMIT).
  [[nodiscard]] Status Exec(std::string_view sql);
  // Runs a query returning one integer (e.g. PRAGMA user_version); nullopt for no row.
  [[nodiscard]] Result<std::optional<std::int64_t>> QueryInt(std::string_view sql);

  std::int64_t LastInsertRowid() const;
  bool InTransaction() const;
  sqlite3* handle() const { return db_; }

 private:
  friend class Stmt;
  struct CacheEntry {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Lookup by string_view, so that finding a cached statement allocates nothing.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };
  explicit Connection(sqlite3* db) : db_(db) {}
  void Release(sqlite3_stmt* stmt, bool cached);

  sqlite3* db_;
  std::unordered_map<std::string, CacheEntry, SqlHash, std::equal_to<>> cache_;
  std::unordered_map<sqlite3_stmt*, CacheEntry*> by_stmt_;
};

}  // namespace chartroom::store::sqlite
