// Records and the audit log (store::Record, store::AuditEntry), shared by both backends as
// function templates over a connection type `Db` with the statement interface of read_ops.hpp.
// The SQL is the same on both: `records (kind, key, value)` and `audit_log (sequence, body,
// chain)` (SQLite migration 0005, PostgreSQL 0003).
//
// Appending reads the last entry's chain in the open transaction, so the sequence and the chain
// follow commit order: SQLite has one writer, PostgreSQL writers hold the store's advisory lock.
//
// Thread safety: each function uses only the connection it is given.

#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_macros.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::common {

template <typename Db>
Result<std::optional<Record>> GetRecord(Db& db, std::string_view kind, std::string_view key) {
  CHARTROOM_ASSIGN_OR_RETURN(auto stmt,
                             db.Prepare("SELECT value FROM records WHERE kind = ? AND key = ?"));
  stmt.Bind(1, kind).Bind(2, key);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<Record>();
  return Record{std::string(kind), std::string(key), std::string(stmt.Text(0))};
}

template <typename Db>
Result<std::vector<Record>> ListRecords(Db& db, std::string_view kind, std::string_view after,
                                        std::size_t limit) {
  CHARTROOM_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT key, value FROM records WHERE kind = ? AND key > ? ORDER BY key LIMIT ?"));
  stmt.Bind(1, kind).Bind(2, after).Bind(3, static_cast<std::int64_t>(limit));
  std::vector<Record> out;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({std::string(kind), std::string(stmt.Text(0)), std::string(stmt.Text(1))});
  }
  return out;
}

template <typename Db>
Status PutRecord(Db& db, std::string_view kind, std::string_view key, std::string_view value) {
  CHARTROOM_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare("INSERT INTO records (kind, key, value) VALUES (?, ?, ?) "
                            "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value"));
  stmt.Bind(1, kind).Bind(2, key).Bind(3, value);
  return stmt.Run();
}

template <typename Db>
Status DeleteRecord(Db& db, std::string_view kind, std::string_view key) {
  CHARTROOM_ASSIGN_OR_RETURN(auto stmt,
                             db.Prepare("DELETE FROM records WHERE kind = ? AND key = ?"));
  stmt.Bind(1, kind).Bind(2, key);
  return stmt.Run();
}

// Appends `bodies` in order; returns the sequence of the last.
template <typename Db>
Result<std::int64_t> AppendAudit(Db& db, const AuditChainFunction& chain,
                                 std::span<const std::string> bodies) {
  if (!chain) {
    return Fail(ErrorCategory::kUnsupported, "store.audit-off",
                "this store was opened without an audit chain");
  }
  std::int64_t sequence = 0;
  std::string previous;
  {
    CHARTROOM_ASSIGN_OR_RETURN(
        auto last,
        db.Prepare("SELECT sequence, chain FROM audit_log ORDER BY sequence DESC LIMIT 1"));
    CHARTROOM_ASSIGN_OR_RETURN(bool found, last.Step());
    if (found) {
      sequence = last.Int(0);
      previous = std::string(last.BlobView(1));
    }
  }
  CHARTROOM_ASSIGN_OR_RETURN(
      auto insert, db.Prepare("INSERT INTO audit_log (sequence, body, chain) VALUES (?, ?, ?)"));
  for (const std::string& body : bodies) {
    ++sequence;
    previous = chain(previous, sequence, body);
    insert.Reset();
    insert.Bind(1, sequence).BindBlob(2, body).BindBlob(3, previous);
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
  }
  return sequence;
}

template <typename Db>
Result<std::vector<AuditEntry>> ReadAudit(Db& db, std::int64_t from, std::size_t limit) {
  CHARTROOM_ASSIGN_OR_RETURN(auto stmt,
                             db.Prepare("SELECT sequence, body, chain FROM audit_log "
                                        "WHERE sequence >= ? ORDER BY sequence LIMIT ?"));
  stmt.Bind(1, from).Bind(2, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({stmt.Int(0), std::string(stmt.BlobView(1)), std::string(stmt.BlobView(2))});
  }
  return out;
}

}  // namespace chartroom::store::common
