#include <functional>

#include "core/result_macros.hpp"
#include "store/common/hash.hpp"
#include "store/common/index_rows.hpp"
#include "store/common/tx_guard.hpp"
#include "store/postgres/internal.hpp"
#include "store/postgres/migrations/migrations.hpp"

namespace chartroom::store::postgres {
namespace {

using TxGuard = common::TxGuard<Connection>;

Status BeginLocked(Connection& db, std::int64_t lock_key) {
  CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN"));
  CHARTROOM_ASSIGN_OR_RETURN(Stmt lock, db.Prepare("SELECT pg_advisory_xact_lock(?)"));
  lock.Bind(1, lock_key);
  return lock.Run();
}

// Inserts are numbered here (the caller holds the advisory lock) and sent with COPY at the end:
// a new database registers thousands of parameters.
class PgRegistryTable final : public common::RegistryTable {
 public:
  explicit PgRegistryTable(Connection& db) : db_(db) {}
  Status ListTypes(const std::function<void(std::int64_t, std::string_view)>& row) override {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt select,
                               db_.Prepare("SELECT type_id, name FROM resource_types"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, select.Step());
      if (!more) return Ok();
      next_type_ = std::max(next_type_, select.Int(0) + 1);
      row(select.Int(0), select.Text(1));
    }
  }
  Result<std::int64_t> InsertType(std::string_view name) override {
    std::int64_t id = next_type_++;
    AppendCopyField(types_, id);
    types_ += '\t';
    AppendCopyField(types_, std::string(name));
    types_ += '\n';
    return id;
  }
  Status ListParams(
      const std::function<void(std::int64_t, std::string_view, std::string_view)>& row) override {
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt select, db_.Prepare("SELECT param_id, resource_type, code FROM search_params"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, select.Step());
      if (!more) return Ok();
      next_param_ = std::max(next_param_, select.Int(0) + 1);
      row(select.Int(0), select.Text(1), select.Text(2));
    }
  }
  Result<std::int64_t> InsertParam(std::string_view resource_type, std::string_view code,
                                   std::string_view param_type, std::string_view url) override {
    std::int64_t id = next_param_++;
    for (const BindValue& v : {BindValue(id), BindValue(std::string(resource_type)),
                               BindValue(std::string(code)), BindValue(std::string(param_type))}) {
      AppendCopyField(params_, v);
      params_ += '\t';
    }
    AppendCopyField(params_, std::string(url));
    params_ += '\n';
    return id;
  }
  Status Finish() {
    if (!types_.empty())
      CHARTROOM_RETURN_IF_ERROR(db_.CopyIn("resource_types (type_id, name)", types_));
    if (!params_.empty()) {
      CHARTROOM_RETURN_IF_ERROR(
          db_.CopyIn("search_params (param_id, resource_type, code, param_type, url)", params_));
    }
    return Ok();
  }

 private:
  Connection& db_;
  std::int64_t next_type_ = 1;
  std::int64_t next_param_ = 1;
  std::string types_;
  std::string params_;
};

Result<std::optional<common::CompartmentTable::Row>> ReadCompartment(Connection& db,
                                                                     std::int64_t cid) {
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt select, db.Prepare("SELECT patient_id, wrapped_key FROM compartments WHERE cid = ?"));
  select.Bind(1, cid);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return std::optional<common::CompartmentTable::Row>();
  common::CompartmentTable::Row row;
  row.cid = cid;
  if (!select.IsNull(0)) row.patient_id = std::string(select.Text(0));
  row.wrapped_key = std::string(select.BlobView(1));
  return std::optional<common::CompartmentTable::Row>(std::move(row));
}

}  // namespace

std::int64_t LatestSchemaVersion() {
  auto all = AllMigrations();
  return all.empty() ? 0 : all.back().version;
}

std::int64_t LockKey(std::string_view schema) {
  return common::HashParts({"chartroom-store-writer", schema});
}

Status Migrate(Connection& db, std::int64_t lock_key, std::int64_t now_micros) {
  CHARTROOM_RETURN_IF_ERROR(BeginLocked(db, lock_key));
  TxGuard guard(db);
  CHARTROOM_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version bigint PRIMARY KEY, "
              "name text NOT NULL, applied_at bigint NOT NULL)"));
  CHARTROOM_ASSIGN_OR_RETURN(auto current, db.QueryInt("SELECT max(version) FROM schema_version"));
  std::int64_t version = current.value_or(0);
  if (version > LatestSchemaVersion()) {
    return Fail(ErrorCategory::kUnsupported, "store.schema-too-new",
                "the database has schema version " + std::to_string(version) +
                    ", newer than this build's " + std::to_string(LatestSchemaVersion()));
  }
  for (const Migration& migration : AllMigrations()) {
    if (migration.version <= version) continue;
    CHARTROOM_RETURN_IF_ERROR(db.Exec(migration.sql));
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt insert,
        db.Prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"));
    insert.Bind(1, migration.version).Bind(2, migration.name).Bind(3, now_micros);
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
  }
  return guard.Commit();
}

Result<common::Registry> LoadRegistry(Connection& db, std::int64_t lock_key) {
  CHARTROOM_RETURN_IF_ERROR(BeginLocked(db, lock_key));
  TxGuard guard(db);
  PgRegistryTable table(db);
  CHARTROOM_ASSIGN_OR_RETURN(common::Registry registry, common::Registry::Load(table));
  CHARTROOM_RETURN_IF_ERROR(table.Finish());
  CHARTROOM_RETURN_IF_ERROR(guard.Commit());
  return registry;
}

std::int64_t CompartmentId(std::optional<std::string_view> patient_id) {
  return patient_id ? common::ReferenceTarget("Patient", *patient_id) : 0;
}

Result<std::optional<common::CompartmentTable::Row>> PgCompartments::FindByPatient(
    std::optional<std::string_view> patient_id) {
  return ReadCompartment(db_, CompartmentId(patient_id));
}

Result<std::optional<common::CompartmentTable::Row>> PgCompartments::FindById(std::int64_t cid) {
  return ReadCompartment(db_, cid);
}

Result<std::int64_t> PgCompartments::Insert(std::optional<std::string_view> patient_id,
                                            std::string_view wrapped_key, std::int64_t now_micros) {
  std::int64_t cid = CompartmentId(patient_id);
  CHARTROOM_ASSIGN_OR_RETURN(Stmt insert,
                             db_.Prepare("INSERT INTO compartments (cid, patient_id, wrapped_key, "
                                         "created_at) VALUES (?, ?, ?, ?)"));
  insert.Bind(1, cid);
  if (patient_id) {
    insert.Bind(2, *patient_id);
  } else {
    insert.BindNull(2);
  }
  insert.BindBlob(3, wrapped_key).Bind(4, now_micros);
  CHARTROOM_RETURN_IF_ERROR(insert.Run());
  return cid;
}

Result<std::vector<std::string>> CheckIntegrity(Connection& db) {
  struct Check {
    std::string_view problem;
    std::string sql;
  };
  std::vector<Check> checks = {
      {"resources without their current version",
       "SELECT count(*) FROM resources r WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE "
       "v.rid = r.rid AND v.version = r.version)"},
      {"versions whose content is missing",
       "SELECT count(*) FROM versions v WHERE v.content_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
       "FROM contents c WHERE c.cid = v.cid AND c.content_id = v.content_id)"},
      {"versions in a missing compartment",
       "SELECT count(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM compartments c WHERE "
       "c.cid = v.cid)"},
      {"resources whose current content is missing",
       "SELECT count(*) FROM resources r WHERE r.deleted = 0 AND NOT EXISTS (SELECT 1 FROM "
       "contents c WHERE c.cid = r.cid AND c.content_id = r.content_id)"},
      {"resources listed twice", "SELECT count(*) - count(DISTINCT rid) FROM resources"},
      {"resources with the same type and id",
       "SELECT count(*) - count(DISTINCT (type_id, id)) FROM resources"},
      {"versions with duplicate timestamps",
       "SELECT count(*) - count(DISTINCT last_updated) FROM versions"},
      {"index keys of deleted or missing resources",
       "SELECT count(*) FROM index_keys k WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE "
       "r.cid = k.cid AND r.rid = k.rid AND r.deleted = 0)"},
  };
  for (const std::string& table : common::IndexTableNames()) {
    checks.push_back({"index rows of deleted or missing resources",
                      "SELECT count(*) FROM " + table +
                          " t WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.cid = t.cid AND "
                          "r.rid = t.rid AND r.deleted = 0)"});
  }
  std::vector<std::string> problems;
  for (const Check& check : checks) {
    CHARTROOM_ASSIGN_OR_RETURN(auto count, db.QueryInt(check.sql));
    if (count.value_or(0) > 0) {
      problems.push_back(std::to_string(*count) + " " + std::string(check.problem));
    }
  }
  return problems;
}

}  // namespace chartroom::store::postgres
