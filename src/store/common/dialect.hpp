// The few places where the SQL of the shared query builder (search_sql.hpp, read_ops.hpp)
// differs between SQLite and PostgreSQL. Everything else (the index tables, their columns, the
// shape of every query) is the same text on both. Why each differs:
//   * Planner hints: SQLite takes `INDEXED BY`, `+column` (keeps it off an index) and a
//     `LIMIT -1` fence against subquery flattening; PostgreSQL has no index hints, rejects `+`
//     on text, and fences with `OFFSET 0`.
//   * Join syntax: SQLite's `CROSS JOIN ... ON` fixes the join order; PostgreSQL allows no ON
//     with CROSS JOIN, and orders joins itself.
//   * Booleans: SQLite treats 0/1 as booleans; PostgreSQL needs false/true.
//   * Null-safe equality: SQLite's `a IS b`; PostgreSQL's `IS NOT DISTINCT FROM`.
//   * Substring search in resources.params: `instr` versus `strpos`.
//
// Thread safety: immutable values.

#pragma once

#include <string>
#include <string_view>

namespace chartroom::store::common {

struct Dialect {
  bool postgres = false;

  static const Dialect& Sqlite() {
    static const Dialect d{false};
    return d;
  }
  static const Dialect& Postgres() {
    static const Dialect d{true};
    return d;
  }

  std::string_view False() const { return postgres ? "false" : "0"; }
  std::string_view True() const { return postgres ? "true" : "1"; }
  // " INDEXED BY <index>" on SQLite, nothing on PostgreSQL.
  std::string IndexedBy(std::string_view index) const {
    return postgres ? std::string() : " INDEXED BY " + std::string(index);
  }
  // A join whose order the query fixes on SQLite: "<left> CROSS JOIN <right> ON ...".
  std::string_view FixedJoin() const { return postgres ? " JOIN " : " CROSS JOIN "; }
  // A value column in a probe, kept off (param, value) indexes on SQLite.
  std::string NoSeek(std::string_view column) const {
    return postgres ? std::string(column) : "+" + std::string(column);
  }
  // Appended to a subquery that must not be flattened into its parent.
  std::string_view NoFlatten() const { return postgres ? " OFFSET 0" : " LIMIT -1"; }
  // Null-safe equality operator.
  std::string_view IsSame() const { return postgres ? " IS NOT DISTINCT FROM " : " IS "; }
  // "position of ? in <column>" (> 0 when found); the caller binds the needle.
  std::string Position(std::string_view column) const {
    return (postgres ? "strpos(" : "instr(") + std::string(column) + ", ";
  }
  // Case-insensitive LIKE (SQLite's LIKE is case-insensitive for ASCII).
  std::string_view Like() const { return postgres ? " ILIKE " : " LIKE "; }
};

}  // namespace chartroom::store::common
