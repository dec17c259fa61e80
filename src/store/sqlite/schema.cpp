#include "store/sqlite/schema.hpp"

#include <algorithm>
#include <set>

#include "core/result_macros.hpp"
#include "store/common/tx_guard.hpp"
#include "store/sqlite/index_rows.hpp"
#include "store/sqlite/migrations/migrations.hpp"

namespace chartroom::store::sqlite {
namespace {

using TxGuard = common::TxGuard<Connection>;

}  // namespace

std::int64_t LatestSchemaVersion() {
  auto all = AllMigrations();
  return all.empty() ? 0 : all.back().version;
}

Result<std::int64_t> SchemaVersion(Connection& db) {
  CHARTROOM_ASSIGN_OR_RETURN(
      auto exists, db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version'"));
  if (!exists || *exists == 0) return std::int64_t{0};
  CHARTROOM_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT max(version) FROM schema_version"));
  return version.value_or(0);
}

Status Migrate(Connection& db, std::int64_t now_micros) {
  CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  TxGuard guard(db);
  CHARTROOM_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
              "name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  CHARTROOM_ASSIGN_OR_RETURN(std::int64_t current, SchemaVersion(db));
  if (current > LatestSchemaVersion()) {
    return Fail(ErrorCategory::kUnsupported, "store.schema-too-new",
                "the database has schema version " + std::to_string(current) +
                    ", newer than this build's " + std::to_string(LatestSchemaVersion()));
  }
  for (const Migration& migration : AllMigrations()) {
    if (migration.version <= current) continue;
    CHARTROOM_RETURN_IF_ERROR(db.Exec(migration.sql));
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt insert,
        db.Prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"));
    insert.Bind(1, migration.version).Bind(2, migration.name).Bind(3, now_micros);
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
  }
  return guard.Commit();
}

namespace {

class SqliteRegistryTable final : public common::RegistryTable {
 public:
  explicit SqliteRegistryTable(Connection& db) : db_(db) {}
  Status ListTypes(const std::function<void(std::int64_t, std::string_view)>& row) override {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt select,
                               db_.Prepare("SELECT type_id, name FROM resource_types"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, select.Step());
      if (!more) return Ok();
      row(select.Int(0), select.Text(1));
    }
  }
  Result<std::int64_t> InsertType(std::string_view name) override {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt insert,
                               db_.Prepare("INSERT INTO resource_types (name) VALUES (?)"));
    insert.Bind(1, name);
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
    return db_.LastInsertRowid();
  }
  Status ListParams(
      const std::function<void(std::int64_t, std::string_view, std::string_view)>& row) override {
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt select, db_.Prepare("SELECT param_id, resource_type, code FROM search_params"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, select.Step());
      if (!more) return Ok();
      row(select.Int(0), select.Text(1), select.Text(2));
    }
  }
  Result<std::int64_t> InsertParam(std::string_view resource_type, std::string_view code,
                                   std::string_view param_type, std::string_view url) override {
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt insert, db_.Prepare("INSERT INTO search_params (resource_type, code, param_type, "
                                 "url) VALUES (?, ?, ?, ?)"));
    insert.Bind(1, resource_type).Bind(2, code).Bind(3, param_type).Bind(4, url);
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
    return db_.LastInsertRowid();
  }

 private:
  Connection& db_;
};

}  // namespace

Result<Registry> LoadRegistry(Connection& db) {
  CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  TxGuard guard(db);
  SqliteRegistryTable table(db);
  CHARTROOM_ASSIGN_OR_RETURN(Registry registry, Registry::Load(table));
  CHARTROOM_RETURN_IF_ERROR(guard.Commit());
  return registry;
}

Result<std::vector<std::string>> CheckIntegrity(Connection& db) {
  std::vector<std::string> problems;
  {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt check, db.Prepare("PRAGMA integrity_check"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool row, check.Step());
      if (!row) break;
      if (check.Text(0) != "ok") problems.emplace_back(check.Text(0));
    }
  }
  {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt check, db.Prepare("PRAGMA foreign_key_check"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool row, check.Step());
      if (!row) break;
      problems.push_back("foreign key violation in " + std::string(check.Text(0)) + " row " +
                         std::to_string(check.Int(1)));
    }
  }
  CHARTROOM_ASSIGN_OR_RETURN(auto waiting, db.QueryInt("SELECT count(*) FROM pending_index"));
  if (waiting.value_or(0) != 0) problems.emplace_back("index rows wait (pending_index)");
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<std::string> missing, MissingIndexRows(db, 10));
  for (const std::string& m : missing) problems.push_back("index rows missing for " + m);
  return problems;
}

}  // namespace chartroom::store::sqlite
