// Schema management for the SQLite store: applying the numbered migrations at open, and the
// registry that gives resource types and search parameters the small, stable integers the
// tables are keyed by. The model's TypeIds and parameter indices change when the model tables
// are regenerated; the registry's numbers never change for a database (they live in the tables
// resource_types and search_params and are only ever added to).
//
// Thread safety: Migrate and Registry::Load run once at open on the writer connection. A loaded
// Registry is immutable and shared by every thread.

#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "fhir/model/model.hpp"
#include "store/sqlite/db.hpp"

namespace chartroom::store::sqlite {

// The schema version this build writes: the highest migration's number.
std::int64_t LatestSchemaVersion();

// Applies, in one transaction, every migration the database lacks, recording each in
// schema_version. Fails with kUnsupported "store.schema-too-new" when the database was written
// by a newer Chartroom (its schema_version is above LatestSchemaVersion()); nothing is changed.
Status Migrate(Connection& db, std::int64_t now_micros);

// The schema version recorded in the database (0 for an empty database).
Result<std::int64_t> SchemaVersion(Connection& db);

struct ParamEntry {
  std::int64_t id = 0;
  const fhir::SearchParamInfo* info = nullptr;
};

class Registry {
 public:
  // Registers, in one transaction, every concrete R4 resource type and every (type, parameter)
  // pair the model defines that the database does not know yet, then loads all of them.
  static Result<Registry> Load(Connection& db);

  std::optional<std::int64_t> TypeId(std::string_view name) const;
  // "" for an unknown id.
  std::string_view TypeName(std::int64_t type_id) const;
  const std::vector<std::string>& TypeNames() const { return type_names_; }

  // The parameter `code` of resource type `type` (including the common ones, _tag ...).
  const ParamEntry* Param(std::string_view type, std::string_view code) const;
  // The id of `param` on `type`, nullopt if `param` does not apply to `type`.
  std::optional<std::int64_t> ParamId(std::string_view type,
                                      const fhir::SearchParamInfo* param) const;
  // Every registered parameter of `type`.
  std::span<const ParamEntry> ParamsOf(std::string_view type) const;

  // The parameters that put a resource of `type` in a patient's compartment (reference
  // parameters named by the compartment definition), by type; every type when `type` is empty.
  std::vector<std::int64_t> CompartmentParams(std::string_view type) const;

 private:
  std::vector<std::string> type_names_;  // by type_id; "" for gaps
  std::unordered_map<std::string, std::int64_t> type_ids_;
  std::unordered_map<std::string, ParamEntry> params_;  // "Type/code"
  std::unordered_map<std::string, std::vector<ParamEntry>> params_by_type_;
};

// Runs PRAGMA integrity_check and PRAGMA foreign_key_check; returns the problems found (empty
// when the database is sound). For tests and operators' checks.
Result<std::vector<std::string>> CheckIntegrity(Connection& db);

}  // namespace chartroom::store::sqlite
