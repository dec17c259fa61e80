#include "store/blob/blob_resource_store.hpp"

#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"
#include "store/blob/attachments.hpp"
#include "store/compartment.hpp"

namespace chartroom::store::blob {
namespace {

namespace bj = boost::json;

// The quoted start of a marker as it appears in stored JSON text: a version without it has
// nothing to restore, which spares parsing the JSON of almost every read.
const std::string& QuotedMarkerPrefix() {
  static const std::string prefix = "\"" + std::string(kMarkerPrefix);
  return prefix;
}

// Base64 characters needed for `bytes` decoded bytes.
std::size_t EncodedLength(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

// The Transaction handed to the caller's work: the backend's, with blobs on the way in and out.
class BlobTransaction final : public Transaction {
 public:
  BlobTransaction(BlobResourceStore& store, Transaction& inner) : store_(store), inner_(inner) {}

  Result<ResourceVersion> Read(std::string_view type, std::string_view id) override {
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion version, inner_.Read(type, id));
    CHARTROOM_RETURN_IF_ERROR(store_.Restore(version, &inner_));
    return version;
  }
  Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                      std::int64_t number) override {
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion version, inner_.ReadVersion(type, id, number));
    CHARTROOM_RETURN_IF_ERROR(store_.Restore(version, &inner_));
    return version;
  }
  Result<ResourceVersion> Create(bj::object resource) override {
    CHARTROOM_RETURN_IF_ERROR(store_.Externalize(resource, &inner_));
    return Returned(inner_.Create(std::move(resource)));
  }
  Result<ResourceVersion> Create(PreparedResource resource) override {
    return Returned(inner_.Create(std::move(resource)));
  }
  Result<ResourceVersion> Update(bj::object resource,
                                 std::optional<std::int64_t> expected_version) override {
    CHARTROOM_RETURN_IF_ERROR(store_.Externalize(resource, &inner_));
    return Returned(inner_.Update(std::move(resource), expected_version));
  }
  Result<ResourceVersion> Update(PreparedResource resource,
                                 std::optional<std::int64_t> expected_version) override {
    return Returned(inner_.Update(std::move(resource), expected_version));
  }
  Result<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                 std::optional<std::int64_t> expected_version) override {
    return inner_.Delete(type, id, expected_version);
  }
  Result<SearchPage> Search(const fhir::search::SearchQuery& query) override {
    CHARTROOM_ASSIGN_OR_RETURN(SearchPage page, inner_.Search(query));
    for (auto& v : page.matches) CHARTROOM_RETURN_IF_ERROR(store_.Restore(v, &inner_));
    for (auto& v : page.included) CHARTROOM_RETURN_IF_ERROR(store_.Restore(v, &inner_));
    return page;
  }

 private:
  // A write returns the version as stored; the caller sees it as written.
  Result<ResourceVersion> Returned(Result<ResourceVersion> written) {
    if (!written) return written;
    CHARTROOM_RETURN_IF_ERROR(store_.Restore(*written, &inner_));
    return written;
  }

  BlobResourceStore& store_;
  Transaction& inner_;
};

}  // namespace

BlobResourceStore::BlobResourceStore(ResourceStore& inner, KeyProvider& keys,
                                     std::unique_ptr<BlobStore> blobs, Options options,
                                     std::unique_ptr<ResourceStore> owned)
    : owned_(std::move(owned)),
      inner_(inner),
      keys_(keys),
      blobs_(std::move(blobs)),
      options_(std::move(options)) {
  CHARTROOM_CHECK(blobs_ != nullptr && options_.index != nullptr && options_.min_bytes > 0);
}

BlobResourceStore::~BlobResourceStore() = default;

Status BlobResourceStore::Externalize(bj::object& resource, Transaction* open) {
  const std::size_t min_chars = EncodedLength(options_.min_bytes);
  if (!MayHoldBlobs(resource, min_chars)) return Ok();
  // The index function reads a value: the resource moves in (no copy) and back out.
  bj::value document(std::move(resource));
  Status status = ExternalizeDocument(document, min_chars, open);
  resource = std::move(document.get_object());
  return status;
}

Status BlobResourceStore::ExternalizeDocument(bj::value& document, std::size_t min_chars,
                                              Transaction* open) {
  bj::object& resource = document.get_object();
  // The values to move, decoded; a marker-like value is refused (it could name another blob).
  struct Move {
    bj::object* holder;
    std::string bytes;
  };
  std::vector<Move> moves;
  CHARTROOM_RETURN_IF_ERROR(ForEachDataHolder(resource, [&](bj::object& holder) -> Status {
    std::string_view data = holder.at("data").get_string();
    if (data.starts_with(kMarkerPrefix)) {
      return Fail(ErrorCategory::kInvalid, "store.bad-resource",
                  "an attachment's data is not base64");
    }
    if (data.size() < min_chars) return Ok();
    std::optional<std::string> bytes = crypto::DecodeCanonicalBase64(data);
    if (bytes && bytes->size() >= options_.min_bytes) moves.push_back({&holder, std::move(*bytes)});
    return Ok();
  }));
  const std::string type(resource.at("resourceType").get_string());
  if (moves.empty() || type == "Patient") return Ok();

  // The compartment, as the backend will decide it from the same resource's search values.
  std::string id;
  if (const bj::value* v = resource.if_contains("id"); v != nullptr && v->is_string()) {
    id = std::string(v->get_string());
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<fhir::search::IndexEntry> entries,
                             options_.index(document));
  const std::optional<std::string> patient = CompartmentPatient(type, id, entries);
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey key, keys_.CompartmentKey(patient, open));
  for (Move& move : moves) {
    CHARTROOM_ASSIGN_OR_RETURN(std::string address, blobs_->Put(key, move.bytes, random_));
    (*move.holder)["data"] = FormatMarker({patient, std::move(address), move.bytes.size()});
  }
  return Ok();
}

Status BlobResourceStore::Restore(ResourceVersion& version, Transaction* open) {
  if (version.json.find(QuotedMarkerPrefix()) == std::string::npos) return Ok();
  std::error_code ec;
  bj::value document = bj::parse(version.json, ec);
  if (ec || !document.is_object()) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "stored content is not JSON");
  }
  bool changed = false;
  CHARTROOM_RETURN_IF_ERROR(
      ForEachDataHolder(document.get_object(), [&](bj::object& holder) -> Status {
        bj::value& data = holder.at("data");
        std::optional<Marker> marker = ParseMarker(data.get_string());
        if (!marker) return Ok();
        CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey key,
                                   keys_.CompartmentKey(marker->patient_id, open));
        CHARTROOM_ASSIGN_OR_RETURN(std::string bytes, blobs_->Get(key, marker->address));
        if (bytes.size() != marker->size) {
          return Fail(ErrorCategory::kInternal, "store.corrupt",
                      "a blob does not have the size its version records");
        }
        data = crypto::EncodeBase64(bytes);
        changed = true;
        return Ok();
      }));
  if (changed) version.json = bj::serialize(document);
  return Ok();
}

Status BlobResourceStore::InTransaction(const std::function<Status(Transaction& tx)>& work) {
  return inner_.InTransaction([&](Transaction& tx) -> Status {
    BlobTransaction blob_tx(*this, tx);
    return work(blob_tx);
  });
}

Result<PreparedResource> BlobResourceStore::Prepare(bj::object resource) {
  CHARTROOM_RETURN_IF_ERROR(Externalize(resource, nullptr));
  return inner_.Prepare(std::move(resource));
}

Result<ResourceVersion> BlobResourceStore::Read(std::string_view type, std::string_view id) {
  CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion version, inner_.Read(type, id));
  CHARTROOM_RETURN_IF_ERROR(Restore(version, nullptr));
  return version;
}

Result<ResourceVersion> BlobResourceStore::ReadVersion(std::string_view type, std::string_view id,
                                                       std::int64_t number) {
  CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion version, inner_.ReadVersion(type, id, number));
  CHARTROOM_RETURN_IF_ERROR(Restore(version, nullptr));
  return version;
}

Result<SearchPage> BlobResourceStore::Search(const fhir::search::SearchQuery& query) {
  CHARTROOM_ASSIGN_OR_RETURN(SearchPage page, inner_.Search(query));
  for (auto& v : page.matches) CHARTROOM_RETURN_IF_ERROR(Restore(v, nullptr));
  for (auto& v : page.included) CHARTROOM_RETURN_IF_ERROR(Restore(v, nullptr));
  return page;
}

Result<HistoryPage> BlobResourceStore::History(const HistoryQuery& query) {
  CHARTROOM_ASSIGN_OR_RETURN(HistoryPage page, inner_.History(query));
  for (auto& v : page.versions) CHARTROOM_RETURN_IF_ERROR(Restore(v, nullptr));
  return page;
}

Result<std::vector<ResourceVersion>> BlobResourceStore::Everything(
    std::string_view patient_id, const std::vector<std::string>& types,
    std::optional<core::Timestamp> since) {
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<ResourceVersion> versions,
                             inner_.Everything(patient_id, types, since));
  for (auto& v : versions) CHARTROOM_RETURN_IF_ERROR(Restore(v, nullptr));
  return versions;
}

Status BlobResourceStore::ForEachCurrent(const std::vector<std::string>& types,
                                         std::optional<core::Timestamp> since,
                                         const std::function<bool(const ResourceVersion&)>& sink) {
  Status failed = Ok();
  CHARTROOM_RETURN_IF_ERROR(inner_.ForEachCurrent(types, since, [&](const ResourceVersion& v) {
    if (v.json.find(QuotedMarkerPrefix()) == std::string::npos) return sink(v);
    ResourceVersion restored = v;
    failed = Restore(restored, nullptr);
    return failed.has_value() && sink(restored);
  }));
  return failed;
}

}  // namespace chartroom::store::blob
