#include "store/blob/blob_resource_store.hpp"

#include <string.h>

#include <algorithm>
#include <utility>
#include <vector>

#include <boost/json/monotonic_resource.hpp>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"
#include "fhir/json/strict_parser.hpp"
#include "store/blob/attachments.hpp"
#include "store/common/prepared.hpp"

namespace chartroom::store::blob {
namespace {

namespace bj = boost::json;

// The quoted start of a marker as it appears in stored JSON text: a version without it has
// nothing to restore, which spares parsing the JSON of almost every read.
const std::string& QuotedMarkerPrefix() {
  static const std::string prefix = "\"" + std::string(kMarkerPrefix);
  return prefix;
}

// The position of the quoted marker prefix in `text` from `from`, or npos. memmem (two-way
// search) rather than std::string::find, which stops at every '"' of the JSON.
std::size_t FindMarker(const std::string& text, std::size_t from = 0) {
  if (from >= text.size()) return std::string::npos;
  const std::string& needle = QuotedMarkerPrefix();
  const void* found =
      ::memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
  return found == nullptr ? std::string::npos
                          : static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
}

// Base64 characters needed for `bytes` decoded bytes.
std::size_t EncodedLength(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

// The backend transaction of the work running on this thread, per store. A work may call the
// store's own methods (the REST layer prepares the entries of a transaction Bundle where it
// writes them): keys for new compartments must then be created in that transaction, as the
// backend's writer cannot start another one.
struct ActiveWork {
  const BlobResourceStore* store;
  Transaction* inner;
};
thread_local const ActiveWork* active_work = nullptr;

class ActiveWorkScope {
 public:
  explicit ActiveWorkScope(const ActiveWork& work) : outer_(std::exchange(active_work, &work)) {}
  ~ActiveWorkScope() { active_work = outer_; }
  ActiveWorkScope(const ActiveWorkScope&) = delete;
  ActiveWorkScope& operator=(const ActiveWorkScope&) = delete;

 private:
  const ActiveWork* outer_;
};

// A resource BlobResourceStore::Prepare moved data out of: the backend's prepared resource and
// the data values its markers replaced.
struct BlobPrepared final : PreparedResource::Payload {
  BlobPrepared(PreparedResource prepared, BlobResourceStore::Replaced values)
      : inner(std::move(prepared)), replaced(std::move(values)) {}
  PreparedResource inner;
  BlobResourceStore::Replaced replaced;
};

// The Transaction handed to the caller's work: the backend's, with blobs on the way in and out.
class BlobTransaction final : public Transaction {
 public:
  BlobTransaction(BlobResourceStore& store, Transaction& inner) : store_(store), inner_(inner) {}
  Transaction& inner() { return inner_; }

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
    CHARTROOM_ASSIGN_OR_RETURN(BlobResourceStore::Replaced replaced,
                               store_.Externalize(resource, &inner_));
    return Returned(inner_.Create(std::move(resource)), replaced);
  }
  Result<ResourceVersion> Create(PreparedResource resource) override {
    if (auto* ours = dynamic_cast<BlobPrepared*>(resource.payload())) {
      return Returned(inner_.Create(std::move(ours->inner)), ours->replaced);
    }
    BlobResourceStore::Replaced none;
    return Returned(inner_.Create(std::move(resource)), none);
  }
  Result<ResourceVersion> Update(bj::object resource,
                                 std::optional<std::int64_t> expected_version) override {
    CHARTROOM_ASSIGN_OR_RETURN(BlobResourceStore::Replaced replaced,
                               store_.Externalize(resource, &inner_));
    return Returned(inner_.Update(std::move(resource), expected_version), replaced);
  }
  Result<ResourceVersion> Update(PreparedResource resource,
                                 std::optional<std::int64_t> expected_version) override {
    if (auto* ours = dynamic_cast<BlobPrepared*>(resource.payload())) {
      return Returned(inner_.Update(std::move(ours->inner), expected_version), ours->replaced);
    }
    BlobResourceStore::Replaced none;
    return Returned(inner_.Update(std::move(resource), expected_version), none);
  }
  Result<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                 std::optional<std::int64_t> expected_version) override {
    return inner_.Delete(type, id, expected_version);
  }
  Result<std::optional<Record>> GetRecord(std::string_view kind, std::string_view key) override {
    return inner_.GetRecord(kind, key);
  }
  Result<std::vector<Record>> ListRecords(std::string_view kind, std::string_view after,
                                          std::size_t limit) override {
    return inner_.ListRecords(kind, after, limit);
  }
  Status PutRecord(std::string_view kind, std::string_view key, std::string_view value) override {
    return inner_.PutRecord(kind, key, value);
  }
  Status DeleteRecord(std::string_view kind, std::string_view key) override {
    return inner_.DeleteRecord(kind, key);
  }
  Result<std::int64_t> AppendAudit(std::span<const std::string> bodies) override {
    return inner_.AppendAudit(bodies);
  }

  Result<SearchPage> Search(const fhir::search::SearchQuery& query) override {
    CHARTROOM_ASSIGN_OR_RETURN(SearchPage page, inner_.Search(query));
    for (auto& v : page.matches) CHARTROOM_RETURN_IF_ERROR(store_.Restore(v, &inner_));
    for (auto& v : page.included) CHARTROOM_RETURN_IF_ERROR(store_.Restore(v, &inner_));
    return page;
  }

 private:
  // A write returns the version as stored; the caller sees it as written, the data the write
  // moved out put back from `replaced`.
  Result<ResourceVersion> Returned(Result<ResourceVersion> written,
                                   BlobResourceStore::Replaced& replaced) {
    if (!written) return written;
    CHARTROOM_RETURN_IF_ERROR(store_.Restore(*written, &inner_, &replaced));
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

Result<BlobResourceStore::Replaced> BlobResourceStore::Externalize(bj::object& resource,
                                                                   Transaction* open) {
  const std::size_t min_chars = EncodedLength(options_.min_bytes);
  if (!MayHoldBlobs(resource, min_chars)) return Replaced{};
  // The index function reads a value: the resource moves in (no copy) and back out.
  bj::value document(std::move(resource));
  Result<Replaced> replaced = ExternalizeDocument(document, min_chars, open);
  resource = std::move(document.get_object());
  return replaced;
}

Result<BlobResourceStore::Replaced> BlobResourceStore::ExternalizeDocument(bj::value& document,
                                                                           std::size_t min_chars,
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
  if (moves.empty() || type == "Patient") return Replaced{};

  // The compartment, as the backend will decide it from the same resource's search values.
  std::string id;
  if (const bj::value* v = resource.if_contains("id"); v != nullptr && v->is_string()) {
    id = std::string(v->get_string());
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<fhir::search::IndexEntry> entries,
                             options_.index(document));
  const std::optional<std::string> patient = common::CompartmentPatient(type, id, entries);
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey key, keys_.CompartmentKey(patient, open));
  Replaced replaced;
  replaced.reserve(moves.size());
  for (Move& move : moves) {
    CHARTROOM_ASSIGN_OR_RETURN(std::string address, blobs_->Put(key, move.bytes, random_));
    bj::value& data = (*move.holder)["data"];
    std::string marker = FormatMarker({patient, std::move(address), move.bytes.size()});
    replaced.emplace_back(marker, std::move(data));
    data = std::move(marker);
  }
  return replaced;
}

Status BlobResourceStore::Restore(ResourceVersion& version, Transaction* open, Replaced* known) {
  const std::string& json = version.json;
  if (FindMarker(json) == std::string::npos) return Ok();
  // The markers that stand where the model puts binary content. Only they are replaced, in the
  // stored text itself, so that everything else stays byte for byte as the backend returned it
  // (no second serialization) and the data is copied once.
  std::vector<Marker> markers;
  std::vector<std::string> texts;
  {
    // The strict parser, as stored text may hold numbers Boost.JSON's own parser refuses.
    bj::monotonic_resource memory;
    // Deeper than any resource the REST layer accepts (rest.max_json_depth is at most 1024).
    fhir::json::StrictJsonOptions options;
    options.max_depth = 2048;
    fhir::json::StrictJson parsed = fhir::json::ParseStrictJson(json, &memory, options);
    if (parsed.syntax_error || !parsed.value.is_object()) {
      return Fail(ErrorCategory::kInternal, "store.corrupt", "stored content is not JSON");
    }
    CHARTROOM_RETURN_IF_ERROR(
        ForEachDataHolder(parsed.value.get_object(), [&](bj::object& holder) -> Status {
          std::string_view text = holder.at("data").get_string();
          std::optional<Marker> marker = ParseMarker(text);
          if (marker) {
            markers.push_back(std::move(*marker));
            texts.emplace_back(text);
          }
          return Ok();
        }));
  }
  if (markers.empty()) return Ok();

  std::size_t size = json.size();
  for (const Marker& marker : markers) size += EncodedLength(marker.size);
  std::string out;
  out.reserve(size);
  std::size_t done = 0;  // json[0, done) has been copied or replaced
  for (std::size_t at = FindMarker(json); at != std::string::npos; at = FindMarker(json, done)) {
    const std::size_t start = at + 1;
    const std::size_t end = json.find('"', start);
    if (end == std::string::npos) break;
    const std::string_view text(json.data() + start, end - start);
    const auto found = std::find(texts.begin(), texts.end(), text);
    out.append(json, done, start - done);
    done = start;
    if (found == texts.end()) continue;  // not at an attachment: left as it is
    const Marker& marker = markers[static_cast<std::size_t>(found - texts.begin())];
    bool appended = false;
    if (known != nullptr) {
      for (const auto& [replaced_text, value] : *known) {
        if (replaced_text == text && value.is_string()) {
          out.append(value.get_string());
          appended = true;
          break;
        }
      }
    }
    if (!appended) {
      CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey key,
                                 keys_.CompartmentKey(marker.patient_id, open));
      CHARTROOM_ASSIGN_OR_RETURN(std::string bytes, blobs_->Get(key, marker.address));
      if (bytes.size() != marker.size) {
        return Fail(ErrorCategory::kInternal, "store.corrupt",
                    "a blob does not have the size its version records");
      }
      crypto::AppendBase64(bytes, out);
    }
    done = end;
  }
  out.append(json, done);
  version.json = std::move(out);
  return Ok();
}

Transaction* BlobResourceStore::OpenHere() const {
  return active_work != nullptr && active_work->store == this ? active_work->inner : nullptr;
}

Result<crypto::SecretKey> BlobResourceStore::CompartmentKey(
    std::optional<std::string_view> patient_id, Transaction* open) {
  if (auto* ours = dynamic_cast<BlobTransaction*>(open); ours != nullptr) open = &ours->inner();
  return keys_.CompartmentKey(patient_id, open != nullptr ? open : OpenHere());
}

Status BlobResourceStore::InTransaction(const std::function<Status(Transaction& tx)>& work) {
  return inner_.InTransaction([&](Transaction& tx) -> Status {
    BlobTransaction blob_tx(*this, tx);
    const ActiveWork here{this, &tx};
    ActiveWorkScope scope(here);
    return work(blob_tx);
  });
}

Result<PreparedResource> BlobResourceStore::Prepare(bj::object resource,
                                                    fhir::json::NumberTexts numbers) {
  // Markers replace strings only, so the ordinals of `numbers` still hold.
  CHARTROOM_ASSIGN_OR_RETURN(Replaced replaced, Externalize(resource, OpenHere()));
  CHARTROOM_ASSIGN_OR_RETURN(PreparedResource prepared,
                             inner_.Prepare(std::move(resource), std::move(numbers)));
  if (replaced.empty()) return prepared;
  std::string type = prepared.type();
  std::string id = prepared.id();
  return PreparedResource(std::move(type), std::move(id),
                          std::make_unique<BlobPrepared>(std::move(prepared), std::move(replaced)));
}

Result<ResourceVersion> BlobResourceStore::Read(std::string_view type, std::string_view id) {
  CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion version, inner_.Read(type, id));
  CHARTROOM_RETURN_IF_ERROR(Restore(version, OpenHere()));
  return version;
}

Result<ResourceVersion> BlobResourceStore::ReadVersion(std::string_view type, std::string_view id,
                                                       std::int64_t number) {
  CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion version, inner_.ReadVersion(type, id, number));
  CHARTROOM_RETURN_IF_ERROR(Restore(version, OpenHere()));
  return version;
}

Result<SearchPage> BlobResourceStore::Search(const fhir::search::SearchQuery& query) {
  CHARTROOM_ASSIGN_OR_RETURN(SearchPage page, inner_.Search(query));
  for (auto& v : page.matches) CHARTROOM_RETURN_IF_ERROR(Restore(v, OpenHere()));
  for (auto& v : page.included) CHARTROOM_RETURN_IF_ERROR(Restore(v, OpenHere()));
  return page;
}

Result<HistoryPage> BlobResourceStore::History(const HistoryQuery& query) {
  CHARTROOM_ASSIGN_OR_RETURN(HistoryPage page, inner_.History(query));
  for (auto& v : page.versions) CHARTROOM_RETURN_IF_ERROR(Restore(v, OpenHere()));
  return page;
}

Result<std::vector<ResourceVersion>> BlobResourceStore::Everything(
    std::string_view patient_id, const std::vector<std::string>& types,
    std::optional<core::Timestamp> since) {
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<ResourceVersion> versions,
                             inner_.Everything(patient_id, types, since));
  for (auto& v : versions) CHARTROOM_RETURN_IF_ERROR(Restore(v, OpenHere()));
  return versions;
}

Status BlobResourceStore::ForEachCurrent(const std::vector<std::string>& types,
                                         std::optional<core::Timestamp> since,
                                         const std::function<bool(const ResourceVersion&)>& sink) {
  Status failed = Ok();
  CHARTROOM_RETURN_IF_ERROR(inner_.ForEachCurrent(types, since, [&](const ResourceVersion& v) {
    if (FindMarker(v.json) == std::string::npos) return sink(v);
    ResourceVersion restored = v;
    failed = Restore(restored, OpenHere());
    return failed.has_value() && sink(restored);
  }));
  return failed;
}

Result<std::vector<Record>> BlobResourceStore::ListRecords(std::string_view kind,
                                                           std::string_view after,
                                                           std::size_t limit) {
  return inner_.ListRecords(kind, after, limit);
}

Result<std::vector<AuditEntry>> BlobResourceStore::ReadAudit(std::int64_t from, std::size_t limit) {
  return inner_.ReadAudit(from, limit);
}

}  // namespace chartroom::store::blob
