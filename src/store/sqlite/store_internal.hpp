// Internals shared by the parts of the SQLite store: the context every operation runs in, the
// row of a current resource, sealed-content access, and the read operations (read, search,
// history, everything, export) as functions of a connection, so that the same code serves the
// reader pool and the writer's open transaction (Transaction::Read/Search see its writes).
//
// Thread safety: each function uses only the connection it is given; StoreContext members are
// immutable or thread-safe (Registry, Keyring::ForRead, Clock).

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/resource_store.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/keyring.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::store::sqlite {

struct StoreContext {
  const SqliteResourceStore::Options& options;
  core::Clock& clock;
  const Registry& registry;
  Keyring& keyring;
};

// Method codes in resources.method and versions.method.
std::int64_t MethodCode(WriteMethod method);
WriteMethod MethodFromCode(std::int64_t code);

inline core::Timestamp FromMicros(std::int64_t micros) {
  return core::Timestamp(std::chrono::microseconds(micros));
}
inline std::int64_t ToMicros(core::Timestamp t) { return t.time_since_epoch().count(); }

// The resources row of type/id.
struct CurrentRow {
  std::int64_t rid = 0;
  std::int64_t type_id = 0;
  std::int64_t version = 0;
  WriteMethod method = WriteMethod::kCreate;
  bool deleted = false;
  std::int64_t last_updated = 0;
  std::int64_t cid = 0;
  std::optional<std::int64_t> content_id;
  std::string index_keys;  // only when asked for
};
Result<std::optional<CurrentRow>> FindCurrent(Connection& db, const Registry& registry,
                                              std::string_view type, std::string_view id,
                                              bool with_index_keys);

// The associated data a version's content is sealed with.
std::string ContentAad(std::string_view type, std::string_view id, std::int64_t version);

// Opens the sealed content of a version; kInternal "store.corrupt" when it fails to
// authenticate (tampered, moved, or under another key).
Result<std::string> OpenContent(StoreContext& ctx, Connection& db, bool writer, std::int64_t cid,
                                std::int64_t content_id, std::string_view type, std::string_view id,
                                std::int64_t version);

Result<ResourceVersion> ReadCurrent(StoreContext& ctx, Connection& db, bool writer,
                                    std::string_view type, std::string_view id);
Result<ResourceVersion> ReadVersionOf(StoreContext& ctx, Connection& db, bool writer,
                                      std::string_view type, std::string_view id,
                                      std::int64_t version);
// With `explain`, runs nothing: appends the query plan of the page query to it instead.
Result<SearchPage> RunSearch(StoreContext& ctx, Connection& db, bool writer,
                             const fhir::search::SearchQuery& query,
                             std::vector<std::string>* explain = nullptr);
Result<HistoryPage> RunHistory(StoreContext& ctx, Connection& db, const HistoryQuery& query);
Result<std::vector<ResourceVersion>> RunEverything(StoreContext& ctx, Connection& db,
                                                   std::string_view patient_id,
                                                   const std::vector<std::string>& types,
                                                   std::optional<core::Timestamp> since);
Status RunForEachCurrent(StoreContext& ctx, Connection& db, const std::vector<std::string>& types,
                         std::optional<core::Timestamp> since,
                         const std::function<bool(const ResourceVersion&)>& sink);

}  // namespace chartroom::store::sqlite
