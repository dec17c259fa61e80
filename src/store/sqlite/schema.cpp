#include "store/sqlite/schema.hpp"

#include <algorithm>
#include <set>

#include "core/result_macros.hpp"
#include "store/sqlite/migrations/migrations.hpp"

namespace chartroom::store::sqlite {
namespace {

// Rolls back an open transaction unless Commit() was called.
class TxGuard {
 public:
  explicit TxGuard(Connection& db) : db_(db) {}
  ~TxGuard() {
    if (!done_) (void)db_.Exec("ROLLBACK");
  }
  Status Commit() {
    done_ = true;
    return db_.Exec("COMMIT");
  }

 private:
  Connection& db_;
  bool done_ = false;
};

std::string_view ParamTypeName(fhir::SearchParamType type) {
  switch (type) {
    case fhir::SearchParamType::kNumber:
      return "number";
    case fhir::SearchParamType::kDate:
      return "date";
    case fhir::SearchParamType::kString:
      return "string";
    case fhir::SearchParamType::kToken:
      return "token";
    case fhir::SearchParamType::kReference:
      return "reference";
    case fhir::SearchParamType::kComposite:
      return "composite";
    case fhir::SearchParamType::kQuantity:
      return "quantity";
    case fhir::SearchParamType::kUri:
      return "uri";
    case fhir::SearchParamType::kSpecial:
      return "special";
  }
  return "special";
}

std::string Key(std::string_view type, std::string_view code) {
  std::string key;
  key.reserve(type.size() + code.size() + 1);
  key.append(type).append("/").append(code);
  return key;
}

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

Result<Registry> Registry::Load(Connection& db) {
  // The (type, parameter) pairs the model defines.
  std::vector<const fhir::TypeInfo*> types;
  for (const fhir::TypeInfo& t : fhir::AllTypes()) {
    if (t.is_resource() && !t.is_abstract) types.push_back(&t);
  }
  const fhir::TypeInfo* domain_resource = fhir::FindType("DomainResource");
  struct Pair {
    std::string type;
    const fhir::SearchParamInfo* info;
  };
  std::vector<Pair> pairs;
  for (const fhir::SearchParamInfo& p : fhir::AllSearchParams()) {
    for (fhir::StrRef base_ref : p.bases()) {
      std::string_view base = fhir::Str(base_ref);
      for (const fhir::TypeInfo* t : types) {
        bool applies = base == t->name() || base == "Resource" ||
                       (base == "DomainResource" && domain_resource != nullptr &&
                        fhir::IsA(*t, *domain_resource));
        if (applies) pairs.push_back({std::string(t->name()), &p});
      }
    }
  }

  CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  TxGuard guard(db);
  Registry registry;
  {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt select, db.Prepare("SELECT type_id, name FROM resource_types"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      registry.type_ids_.emplace(std::string(select.Text(1)), select.Int(0));
    }
  }
  for (const fhir::TypeInfo* t : types) {
    if (registry.type_ids_.count(std::string(t->name())) != 0) continue;
    CHARTROOM_ASSIGN_OR_RETURN(Stmt insert,
                               db.Prepare("INSERT INTO resource_types (name) VALUES (?)"));
    insert.Bind(1, t->name());
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
    registry.type_ids_.emplace(std::string(t->name()), db.LastInsertRowid());
  }
  for (const auto& [name, id] : registry.type_ids_) {
    if (id < 0 || id > 100000) {
      return Fail(ErrorCategory::kInternal, "store.corrupt", "a resource type id is out of range");
    }
    auto index = static_cast<std::size_t>(id);
    if (registry.type_names_.size() <= index) registry.type_names_.resize(index + 1);
    registry.type_names_[index] = name;
  }

  std::unordered_map<std::string, std::int64_t> known;
  {
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt select, db.Prepare("SELECT param_id, resource_type, code FROM search_params"));
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      known.emplace(Key(select.Text(1), select.Text(2)), select.Int(0));
    }
  }
  for (const Pair& pair : pairs) {
    std::string key = Key(pair.type, pair.info->code());
    auto it = known.find(key);
    std::int64_t id;
    if (it != known.end()) {
      id = it->second;
    } else {
      CHARTROOM_ASSIGN_OR_RETURN(
          Stmt insert,
          db.Prepare("INSERT INTO search_params (resource_type, code, param_type, url) "
                     "VALUES (?, ?, ?, ?)"));
      insert.Bind(1, pair.type)
          .Bind(2, pair.info->code())
          .Bind(3, ParamTypeName(pair.info->type))
          .Bind(4, pair.info->url());
      CHARTROOM_RETURN_IF_ERROR(insert.Run());
      id = db.LastInsertRowid();
      known.emplace(key, id);
    }
    ParamEntry entry{id, pair.info};
    if (registry.params_.emplace(key, entry).second) {
      registry.params_by_type_[pair.type].push_back(entry);
    }
  }
  CHARTROOM_RETURN_IF_ERROR(guard.Commit());
  return registry;
}

std::optional<std::int64_t> Registry::TypeId(std::string_view name) const {
  auto it = type_ids_.find(std::string(name));
  if (it == type_ids_.end()) return std::nullopt;
  return it->second;
}

std::string_view Registry::TypeName(std::int64_t type_id) const {
  if (type_id < 0 || static_cast<std::size_t>(type_id) >= type_names_.size()) return {};
  return type_names_[static_cast<std::size_t>(type_id)];
}

const ParamEntry* Registry::Param(std::string_view type, std::string_view code) const {
  auto it = params_.find(Key(type, code));
  return it == params_.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> Registry::ParamId(std::string_view type,
                                              const fhir::SearchParamInfo* param) const {
  if (param == nullptr) return std::nullopt;
  const ParamEntry* entry = Param(type, param->code());
  if (entry == nullptr) return std::nullopt;
  return entry->id;
}

std::span<const ParamEntry> Registry::ParamsOf(std::string_view type) const {
  auto it = params_by_type_.find(std::string(type));
  if (it == params_by_type_.end()) return {};
  return it->second;
}

std::vector<std::int64_t> Registry::CompartmentParams(std::string_view type) const {
  std::vector<std::int64_t> ids;
  for (const std::string& name : type_names_) {
    if (name.empty() || (!type.empty() && name != type)) continue;
    const fhir::TypeInfo* info = fhir::FindResourceType(name);
    if (info == nullptr) continue;
    for (fhir::StrRef code : info->patient_compartment_params()) {
      const ParamEntry* entry = Param(name, fhir::Str(code));
      if (entry != nullptr && entry->info->type == fhir::SearchParamType::kReference) {
        ids.push_back(entry->id);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
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
  return problems;
}

}  // namespace chartroom::store::sqlite
