// A thin RAII layer over libpq for the PostgreSQL store, with the statement interface of the
// SQLite layer (store/sqlite/db.hpp) so that the shared read operations (common/read_ops.hpp)
// run on either: a Connection owns one PGconn and a cache of server-side prepared statements; a
// Stmt is a bound statement that runs on its first Step() and then walks its result rows.
// Placeholders are written `?` (as the shared query builder writes them) and numbered `$1..$n`
// here. Every libpq failure becomes an Error here, so the rest of the backend deals in Result
// values only.
//
// Error mapping (stable codes, by SQLSTATE): connection failures (class 08, server shutdown 57P,
// a broken connection) -> kUnavailable "store.unavailable"; serialization failure and deadlock
// (40001, 40P01), lock timeouts (55P03) -> kBusy "store.busy"; insufficient resources (class 53,
// e.g. disk full) -> kUnavailable "store.disk-full"; data corruption (XX001, XX002) -> kInternal
// "store.corrupt"; constraint violations (class 23) -> kInternal "store.constraint" (the store
// checks its invariants before it writes, so one is a bug); SQL errors (class 42) -> kInternal
// "store.sql"; anything else -> kUnavailable "store.postgres". Messages carry the SQLSTATE and,
// only for classes whose text names no stored value (08, 42, 53, 57, 40, XX), the server's
// primary message: never a value.
//
// Thread safety: none. A Connection and its statements belong to one thread at a time; the
// store hands connections to threads.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "store/common/bind_value.hpp"

struct pg_conn;
struct pg_result;

namespace chartroom::store::postgres {

using common::BindValue;
using common::Blob;

class Connection;

// The Error of a failed result (or of the connection when `result` is null).
Error PgError(const pg_result* result, pg_conn* conn, std::string_view what);

class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int index, std::int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& BindNull(int index);
  Stmt& Bind(int index, const BindValue& value);
  Stmt& BindAll(const std::vector<BindValue>& values, int first = 1);

  // Runs the statement on the first call; true while rows are available.
  [[nodiscard]] Result<bool> Step();
  // Runs a statement whose rows are ignored.
  [[nodiscard]] Status Run();
  // Drops the result; the bindings are kept for another run.
  void Reset();

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  double Real(int column) const;
  std::string_view Text(int column) const;      // valid until the next Step/Reset
  std::string_view BlobView(int column) const;  // bytea, decoded; valid until the next Step/Reset
  BindValue Value(int column) const;            // by the column's type

 private:
  friend class Connection;
  Stmt(Connection* owner, std::string sql) : owner_(owner), sql_(std::move(sql)) {}
  Stmt& Set(int index, BindValue value);

  Connection* owner_;
  std::string sql_;  // as written, with `?`
  std::vector<BindValue> binds_;
  pg_result* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
  mutable std::vector<std::optional<std::string>> decoded_;  // bytea columns of the current row
};

class Connection {
 public:
  // Connects with the libpq connection string `conninfo`. With `schema`, creates it when missing
  // (unless `create_schema` is false) and makes it the connection's search_path. kUnavailable
  // "store.unavailable" when the server cannot be reached.
  [[nodiscard]] static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo,
                                                                const std::string& schema,
                                                                bool create_schema);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement for `sql` (placeholders `?`); nothing is sent until it runs.
  [[nodiscard]] Result<Stmt> Prepare(std::string_view sql);
  // Runs one or more statements without parameters (DDL, BEGIN/COMMIT, SET).
  [[nodiscard]] Status Exec(std::string_view sql);
  // Runs a query returning one integer; nullopt for no row or NULL.
  [[nodiscard]] Result<std::optional<std::int64_t>> QueryInt(std::string_view sql);
  // COPY `table_and_columns` FROM STDIN with `data` in COPY's text format.
  [[nodiscard]] Status CopyIn(std::string_view table_and_columns, std::string_view data);

  // Whether a transaction block is open (also when it has failed).
  bool InTransaction() const;
  // Whether the connection is usable; Reconnect() tries to restore a broken one.
  bool Healthy() const;
  [[nodiscard]] Status Reconnect();
  pg_conn* handle() const { return conn_; }

 private:
  friend class Stmt;
  struct Prepared {
    std::string name;
    int params = 0;
  };
  explicit Connection(pg_conn* conn, std::string schema)
      : conn_(conn), schema_(std::move(schema)) {}
  Status Setup(bool create_schema);
  // Runs `sql` with `binds`; the caller owns the result.
  Result<pg_result*> Execute(const std::string& sql, const std::vector<BindValue>& binds);

  pg_conn* conn_;
  std::string schema_;
  std::unordered_map<std::string, Prepared> prepared_;
  int next_name_ = 0;
};

// Appends `value` to `out` as one field of COPY's text format.
void AppendCopyField(std::string& out, const BindValue& value);

// "$1"-numbered SQL for `?`-placeholder SQL; `params` receives the number of placeholders.
std::string NumberPlaceholders(std::string_view sql, int& params);

// `name` quoted as a PostgreSQL identifier.
std::string QuoteIdentifier(std::string_view name);

}  // namespace chartroom::store::postgres
