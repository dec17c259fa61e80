// The audit log's tamper evidence: every entry is chained to the one before it by SHA-256, and
// at intervals a range of entries is sealed into a checkpoint: the Merkle root of the range
// (RFC 6962 tree hash) and the chain hash at its end, signed with Ed25519. Verification
// recomputes both and names the first entry that does not fit: a changed body (its chain hash
// no longer matches), a removed, repeated or reordered entry (the sequence breaks), or a rewrite
// that recomputed the chain (a checkpoint no longer matches, or its signature fails).
//
//   leaf(n)  = SHA-256(0x00 || n as 8 bytes big-endian || body)
//   chain(n) = SHA-256(0x02 || chain(n-1) || leaf(n)), chain(0) = 32 zero bytes
//   node     = SHA-256(0x01 || left || right)            (RFC 6962 section 2.1)
//
// What no log can show by itself: entries removed from the end after the last checkpoint. So
// checkpoints are sealed often (every batch) and their heads can be kept elsewhere.
//
// Thread safety: pure functions; a ChainVerifier is used by one thread.

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "crypto/sha256.hpp"
#include "crypto/signature.hpp"

namespace chartroom::audit {

using Hash = crypto::Sha256Digest;

// An entry as the log keeps it.
struct StoredEntry {
  std::int64_t sequence = 0;  // 1, 2, 3 ... in append order
  std::string body;           // the event, canonical JSON
  Hash chain{};               // ChainHash(chain of the entry before, LeafHash(sequence, body))
};

Hash LeafHash(std::int64_t sequence, std::string_view body);
Hash ChainHash(const Hash& previous, const Hash& leaf);
// The RFC 6962 Merkle tree hash of `leaves` (the empty tree: SHA-256 of nothing).
Hash MerkleRoot(std::span<const Hash> leaves);

// The chain hash of entry `sequence` as the store keeps it (store::AuditChainFunction): its
// bytes, `previous` the previous entry's (empty for the first).
std::string StoreChain(std::string_view previous, std::int64_t sequence, std::string_view body);

// The entry that follows one whose chain hash is `previous` (zeros for the first).
StoredEntry MakeEntry(const Hash& previous, std::int64_t sequence, std::string body);

// A signed seal over entries [first, last].
struct Checkpoint {
  std::int64_t first = 0;
  std::int64_t last = 0;
  Hash merkle_root{};
  Hash head{};                 // chain hash of entry `last`
  std::int64_t sealed_at = 0;  // seconds since the epoch
  std::string key_id;
  std::string signature;  // Ed25519 over Message()

  // What the signature covers: every field above but the signature, in a fixed text form.
  std::string Message() const;
};

// Seals `range` (consecutive entries, non-empty).
Checkpoint Seal(std::span<const StoredEntry> range, core::Timestamp now,
                const crypto::SigningKey& key, std::string_view key_id);
// The same from the leaf hashes of entries first, first + 1, ... and the chain hash of the last.
Checkpoint SealLeaves(std::int64_t first, std::span<const Hash> leaves, const Hash& head,
                      core::Timestamp now, const crypto::SigningKey& key, std::string_view key_id);

using VerifyKeys = std::map<std::string, crypto::PublicKey, std::less<>>;

struct Finding {
  std::int64_t sequence = 0;  // the first entry that does not fit
  std::string problem;        // what was found, for people (no event content)
};

struct VerifyResult {
  std::int64_t entries = 0;      // entries read
  std::int64_t checkpoints = 0;  // checkpoints whose range was checked
  std::optional<Finding> first_bad;
};

// Checks a log entry by entry, in stored order, against its checkpoints (sorted by `first`,
// consecutive). Memory: the leaves of one checkpoint's range. Stops at the first finding.
class ChainVerifier {
 public:
  ChainVerifier(const VerifyKeys& keys, std::vector<Checkpoint> checkpoints);

  // False once something was found (the rest need not be read).
  bool Add(const StoredEntry& entry);
  VerifyResult Finish();

 private:
  bool Fail(std::int64_t sequence, std::string problem);
  bool CloseCheckpoint();

  const VerifyKeys& keys_;
  std::vector<Checkpoint> checkpoints_;
  std::size_t next_checkpoint_ = 0;
  std::vector<Hash> leaves_;  // of the open checkpoint's range
  Hash previous_{};
  std::int64_t expected_ = 1;
  VerifyResult result_;
};

}  // namespace chartroom::audit
