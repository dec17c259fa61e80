// The audit trail (docs/audit.md): who did what to which patients' records, for which purpose,
// with which outcome, from where and when. Events are sealed at rest under the store's system
// key and appended to the store's audit log (store::Transaction::AppendAudit), which chains each
// to the one before (chain.hpp). A write's event is appended in the write's own transaction
// (RecordIn), so both commit or neither does; reads, searches and logins are queued (Record)
// and appended in batches by a background thread, one store transaction per batch, at most
// `flush_interval` after they happened; up to `events_per_entry` of them share one sealed entry,
// one JSON line each, so sealing, chaining and storing are paid per entry. The same thread seals
// what was appended into a signed checkpoint (record kind "audit-checkpoint").
//
// Verify re-reads the whole log and names the first entry that does not fit; Export writes FHIR
// AuditEvent NDJSON in the IHE Basic Audit Log Patterns (BALP) shape.
//
// Thread safety: Record and RecordIn may be called from any thread; Start/Stop from one.

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "audit/chain.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "crypto/signature.hpp"
#include "store/resource_store.hpp"

namespace chartroom::audit {

// What happened (BALP's AuditEvent.type/subtype and action follow from it).
enum class Action {
  kLogin,
  kLogout,
  kRead,  // read, vread, history, $everything
  kSearch,
  kCreate,
  kUpdate,
  kDelete,
  kExport,
  kBreakGlass,  // a break-the-glass grant claimed, used, ended or reviewed
  kDisclosure,
  kTokenIssued,     // `chartroom user token`
  kAdministration,  // users, roles, keys
};
std::string_view ActionName(Action action);

struct Event {
  core::Timestamp time;
  Action action = Action::kRead;
  // "success" or the failure: "denied", "not-found", "invalid", "error", or a login reason.
  std::string outcome = "success";
  std::string user;  // user name or client id; "" for an unauthenticated attempt
  std::vector<std::string> roles;
  std::string purpose;
  std::vector<std::string> patients;   // Patient ids whose records it touched
  std::vector<std::string> resources;  // "Type/id" or "Type/id/_history/n"
  std::string client_address;
  std::string request_id;
  std::string detail;  // the operation ("vread", "$everything", a reason); never record content

  std::string ToJson() const;
  static Result<Event> FromJson(std::string_view text);
};

struct TrailOptions {
  std::chrono::milliseconds flush_interval{50};
  std::size_t max_batch = 4096;
  // Queued events sealed together into one log entry (a write's event is an entry of its own).
  std::size_t events_per_entry = 256;
  std::string key_id = "server";
};

class Trail {
 public:
  // `seal_key` seals event bodies at rest (the store's system compartment key); `signing_key`
  // signs checkpoints.
  // `random` must be thread-safe (nonces of the seals).
  Trail(store::ResourceStore& store, core::Clock& clock, core::Random& random,
        crypto::SecretKey seal_key, crypto::SigningKey signing_key, TrailOptions options = {});
  ~Trail();

  // Appends `event` in `tx` (the write it records). The entry commits with the transaction.
  Status RecordIn(store::Transaction& tx, const Event& event);
  // Queues `event` for the next batch.
  void Record(Event event);
  // Appends what is queued and seals a checkpoint over everything appended since the last one.
  Status Flush();

  // The background thread of batches and checkpoints.
  void Start();
  void Stop();  // flushes

  // Batches the store refused so far; their events were queued again for the next batch.
  std::uint64_t failed_batches() const;

 private:
  Status AppendQueued();
  Status SealCheckpoint();
  // The events, one JSON line each, sealed as one entry body.
  std::string SealBody(std::span<const Event> events, core::Random& random) const;

  store::ResourceStore& store_;
  core::Clock& clock_;
  core::Random& random_;
  core::BufferedRandom nonces_;  // for the batches' seals; used under flush_mutex_
  crypto::SecretKey seal_key_;
  crypto::SigningKey signing_key_;
  TrailOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Event> queue_;
  std::mutex flush_mutex_;         // one flush at a time; guards the members below it
  std::vector<Hash> leaves_;       // of the entries this trail appended since the last seal
  std::int64_t leaves_first_ = 0;  // the sequence of leaves_[0]; 0: none
  std::string sealed_key_;         // the record key of the last checkpoint seen
  std::int64_t sealed_last_ = 0;   // and the last entry it covers
  bool stopping_ = false;
  std::uint64_t failed_batches_ = 0;
  std::thread thread_;
};

// Checkpoints as the store keeps them (records of kind "audit-checkpoint").
std::string CheckpointJson(const Checkpoint& checkpoint);
Result<Checkpoint> CheckpointFromJson(std::string_view text);
Result<std::vector<Checkpoint>> LoadCheckpoints(store::ResourceStore& store);

// Checks the whole log of `store` against its checkpoints (chain.hpp's ChainVerifier).
Result<VerifyResult> VerifyLog(store::ResourceStore& store, const VerifyKeys& keys);

// An event's id: its entry's sequence and its place in the entry, from 1 ("1234-1").
std::string EventId(std::int64_t sequence, int index);

// Writes every event of the entries with sequence >= `from` as one FHIR AuditEvent per line
// (BALP); returns how many. kInternal "audit.unseal" for a body that does not open under
// `seal_key`.
Result<std::int64_t> ExportLog(store::ResourceStore& store, const crypto::SecretKey& seal_key,
                               std::ostream& out, std::int64_t from = 1);

// The events of the entries with sequence >= `from`, opened, with their ids, for privacy
// reports; `sink` returns false to stop.
Status ForEachEvent(store::ResourceStore& store, const crypto::SecretKey& seal_key,
                    std::int64_t from,
                    const std::function<bool(std::string_view, const Event&)>& sink);

// The AuditEvent (BALP) of one event.
std::string ToAuditEvent(std::string_view id, const Event& event);

}  // namespace chartroom::audit
