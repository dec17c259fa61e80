// Internals shared by the parts of the SQLite store: the backend-neutral pieces it uses
// (store/common/: read operations, keyring, registry, prepared resources) under this backend's
// namespace, and its compartments table as the keyring sees it.
//
// Thread safety: SqliteCompartments uses the one connection it is given.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/common/keyring.hpp"
#include "store/common/prepared.hpp"
#include "store/common/read_ops.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/schema.hpp"

namespace chartroom::store::sqlite {

using common::CompartmentKey;
using common::ContentAad;
using common::CurrentRow;
using common::FindCurrent;
using common::FromMicros;
using common::IndexRows;
using common::Keyring;
using common::MethodCode;
using common::MethodFromCode;
using common::ReadCurrent;
using common::ReadVersionOf;
using common::ReferenceTarget;
using common::RunEverything;
using common::RunForEachCurrent;
using common::RunHistory;
using common::RunSearch;
using common::StoreContext;
using common::ToMicros;

// The compartments table (cid INTEGER PRIMARY KEY, patient_id UNIQUE) on one connection.
class SqliteCompartments final : public common::CompartmentTable {
 public:
  explicit SqliteCompartments(Connection& db) : db_(db) {}
  Result<std::optional<Row>> FindByPatient(std::optional<std::string_view> patient_id) override;
  Result<std::optional<Row>> FindById(std::int64_t cid) override;
  Result<std::int64_t> Insert(std::optional<std::string_view> patient_id,
                              std::string_view wrapped_key, std::int64_t now_micros) override;

 private:
  Connection& db_;
};

// How the shared read operations (common/read_ops.hpp) reach the compartments of `db`.
inline SqliteCompartments CompartmentsOf(Connection& db) { return SqliteCompartments(db); }

}  // namespace chartroom::store::sqlite
