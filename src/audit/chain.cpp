#include "audit/chain.hpp"

#include <array>

#include "crypto/keyed_hash.hpp"

namespace chartroom::audit {
namespace {

std::array<char, 8> BigEndian(std::int64_t value) {
  std::array<char, 8> out;
  auto v = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

// RFC 6962 section 2.1: MTH(D[n]) splits at the largest power of two below n.
Hash Tree(std::span<const Hash> leaves) {
  if (leaves.size() == 1) return leaves[0];
  std::size_t k = 1;
  while (k * 2 < leaves.size()) k *= 2;
  const Hash left = Tree(leaves.subspan(0, k));
  const Hash right = Tree(leaves.subspan(k));
  return crypto::Sha256({std::string_view("\x01", 1), crypto::Bytes(left), crypto::Bytes(right)});
}

}  // namespace

Hash LeafHash(std::int64_t sequence, std::string_view body) {
  const auto n = BigEndian(sequence);
  return crypto::Sha256({std::string_view("\x00", 1), std::string_view(n.data(), n.size()), body});
}

Hash ChainHash(const Hash& previous, const Hash& leaf) {
  return crypto::Sha256(
      {std::string_view("\x02", 1), crypto::Bytes(previous), crypto::Bytes(leaf)});
}

Hash MerkleRoot(std::span<const Hash> leaves) {
  if (leaves.empty()) return crypto::Sha256({});
  return Tree(leaves);
}

std::string StoreChain(std::string_view previous, std::int64_t sequence, std::string_view body) {
  Hash prev{};
  std::copy_n(previous.begin(), std::min(previous.size(), prev.size()), prev.begin());
  const Hash chain = ChainHash(prev, LeafHash(sequence, body));
  return std::string(crypto::Bytes(chain));
}

StoredEntry MakeEntry(const Hash& previous, std::int64_t sequence, std::string body) {
  StoredEntry entry{sequence, std::move(body), {}};
  entry.chain = ChainHash(previous, LeafHash(sequence, entry.body));
  return entry;
}

std::string Checkpoint::Message() const {
  return "chartroom-audit-checkpoint-v1\nfirst " + std::to_string(first) + "\nlast " +
         std::to_string(last) + "\nroot " + crypto::ToHex(merkle_root) + "\nhead " +
         crypto::ToHex(head) + "\nsealed " + std::to_string(sealed_at) + "\nkey " + key_id + "\n";
}

Checkpoint Seal(std::span<const StoredEntry> range, core::Timestamp now,
                const crypto::SigningKey& key, std::string_view key_id) {
  std::vector<Hash> leaves;
  leaves.reserve(range.size());
  for (const StoredEntry& e : range) leaves.push_back(LeafHash(e.sequence, e.body));
  return SealLeaves(range.front().sequence, leaves, range.back().chain, now, key, key_id);
}

Checkpoint SealLeaves(std::int64_t first, std::span<const Hash> leaves, const Hash& head,
                      core::Timestamp now, const crypto::SigningKey& key, std::string_view key_id) {
  Checkpoint c;
  c.first = first;
  c.last = first + static_cast<std::int64_t>(leaves.size()) - 1;
  c.merkle_root = MerkleRoot(leaves);
  c.head = head;
  c.sealed_at = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  c.key_id = std::string(key_id);
  c.signature = key.Sign(c.Message());
  return c;
}

ChainVerifier::ChainVerifier(const VerifyKeys& keys, std::vector<Checkpoint> checkpoints)
    : keys_(keys), checkpoints_(std::move(checkpoints)) {}

bool ChainVerifier::Fail(std::int64_t sequence, std::string problem) {
  if (!result_.first_bad) result_.first_bad = Finding{sequence, std::move(problem)};
  return false;
}

bool ChainVerifier::Add(const StoredEntry& entry) {
  if (result_.first_bad) return false;
  ++result_.entries;
  if (entry.sequence > expected_) {
    return Fail(expected_, "entry " + std::to_string(expected_) +
                               " is missing or out of place (removed or reordered)");
  }
  if (entry.sequence < expected_) {
    return Fail(entry.sequence, "entry " + std::to_string(entry.sequence) +
                                    " appears again or out of order (inserted or reordered)");
  }
  const Hash leaf = LeafHash(entry.sequence, entry.body);
  const Hash chain = ChainHash(previous_, leaf);
  if (chain != entry.chain) {
    return Fail(entry.sequence,
                "entry " + std::to_string(entry.sequence) + " does not match its chain hash");
  }
  previous_ = chain;
  ++expected_;
  if (next_checkpoint_ < checkpoints_.size()) {
    const Checkpoint& c = checkpoints_[next_checkpoint_];
    if (entry.sequence >= c.first) leaves_.push_back(leaf);
    if (entry.sequence == c.last) return CloseCheckpoint();
  }
  return true;
}

bool ChainVerifier::CloseCheckpoint() {
  const Checkpoint& c = checkpoints_[next_checkpoint_];
  const std::string range = "entries " + std::to_string(c.first) + " to " + std::to_string(c.last);
  const std::int64_t expected_first =
      next_checkpoint_ == 0 ? 1 : checkpoints_[next_checkpoint_ - 1].last + 1;
  auto key = keys_.find(std::string_view(c.key_id));
  if (c.first != expected_first || c.last < c.first ||
      static_cast<std::int64_t>(leaves_.size()) != c.last - c.first + 1) {
    return Fail(c.first, "the checkpoint of " + range + " does not follow the one before it");
  }
  if (key == keys_.end() || !crypto::Verify(key->second, c.Message(), c.signature)) {
    return Fail(c.first, "the checkpoint of " + range + " has no valid signature");
  }
  if (MerkleRoot(leaves_) != c.merkle_root || previous_ != c.head) {
    return Fail(c.first, range +
                             " do not match their signed checkpoint: one of them was changed, "
                             "removed, inserted or reordered and the chain recomputed");
  }
  leaves_.clear();
  ++next_checkpoint_;
  ++result_.checkpoints;
  return true;
}

VerifyResult ChainVerifier::Finish() {
  if (!result_.first_bad && next_checkpoint_ < checkpoints_.size()) {
    const Checkpoint& c = checkpoints_[next_checkpoint_];
    Fail(expected_, "entries " + std::to_string(expected_) + " to " + std::to_string(c.last) +
                        " are missing: a signed checkpoint covers them (the log was truncated)");
  }
  return result_;
}

}  // namespace chartroom::audit
