// Internals of the PostgreSQL store: schema migrations, the registry and compartments tables as
// the backend-neutral registry and keyring see them, and the compartment key of a patient.
//
// Thread safety: each function and adapter uses only the connection it is given.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/common/keyring.hpp"
#include "store/common/registry.hpp"
#include "store/postgres/pg.hpp"

namespace chartroom::store::postgres {

// The schema version this build writes: the highest migration's number.
std::int64_t LatestSchemaVersion();

// The advisory lock key of the store in `schema` (every writer and Migrate take it).
std::int64_t LockKey(std::string_view schema);

// Applies, in one transaction under the store's advisory lock, every migration the database
// lacks. kUnsupported "store.schema-too-new" when a newer Chartroom wrote it.
Status Migrate(Connection& db, std::int64_t lock_key, std::int64_t now_micros);

// Registers the model's types and parameters the database lacks and loads them all, in one
// transaction under the advisory lock.
Result<common::Registry> LoadRegistry(Connection& db, std::int64_t lock_key);

// The compartment key (column cid) of a patient's compartment: Hash64("Patient/<id>"); 0 for the
// system compartment. Computable from a reference alone, so a distributed database can route a
// patient's rows.
std::int64_t CompartmentId(std::optional<std::string_view> patient_id);

// The compartments table on one connection.
class PgCompartments final : public common::CompartmentTable {
 public:
  explicit PgCompartments(Connection& db) : db_(db) {}
  Result<std::optional<Row>> FindByPatient(std::optional<std::string_view> patient_id) override;
  Result<std::optional<Row>> FindById(std::int64_t cid) override;
  Result<std::int64_t> Insert(std::optional<std::string_view> patient_id,
                              std::string_view wrapped_key, std::int64_t now_micros) override;

 private:
  Connection& db_;
};

// How the shared read operations (common/read_ops.hpp) reach the compartments of `db`.
inline PgCompartments CompartmentsOf(Connection& db) { return PgCompartments(db); }

// Consistency checks over the stored rows; the problems found.
Result<std::vector<std::string>> CheckIntegrity(Connection& db);

}  // namespace chartroom::store::postgres
