// ResourceStore is the only way services read or write FHIR resources: the legal health record.
// Writes never change a version in place: every create, update and delete appends a version,
// so every version stays readable (vread, history) until retention destroys it. Backends live in
// store/sqlite/ and store/postgres/; services include only this header, and only app/ chooses.
//
// What a backend guarantees:
//   * Atomicity: InTransaction commits all of its work or none of it; a crash never leaves a
//     partial transaction visible.
//   * Durability: InTransaction returns success only after its commit is durable on disk
//     (group commit: transactions arriving together share one sync).
//   * Search values are extracted (fhir::search::IndexExtractor) and written in the same
//     transaction as the version they describe, so search never disagrees with read.
//   * Content is sealed at rest (crypto/aead.hpp) under the data key of the resource's patient
//     compartment, or the system key for resources outside any patient compartment.
//
// Thread safety: one ResourceStore is shared by all request threads; every method may be called
// concurrently. A Transaction belongs to the callback it was passed to and must not escape it.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "fhir/json/writer.hpp"
#include "fhir/search/index_values.hpp"
#include "fhir/search/query.hpp"

namespace chartroom::store {

// How a backend obtains the search values of a resource it writes: in production
// fhir::search::IndexExtractor::Extract, bound by app/; tests may pass hand-made values. Called on
// the resource as given to the write or to ResourceStore::Prepare (meta.versionId and
// meta.lastUpdated not yet set: _id and _lastUpdated are the backend's own), on the thread that
// prepares or writes it; so it must be thread-safe. An error fails the write with that error.
using IndexFunction = std::function<Result<std::vector<fhir::search::IndexEntry>>(
    const boost::json::value& resource)>;

// What a backend may add to a resource before it is checked, indexed and stored: in production
// the security labels of access::ApplyLabels, bound by app/, so that every write path (REST,
// import, transactions) labels alike and `_security` finds the labels. It must not add or remove
// numbers (the recorded number texts count them). Optional; thread-safe like IndexFunction.
using LabelFunction = std::function<void(boost::json::object& resource)>;

// How a backend chains an audit entry to the one before it: in production the chain hash of
// audit/chain.hpp over (previous chain, sequence, body), bound by app/. `previous` is empty for
// the first entry. Without one, AppendAudit fails (kUnsupported "store.audit-off").
using AuditChainFunction = std::function<std::string(std::string_view previous,
                                                     std::int64_t sequence, std::string_view body)>;

// A small keyed document beside the records
// (docs/adr/0006-identity-and-audit-data-in-the-record-store.md): users, sessions, system clients,
// break-the-glass grants, review items and audit checkpoints, each a `kind` of its own. The store
// keeps `value` as given and knows nothing of its meaning.
struct Record {
  std::string kind;
  std::string key;
  std::string value;
};

// One entry of the audit log: appended in commit order, never changed.
struct AuditEntry {
  std::int64_t sequence = 0;  // 1, 2, 3 ...
  std::string body;
  std::string chain;  // AuditChainFunction(chain of the entry before, sequence, body)
};

// A resource made ready for writing before its transaction (ResourceStore::Prepare): checked,
// its search values extracted and its content serialized on the calling thread. A backend runs
// the work of every transaction on one writer, so callers that write many resources (imports,
// transaction bundles) prepare them first, in parallel, and the writer does only database work.
// Move-only; only the store that prepared it can write it.
class PreparedResource {
 public:
  // What a backend keeps of a prepared resource.
  class Payload {
   public:
    virtual ~Payload() = default;
  };
  PreparedResource(std::string type, std::string id, std::unique_ptr<Payload> payload)
      : type_(std::move(type)), id_(std::move(id)), payload_(std::move(payload)) {}

  const std::string& type() const { return type_; }
  const std::string& id() const { return id_; }  // "" when the resource has none
  Payload* payload() const { return payload_.get(); }

 private:
  std::string type_;
  std::string id_;
  std::unique_ptr<Payload> payload_;
};

// How a version came to be; history entries report it as request.method.
enum class WriteMethod : std::uint8_t { kCreate, kUpdate, kDelete };

// One version of one resource.
struct ResourceVersion {
  std::string type;
  std::string id;
  std::int64_t version = 0;  // 1 for the first write, +1 for every write after
  // From the injected Clock, raised by at most the gap needed so that the versions of one store
  // have strictly increasing timestamps in commit order (history and _lastUpdated depend on it).
  core::Timestamp last_updated;
  WriteMethod method = WriteMethod::kCreate;
  // The resource JSON as stored, with meta.versionId and meta.lastUpdated set; empty for a
  // deletion.
  std::string json;

  bool deleted() const { return method == WriteMethod::kDelete; }
};

struct SearchPage {
  std::vector<ResourceVersion> matches;   // current versions, in the query's sort order
  std::vector<ResourceVersion> included;  // _include / _revinclude results, no duplicates
  std::optional<std::int64_t> total;      // when the query asked for a total (or _summary=count)
  std::optional<std::string> next_page;   // opaque tokens for SearchQuery::page_token
  std::optional<std::string> previous_page;
};

struct HistoryQuery {
  std::string type;                      // empty: system history
  std::string id;                        // with type: instance history
  std::optional<core::Timestamp> since;  // versions written at or after
  std::uint32_t count = 50;
  std::optional<std::string> page_token;
};

struct HistoryPage {
  std::vector<ResourceVersion> versions;  // newest first
  std::int64_t total = 0;
  std::optional<std::string> next_page;
};

class Transaction {
 public:
  virtual ~Transaction() = default;

  // The current version of type/id, seeing this transaction's own writes. kNotFound
  // ("store.not-found") if it never existed; kGone ("store.deleted") if its current version
  // is a deletion (the error carries no content).
  [[nodiscard]] virtual Result<ResourceVersion> Read(std::string_view type,
                                                     std::string_view id) = 0;
  // A specific version; kNotFound ("store.version-not-found") when there is no such version. A
  // deletion version is returned as such (method kDelete, empty json): vread answers it 410.
  [[nodiscard]] virtual Result<ResourceVersion> ReadVersion(std::string_view type,
                                                            std::string_view id,
                                                            std::int64_t version) = 0;

  // Stores `resource` (a validated resource) as version 1 under a new server-assigned id (a
  // UUID v4 from the injected Random); an id in `resource` is replaced. kInvalid
  // ("store.bad-resource") when resourceType is not a concrete R4 resource type.
  [[nodiscard]] virtual Result<ResourceVersion> Create(boost::json::object resource) = 0;
  // The same for a prepared resource; kInvalid ("store.foreign-prepared") when another store
  // prepared it.
  [[nodiscard]] virtual Result<ResourceVersion> Create(PreparedResource resource) = 0;

  // Stores `resource` (with its id) as the next version of its type/id, or as version 1 when it
  // does not exist (update as create; also after a deletion). With `expected_version`
  // (If-Match) the current version must be that one, else kPrecondition
  // ("store.version-conflict") and nothing is written. The version's method is kUpdate even
  // when it creates (history reports PUT); version 1, or a deleted predecessor, tells a create.
  // kInvalid ("store.bad-resource") without a valid id or resourceType.
  [[nodiscard]] virtual Result<ResourceVersion> Update(
      boost::json::object resource, std::optional<std::int64_t> expected_version) = 0;
  [[nodiscard]] virtual Result<ResourceVersion> Update(
      PreparedResource resource, std::optional<std::int64_t> expected_version) = 0;

  // Appends a deletion version and returns it. Deleting something already deleted writes
  // nothing and returns the existing deletion version; deleting something that never existed
  // writes nothing and fails with kNotFound ("store.not-found"), which the caller may treat as
  // success (R4 allows 200/204 or 404) without failing the transaction. With `expected_version`
  // the current version (0 when absent) must match, else kPrecondition
  // ("store.version-conflict").
  [[nodiscard]] virtual Result<ResourceVersion> Delete(
      std::string_view type, std::string_view id, std::optional<std::int64_t> expected_version) = 0;

  // Search within the transaction (conditional create/update/delete, conditional references);
  // sees this transaction's uncommitted writes.
  [[nodiscard]] virtual Result<SearchPage> Search(const fhir::search::SearchQuery& query) = 0;

  // Records (see Record), seeing this transaction's own writes. PutRecord inserts or replaces;
  // DeleteRecord of an absent key does nothing. ListRecords returns keys greater than `after`
  // in key order, at most `limit`. Backends without them fail with kUnsupported
  // ("store.unsupported").
  [[nodiscard]] virtual Result<std::optional<Record>> GetRecord(std::string_view kind,
                                                                std::string_view key);
  [[nodiscard]] virtual Result<std::vector<Record>> ListRecords(std::string_view kind,
                                                                std::string_view after,
                                                                std::size_t limit);
  [[nodiscard]] virtual Status PutRecord(std::string_view kind, std::string_view key,
                                         std::string_view value);
  [[nodiscard]] virtual Status DeleteRecord(std::string_view kind, std::string_view key);

  // Appends `bodies` to the audit log in this transaction, in order, so that the entries commit
  // with the writes they record or not at all; returns the sequence number of the last.
  [[nodiscard]] virtual Result<std::int64_t> AppendAudit(std::span<const std::string> bodies);
};

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // Runs `work` in one database transaction and commits durably if it returns OK; any Error
  // rolls everything back and is returned unchanged. `work` may run more than once if the
  // backend must retry a serialization failure, so it must not change anything outside `tx`.
  // `work` may run on another thread (a backend's writer) and must not call InTransaction
  // itself (kInternal "store.nested-transaction"). Errors of the backend itself: kUnavailable
  // (database unreachable, disk full), kBusy (contention; retry), kInternal "store.corrupt"
  // (stored data fails its integrity or authenticity check).
  [[nodiscard]] virtual Status InTransaction(
      const std::function<Status(Transaction& tx)>& work) = 0;

  // Prepares `resource` for Transaction::Create/Update on the calling thread (see
  // PreparedResource): the same checks and the same index function the write would run.
  // `numbers` is the text of the resource's numbers as the client wrote them
  // (fhir::json::StrictJson::numbers, or fhir::json::NumbersWithin for a resource inside a
  // Bundle): the stored JSON keeps them (1.50 stays 1.50). Without it numbers are stored in their
  // shortest round-trip form; Create/Update with a bare object do that too.
  // kInvalid ("store.bad-resource") for a resource without a concrete resourceType; errors of
  // the index function unchanged.
  [[nodiscard]] virtual Result<PreparedResource> Prepare(boost::json::object resource,
                                                         fhir::json::NumberTexts numbers = {}) = 0;

  // Reads from a consistent snapshot without blocking writers. Errors as Transaction's.
  [[nodiscard]] virtual Result<ResourceVersion> Read(std::string_view type,
                                                     std::string_view id) = 0;
  [[nodiscard]] virtual Result<ResourceVersion> ReadVersion(std::string_view type,
                                                            std::string_view id,
                                                            std::int64_t version) = 0;
  // Runs a parsed search: matches are current versions in the query's sort order (the order of
  // writing when no _sort is given), a page of `count` of them (a backend default when unset),
  // with an opaque token for the next and previous page. Paging is stable: resources written
  // after the first page do not shift later pages. Fails with kUnsupported ("store.unsupported")
  // for what the backend does not implement (:in/:not-in, _text/_content/_list/_query,
  // token :above/:below, reference :text, _sort on token/reference/composite parameters) and
  // kInvalid ("store.bad-page-token") for a page token that this query did not produce.
  [[nodiscard]] virtual Result<SearchPage> Search(const fhir::search::SearchQuery& query) = 0;
  // Versions newest first; kInvalid ("store.bad-page-token") as Search.
  [[nodiscard]] virtual Result<HistoryPage> History(const HistoryQuery& query) = 0;

  // Patient/$everything: the patient and every current resource in its compartment, optionally
  // limited to `types` and to versions written at or after `since`.
  [[nodiscard]] virtual Result<std::vector<ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) = 0;

  // Streams the current versions of `types` (all when empty) written at or after `since`, for
  // export; stops early when `sink` returns false.
  [[nodiscard]] virtual Status ForEachCurrent(
      const std::vector<std::string>& types, std::optional<core::Timestamp> since,
      const std::function<bool(const ResourceVersion&)>& sink) = 0;

  // Records of `kind` from a snapshot, as Transaction::ListRecords.
  [[nodiscard]] virtual Result<std::vector<Record>> ListRecords(std::string_view kind,
                                                                std::string_view after,
                                                                std::size_t limit);
  // Audit entries with sequence >= `from`, in order, at most `limit`, from a snapshot.
  [[nodiscard]] virtual Result<std::vector<AuditEntry>> ReadAudit(std::int64_t from,
                                                                  std::size_t limit);
};

}  // namespace chartroom::store
