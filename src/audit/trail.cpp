#include "audit/trail.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"
#include "fhir/json/writer.hpp"

namespace chartroom::audit {
namespace json = boost::json;
namespace {

constexpr std::string_view kCheckpoints = "audit-checkpoint";
constexpr std::string_view kSealContext = "audit-event";
constexpr std::size_t kReadChunk = 8192;

struct ActionInfo {
  Action action;
  std::string_view name;
  std::string_view balp_action;  // AuditEvent.action: C R U D E
  std::string_view subtype;      // restful-interaction (or DICOM for logins)
};

constexpr ActionInfo kActions[] = {
    {Action::kLogin, "login", "E", "110122"},
    {Action::kLogout, "logout", "E", "110123"},
    {Action::kRead, "read", "R", "read"},
    {Action::kSearch, "search", "E", "search-type"},
    {Action::kCreate, "create", "C", "create"},
    {Action::kUpdate, "update", "U", "update"},
    {Action::kDelete, "delete", "D", "delete"},
    {Action::kExport, "export", "R", "export"},
    {Action::kBreakGlass, "break-glass", "E", "break-glass"},
    {Action::kDisclosure, "disclosure", "R", "disclosure"},
    {Action::kTokenIssued, "token-issued", "E", "110122"},
    {Action::kAdministration, "administration", "E", "administration"},
};

const ActionInfo& Info(Action action) {
  for (const ActionInfo& info : kActions) {
    if (info.action == action) return info;
  }
  return kActions[2];
}

std::string Iso(core::Timestamp t) {
  const auto micros = t.time_since_epoch().count();
  const std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((micros / 1000) % 1000));
  return buf;
}

std::vector<std::string> StringsOf(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

Hash ToHash(std::string_view bytes) {
  Hash h{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), h.size()), h.begin());
  return h;
}

std::optional<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash h{};
  for (std::size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      const char c = hex[2 * i + k];
      const int n = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (n < 0) return std::nullopt;
      v = v * 16 + n;
    }
    h[i] = static_cast<std::uint8_t>(v);
  }
  return h;
}

std::string CheckpointKey(std::int64_t first) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%019lld", static_cast<long long>(first));
  return buf;
}

}  // namespace

std::string_view ActionName(Action action) { return Info(action).name; }

namespace {

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  out += ",\"";
  out += key;
  out += "\":";
  fhir::json::AppendJsonString(out, value);
}

void AppendList(std::string& out, std::string_view key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  out += ",\"";
  out += key;
  out += "\":[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    fhir::json::AppendJsonString(out, values[i]);
  }
  out += ']';
}

}  // namespace

// The same JSON a DOM would give, written directly: this runs once per audited request.
std::string Event::ToJson() const {
  std::string out;
  out.reserve(256);
  out += "{\"t\":";
  out += std::to_string(time.time_since_epoch().count());
  AppendField(out, "a", ActionName(action));
  out += ",\"o\":";
  fhir::json::AppendJsonString(out, outcome);
  AppendField(out, "u", user);
  AppendList(out, "r", roles);
  AppendField(out, "p", purpose);
  AppendList(out, "pt", patients);
  AppendList(out, "res", resources);
  AppendField(out, "ip", client_address);
  AppendField(out, "rq", request_id);
  AppendField(out, "d", detail);
  out += '}';
  return out;
}

Result<Event> Event::FromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInternal, "audit.bad-event", "an audit event is not JSON");
  }
  const json::object& o = v.get_object();
  auto str = [&](std::string_view key) {
    const json::value* f = o.if_contains(key);
    return f != nullptr && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  Event e;
  if (const json::value* t = o.if_contains("t"); t != nullptr && t->is_int64()) {
    e.time = core::Timestamp(std::chrono::microseconds(t->get_int64()));
  }
  const std::string action = str("a");
  for (const ActionInfo& info : kActions) {
    if (info.name == action) e.action = info.action;
  }
  e.outcome = str("o");
  e.user = str("u");
  e.roles = StringsOf(o, "r");
  e.purpose = str("p");
  e.patients = StringsOf(o, "pt");
  e.resources = StringsOf(o, "res");
  e.client_address = str("ip");
  e.request_id = str("rq");
  e.detail = str("d");
  return e;
}

Trail::Trail(store::ResourceStore& store, core::Clock& clock, core::Random& random,
             crypto::SecretKey seal_key, crypto::SigningKey signing_key, TrailOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      nonces_(random),
      seal_key_(seal_key),
      signing_key_(std::move(signing_key)),
      options_(std::move(options)) {}

Trail::~Trail() { Stop(); }

std::string Trail::SealBody(std::span<const Event> events, core::Random& random) const {
  std::string plain;
  for (const Event& e : events) {
    if (!plain.empty()) plain += '\n';
    plain += e.ToJson();
  }
  return crypto::Seal(seal_key_, plain, kSealContext, random);
}

Status Trail::RecordIn(store::Transaction& tx, const Event& event) {
  const std::string body = SealBody({&event, 1}, random_);
  CHARTROOM_ASSIGN_OR_RETURN(std::int64_t sequence, tx.AppendAudit({&body, 1}));
  (void)sequence;
  return Ok();
}

void Trail::Record(Event event) {
  // Serializing and sealing happen on the trail's thread, in the batch.
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(event));
  if (queue_.size() >= options_.max_batch) wake_.notify_one();
}

Status Trail::AppendQueued() {
  std::vector<Event> events;
  {
    std::lock_guard lock(mutex_);
    events.swap(queue_);
  }
  if (events.empty()) return Ok();
  // One entry per `events_per_entry` events: the seal, the chain link and the row are paid per
  // entry, not per event.
  std::vector<std::string> batch;
  const std::size_t per_entry = std::max<std::size_t>(options_.events_per_entry, 1);
  batch.reserve(events.size() / per_entry + 1);
  for (std::size_t at = 0; at < events.size(); at += per_entry) {
    const std::size_t n = std::min(per_entry, events.size() - at);
    batch.push_back(SealBody(std::span(events).subspan(at, n), nonces_));
  }
  std::int64_t last = 0;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(last, tx.AppendAudit(batch));
    return Ok();
  });
  if (written) {
    // Keep the leaves of what this batch appended: while the log grows only by these batches,
    // the next checkpoint is sealed from memory instead of re-reading the entries.
    const std::int64_t first = last - static_cast<std::int64_t>(batch.size()) + 1;
    if (leaves_first_ == 0 || first != leaves_first_ + static_cast<std::int64_t>(leaves_.size())) {
      leaves_.clear();
      leaves_first_ = first;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      leaves_.push_back(LeafHash(first + static_cast<std::int64_t>(i), batch[i]));
    }
  } else {
    // Put them back in front, to be tried again with the next batch.
    std::lock_guard lock(mutex_);
    events.insert(events.end(), std::make_move_iterator(queue_.begin()),
                  std::make_move_iterator(queue_.end()));
    queue_.swap(events);
  }
  return written;
}

Status Trail::SealCheckpoint() {
  // The last checkpoint: this trail's, or a newer one another process sealed.
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto newer, store_.ListRecords(kCheckpoints, sealed_key_, 1000));
    if (newer.empty()) break;
    CHARTROOM_ASSIGN_OR_RETURN(Checkpoint latest, CheckpointFromJson(newer.back().value));
    sealed_key_ = newer.back().key;
    sealed_last_ = latest.last;
  }
  const std::int64_t from = sealed_last_ + 1;
  std::optional<Checkpoint> checkpoint;
  if (leaves_first_ == from && !leaves_.empty()) {
    const std::int64_t last = from + static_cast<std::int64_t>(leaves_.size()) - 1;
    CHARTROOM_ASSIGN_OR_RETURN(auto head, store_.ReadAudit(last, 1));
    if (head.size() == 1 && head[0].sequence == last) {
      checkpoint = SealLeaves(from, leaves_, ToHash(head[0].chain), clock_.Now(), signing_key_,
                              options_.key_id);
    }
  }
  if (!checkpoint) {
    std::vector<StoredEntry> range;
    for (std::int64_t at = from;;) {
      CHARTROOM_ASSIGN_OR_RETURN(auto entries, store_.ReadAudit(at, kReadChunk));
      for (auto& e : entries) range.push_back({e.sequence, std::move(e.body), ToHash(e.chain)});
      if (entries.size() < kReadChunk) break;
      at = range.back().sequence + 1;
    }
    if (range.empty()) return Ok();
    checkpoint = Seal(range, clock_.Now(), signing_key_, options_.key_id);
  }
  const std::string key = CheckpointKey(checkpoint->first);
  CHARTROOM_RETURN_IF_ERROR(store_.InTransaction([&](store::Transaction& tx) -> Status {
    // Another process may have sealed the same range meanwhile: keep the first.
    CHARTROOM_ASSIGN_OR_RETURN(auto existing, tx.GetRecord(kCheckpoints, key));
    if (existing) return Ok();
    return tx.PutRecord(kCheckpoints, key, CheckpointJson(*checkpoint));
  }));
  leaves_.clear();
  leaves_first_ = 0;
  return Ok();
}

Status Trail::Flush() {
  std::lock_guard lock(flush_mutex_);
  CHARTROOM_RETURN_IF_ERROR(AppendQueued());
  return SealCheckpoint();
}

void Trail::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    auto last_seal = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, options_.flush_interval);
      if (stopping_) break;
      lock.unlock();
      {
        std::lock_guard flush(flush_mutex_);
        if (!AppendQueued()) {
          std::lock_guard count(mutex_);
          ++failed_batches_;
        }
        // Checkpoints every second: the signature, not the batches, is what costs.
        if (std::chrono::steady_clock::now() - last_seal >= std::chrono::seconds(1)) {
          (void)SealCheckpoint();
          last_seal = std::chrono::steady_clock::now();
        }
      }
      lock.lock();
    }
  });
}

void Trail::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)Flush();
}

std::uint64_t Trail::failed_batches() const {
  std::lock_guard lock(mutex_);
  return failed_batches_;
}

std::string CheckpointJson(const Checkpoint& c) {
  json::object o;
  o["first"] = c.first;
  o["last"] = c.last;
  o["root"] = crypto::ToHex(c.merkle_root);
  o["head"] = crypto::ToHex(c.head);
  o["sealed_at"] = c.sealed_at;
  o["kid"] = c.key_id;
  o["sig"] = crypto::EncodeBase64Url(c.signature);
  return json::serialize(o);
}

Result<Checkpoint> CheckpointFromJson(std::string_view text) {
  auto bad = [] {
    return Fail(ErrorCategory::kInternal, "audit.bad-checkpoint", "an audit checkpoint is damaged");
  };
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad();
  const json::object& o = v.get_object();
  auto num = [&](std::string_view k) -> std::optional<std::int64_t> {
    const json::value* f = o.if_contains(k);
    if (f == nullptr || !f->is_int64()) return std::nullopt;
    return f->get_int64();
  };
  auto str = [&](std::string_view k) -> std::string {
    const json::value* f = o.if_contains(k);
    return f != nullptr && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  auto first = num("first");
  auto last = num("last");
  auto sealed = num("sealed_at");
  auto root = HashFromHex(str("root"));
  auto head = HashFromHex(str("head"));
  auto sig = crypto::DecodeBase64Url(str("sig"));
  if (!first || !last || !sealed || !root || !head || !sig) return bad();
  Checkpoint c;
  c.first = *first;
  c.last = *last;
  c.sealed_at = *sealed;
  c.merkle_root = *root;
  c.head = *head;
  c.key_id = str("kid");
  c.signature = *sig;
  return c;
}

Result<std::vector<Checkpoint>> LoadCheckpoints(store::ResourceStore& store) {
  std::vector<Checkpoint> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kCheckpoints, after, 1000));
    for (const auto& record : page) {
      CHARTROOM_ASSIGN_OR_RETURN(Checkpoint c, CheckpointFromJson(record.value));
      out.push_back(std::move(c));
    }
    if (page.size() < 1000) break;
    after = page.back().key;
  }
  return out;
}

Result<VerifyResult> VerifyLog(store::ResourceStore& store, const VerifyKeys& keys) {
  CHARTROOM_ASSIGN_OR_RETURN(auto checkpoints, LoadCheckpoints(store));
  ChainVerifier verifier(keys, std::move(checkpoints));
  std::int64_t from = 1;
  // Each chunk starts after the last row read, so a removed row shows as a gap in the sequence.
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto entries, store.ReadAudit(from, kReadChunk));
    for (auto& e : entries) {
      if (!verifier.Add({e.sequence, std::move(e.body), ToHash(e.chain)})) {
        return verifier.Finish();
      }
    }
    if (entries.size() < kReadChunk) break;
    from = entries.back().sequence + 1;
  }
  return verifier.Finish();
}

std::string EventId(std::int64_t sequence, int index) {
  return std::to_string(sequence) + "-" + std::to_string(index);
}

Status ForEachEvent(store::ResourceStore& store, const crypto::SecretKey& seal_key,
                    std::int64_t from,
                    const std::function<bool(std::string_view, const Event&)>& sink) {
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto entries, store.ReadAudit(from, kReadChunk));
    for (const auto& e : entries) {
      auto opened = crypto::Open(seal_key, e.body, kSealContext);
      if (!opened) {
        return Fail(ErrorCategory::kInternal, "audit.unseal",
                    "audit entry " + std::to_string(e.sequence) + " does not open");
      }
      // One event per line (JSON strings escape their line breaks).
      std::string_view rest = *opened;
      for (int index = 1; !rest.empty(); ++index) {
        const std::size_t end = std::min(rest.find('\n'), rest.size());
        CHARTROOM_ASSIGN_OR_RETURN(Event event, Event::FromJson(rest.substr(0, end)));
        if (!sink(EventId(e.sequence, index), event)) return Ok();
        rest.remove_prefix(std::min(end + 1, rest.size()));
      }
    }
    if (entries.size() < kReadChunk) return Ok();
    from = entries.back().sequence + 1;
  }
}

std::string ToAuditEvent(std::string_view id, const Event& e) {
  const ActionInfo& info = Info(e.action);
  json::object ae;
  ae["resourceType"] = "AuditEvent";
  ae["id"] = id;
  const bool login =
      e.action == Action::kLogin || e.action == Action::kLogout || e.action == Action::kTokenIssued;
  if (login) {
    ae["type"] = {{"system", "http://dicom.nema.org/resources/ontology/DCM"},
                  {"code", "110114"},
                  {"display", "User Authentication"}};
    ae["subtype"] = json::array{
        {{"system", "http://dicom.nema.org/resources/ontology/DCM"}, {"code", info.subtype}}};
  } else {
    ae["type"] = {{"system", "http://terminology.hl7.org/CodeSystem/audit-event-type"},
                  {"code", "rest"},
                  {"display", "Restful Operation"}};
    ae["subtype"] = json::array{
        {{"system", "http://hl7.org/fhir/restful-interaction"}, {"code", info.subtype}}};
  }
  ae["action"] = info.balp_action;
  ae["recorded"] = Iso(e.time);
  const bool ok = e.outcome == "success";
  ae["outcome"] = ok ? "0" : (e.outcome == "error" ? "8" : "4");
  if (!ok) ae["outcomeDesc"] = e.outcome;
  if (!e.purpose.empty()) {
    ae["purposeOfEvent"] = json::array{
        {{"coding", json::array{{{"system", "http://terminology.hl7.org/CodeSystem/v3-ActReason"},
                                 {"code", e.purpose}}}}}};
  }
  json::array agents;
  json::object who;
  who["type"] = {{"coding", json::array{{{"system",
                                          "http://terminology.hl7.org/CodeSystem/"
                                          "extra-security-role-type"},
                                         {"code", "humanuser"}}}}};
  who["who"] = {{"identifier", {{"value", e.user.empty() ? "unknown" : e.user}}}};
  who["requestor"] = true;
  if (!e.roles.empty()) {
    json::array roles;
    for (const auto& r : e.roles) {
      json::object role;
      role["coding"] = json::array{{{"system", "urn:chartroom:role"}, {"code", r}}};
      roles.push_back(std::move(role));
    }
    who["role"] = std::move(roles);
  }
  if (!e.client_address.empty()) {
    who["network"] = {{"address", e.client_address}, {"type", "2"}};
  }
  agents.push_back(std::move(who));
  ae["agent"] = std::move(agents);
  ae["source"] = {{"observer", {{"display", "chartroom"}}},
                  {"type", json::array{{{"system",
                                         "http://terminology.hl7.org/CodeSystem/"
                                         "security-source-type"},
                                        {"code", "4"}}}}};
  json::array entities;
  for (const auto& p : e.patients) {
    entities.push_back(
        {{"what", {{"reference", "Patient/" + p}}},
         {"type",
          {{"system", "http://terminology.hl7.org/CodeSystem/audit-entity-type"}, {"code", "1"}}},
         {"role",
          {{"system", "http://terminology.hl7.org/CodeSystem/object-role"}, {"code", "1"}}}});
  }
  for (const auto& r : e.resources) {
    entities.push_back(
        {{"what", {{"reference", r}}},
         {"type",
          {{"system", "http://terminology.hl7.org/CodeSystem/audit-entity-type"}, {"code", "2"}}},
         {"role",
          {{"system", "http://terminology.hl7.org/CodeSystem/object-role"}, {"code", "4"}}}});
  }
  if (!e.detail.empty() || !e.request_id.empty()) {
    json::object detail_entity;
    detail_entity["type"] = {{"system", "http://terminology.hl7.org/CodeSystem/audit-entity-type"},
                             {"code", "4"}};
    if (!e.request_id.empty()) detail_entity["name"] = e.request_id;
    if (!e.detail.empty()) detail_entity["description"] = e.detail;
    entities.push_back(std::move(detail_entity));
  }
  if (!entities.empty()) ae["entity"] = std::move(entities);
  return json::serialize(ae);
}

Result<std::int64_t> ExportLog(store::ResourceStore& store, const crypto::SecretKey& seal_key,
                               std::ostream& out, std::int64_t from) {
  std::int64_t count = 0;
  CHARTROOM_RETURN_IF_ERROR(
      ForEachEvent(store, seal_key, from, [&](std::string_view id, const Event& event) {
        out << ToAuditEvent(id, event) << '\n';
        ++count;
        return true;
      }));
  return count;
}

}  // namespace chartroom::audit
