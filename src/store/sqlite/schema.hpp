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
#include "store/common/registry.hpp"
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

using common::ParamEntry;
using common::Registry;

// Registers, in one transaction, every concrete R4 resource type and every (type, parameter)
// pair the model defines that the database does not know yet, then loads all of them.
Result<Registry> LoadRegistry(Connection& db);

// Runs PRAGMA integrity_check and PRAGMA foreign_key_check and checks that every resource's
// index rows are in the index tables with none waiting; returns the problems found (empty when
// the database is sound). For tests and operators' checks; it reads every resource.
Result<std::vector<std::string>> CheckIntegrity(Connection& db);

}  // namespace chartroom::store::sqlite
