// BlobResourceStore: a ResourceStore that keeps large binary content of resources in a BlobStore
// and the rest in any backend it wraps (SQLite, PostgreSQL), so that every backend gets
// attachments the same way and none of them knows about it.
//
// On write (Prepare, Transaction::Create/Update of a JSON resource) the base64 `data` of
// Binary.data and of every Attachment (attachments.hpp) that decodes to at least
// Options::min_bytes is decoded, sealed into the blob store under the data key of the resource's
// compartment (KeyProvider, the backend's own key), and replaced in the JSON the backend stores
// by a marker naming the compartment, the blob's address and its size. Every read (Read,
// ReadVersion, Search matches and includes, History, Everything, ForEachCurrent, and the same
// inside transactions) puts the data back, so clients read exactly what they wrote. Nothing else
// of the resource changes: Attachment.size and Attachment.hash are not filled in.
//
// Kept inline (still sealed in the backend's content) are: data below min_bytes; base64 that is
// not in canonical form (whitespace, for example), so that it reads back byte for byte; and the
// attachments of a Patient resource (Patient.photo), whose compartment is its own id, which a
// create assigns only inside the backend.
//
// A blob is durable before the version that names it commits; blobs are never deleted, so every
// version keeps its content. A blob that is missing or fails to open makes the read fail with
// kInternal "store.corrupt".
//
// The store's own methods may be called from inside one of its InTransaction works (the REST
// layer prepares a transaction Bundle's entries where it writes them): they then create keys and
// read in that work's transaction, which the store tracks per thread.
//
// Ownership: wraps `inner` and `keys` (normally the same backend object), which must outlive it
// unless handed over as `owned`. Thread safety: as ResourceStore.

#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/random.hpp"
#include "store/blob/blob_store.hpp"
#include "store/key_provider.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::blob {

class BlobResourceStore final : public ResourceStore, public KeyProvider {
 public:
  struct Options {
    // Attachment data of at least this many bytes (decoded) goes to the blob store; smaller data
    // stays in the resource.
    std::size_t min_bytes = 4096;
    // The backend's index function (required): the compartment of a resource with blobs is
    // decided from its search values, as the backend decides it (common::CompartmentPatient,
    // store/common/prepared.hpp).
    IndexFunction index;
  };

  // `owned`, when given, is the backend behind `inner` and `keys`, destroyed after this store.
  BlobResourceStore(ResourceStore& inner, KeyProvider& keys, std::unique_ptr<BlobStore> blobs,
                    Options options, std::unique_ptr<ResourceStore> owned = nullptr);
  ~BlobResourceStore() override;

  [[nodiscard]] Status InTransaction(const std::function<Status(Transaction& tx)>& work) override;
  [[nodiscard]] Result<PreparedResource> Prepare(boost::json::object resource,
                                                 fhir::json::NumberTexts numbers = {}) override;
  [[nodiscard]] Result<ResourceVersion> Read(std::string_view type, std::string_view id) override;
  [[nodiscard]] Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                                    std::int64_t version) override;
  [[nodiscard]] Result<SearchPage> Search(const fhir::search::SearchQuery& query) override;
  [[nodiscard]] Result<HistoryPage> History(const HistoryQuery& query) override;
  [[nodiscard]] Result<std::vector<ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) override;
  [[nodiscard]] Status ForEachCurrent(
      const std::vector<std::string>& types, std::optional<core::Timestamp> since,
      const std::function<bool(const ResourceVersion&)>& sink) override;
  [[nodiscard]] Result<std::vector<Record>> ListRecords(std::string_view kind,
                                                        std::string_view after,
                                                        std::size_t limit) override;
  [[nodiscard]] Result<std::vector<AuditEntry>> ReadAudit(std::int64_t from,
                                                          std::size_t limit) override;

  // KeyProvider: the wrapped backend's keys (`open` may be a transaction of this store).
  [[nodiscard]] Result<crypto::SecretKey> CompartmentKey(std::optional<std::string_view> patient_id,
                                                         Transaction* open) override;

  const BlobStore& blobs() const { return *blobs_; }

  // The markers one write left, each with the data value it replaced, so that what the write
  // returns is restored without reading the blobs back.
  using Replaced = std::vector<std::pair<std::string, boost::json::value>>;

  // Moves the large data of `resource` to the blob store and leaves markers in its place (see
  // above); `open` is the backend transaction the caller is in, or nullptr. kInvalid
  // ("store.bad-resource") for a data value that looks like a marker.
  [[nodiscard]] Result<Replaced> Externalize(boost::json::object& resource, Transaction* open);
  // Puts the data of every marker of `version` back: from `known` (whose values it moves out)
  // when it holds the marker, else from the blob store.
  [[nodiscard]] Status Restore(ResourceVersion& version, Transaction* open,
                               Replaced* known = nullptr);

 private:
  // The backend transaction of this store's work running on the calling thread, if any: the
  // store's own methods called from inside a work (Prepare of a Bundle entry) use it.
  Transaction* OpenHere() const;
  Result<Replaced> ExternalizeDocument(boost::json::value& document, std::size_t min_chars,
                                       Transaction* open);

  std::unique_ptr<ResourceStore> owned_;
  ResourceStore& inner_;
  KeyProvider& keys_;
  std::unique_ptr<BlobStore> blobs_;
  const Options options_;
  core::SystemRandom random_;  // nonces; thread-safe
};

}  // namespace chartroom::store::blob
