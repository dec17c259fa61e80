#include "audit/chain.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace chartroom::audit {
namespace {

using std::chrono::seconds;

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Hash previous{};
    for (std::int64_t n = 1; n <= 100; ++n) {
      log_.push_back(MakeEntry(previous, n,
                               R"({"action":"R","agent":"user-)" + std::to_string(n % 7) +
                                   R"(","entity":"Patient/p)" + std::to_string(n) + R"("})"));
      previous = log_.back().chain;
    }
    for (std::size_t at = 0; at < 100; at += 25) {
      checkpoints_.push_back(Seal(std::span(log_).subspan(at, 25),
                                  core::Timestamp(seconds(1'790'000'000)), key_, "audit-1"));
    }
  }

  VerifyResult Verify(const std::vector<StoredEntry>& log) const {
    ChainVerifier verifier(keys_, checkpoints_);
    for (const StoredEntry& e : log) {
      if (!verifier.Add(e)) break;
    }
    return verifier.Finish();
  }
  // The log with the chain recomputed from the first entry on, as someone rewriting it would.
  static std::vector<StoredEntry> Rechained(std::vector<StoredEntry> log) {
    Hash previous{};
    for (StoredEntry& e : log) {
      e = MakeEntry(previous, e.sequence, e.body);
      previous = e.chain;
    }
    return log;
  }
  static std::int64_t FirstBad(const VerifyResult& r) {
    return r.first_bad ? r.first_bad->sequence : -1;
  }

  core::SeededRandom random_{21};
  crypto::SigningKey key_ = crypto::SigningKey::Generate(random_);
  VerifyKeys keys_{{"audit-1", key_.public_key()}};
  std::vector<StoredEntry> log_;
  std::vector<Checkpoint> checkpoints_;
};

TEST_F(ChainTest, AnUntouchedLogVerifies) {
  const VerifyResult r = Verify(log_);
  EXPECT_FALSE(r.first_bad.has_value()) << r.first_bad->problem;
  EXPECT_EQ(r.entries, 100);
  EXPECT_EQ(r.checkpoints, 4);
}

TEST_F(ChainTest, AChangedEntryIsNamedWhetherOrNotTheChainWasRecomputed) {
  auto changed = log_;
  changed[39].body = R"({"action":"R","agent":"user-0","entity":"Patient/p999"})";
  EXPECT_EQ(FirstBad(Verify(changed)), 40);
  EXPECT_NE(Verify(changed).first_bad->problem.find("chain hash"), std::string::npos);
  // Rewritten consistently: only the signed checkpoint of entries 26-50 shows it.
  const VerifyResult r = Verify(Rechained(changed));
  EXPECT_EQ(FirstBad(r), 26);
  EXPECT_NE(r.first_bad->problem.find("entries 26 to 50"), std::string::npos);
  EXPECT_EQ(r.first_bad->problem.find("p999"), std::string::npos);  // no event content
}

TEST_F(ChainTest, RemovedInsertedAndReorderedEntriesAreNamed) {
  auto removed = log_;
  removed.erase(removed.begin() + 59);  // entry 60
  EXPECT_EQ(FirstBad(Verify(removed)), 60);

  auto renumbered = removed;  // 60 removed, the rest renumbered and the chain recomputed
  for (std::size_t i = 59; i < renumbered.size(); ++i) renumbered[i].sequence -= 1;
  renumbered = Rechained(renumbered);
  EXPECT_EQ(FirstBad(Verify(renumbered)), 51);

  auto inserted = log_;
  inserted.insert(inserted.begin() + 70, log_[69]);  // entry 70 twice
  EXPECT_EQ(FirstBad(Verify(inserted)), 70);

  auto reordered = log_;
  std::swap(reordered[9], reordered[10]);  // 11 before 10
  EXPECT_EQ(FirstBad(Verify(reordered)), 10);
}

TEST_F(ChainTest, TruncationAndForgedCheckpointsAreFound) {
  std::vector<StoredEntry> truncated(log_.begin(), log_.begin() + 89);
  const VerifyResult cut = Verify(truncated);
  EXPECT_EQ(FirstBad(cut), 90);
  EXPECT_NE(cut.first_bad->problem.find("truncated"), std::string::npos);

  // A rewriter who re-seals with a key of their own.
  core::SeededRandom other_random(5);
  const crypto::SigningKey other = crypto::SigningKey::Generate(other_random);
  auto changed = log_;
  changed[30].body = "{}";
  changed = Rechained(changed);
  auto forged = checkpoints_;
  forged[1] = Seal(std::span(changed).subspan(25, 25), core::Timestamp(seconds(1'790'000'000)),
                   other, "audit-1");
  ChainVerifier verifier(keys_, forged);
  for (const StoredEntry& e : changed) {
    if (!verifier.Add(e)) break;
  }
  const VerifyResult r = verifier.Finish();
  EXPECT_EQ(FirstBad(r), 26);
  EXPECT_NE(r.first_bad->problem.find("signature"), std::string::npos);
}

TEST(MerkleTest, FollowsTheRfc6962TreeShape) {
  const Hash a = crypto::Sha256({"a"}), b = crypto::Sha256({"b"}), c = crypto::Sha256({"c"});
  auto node = [](const Hash& l, const Hash& r) {
    return crypto::Sha256({std::string_view("\x01", 1), crypto::Bytes(l), crypto::Bytes(r)});
  };
  const std::vector<Hash> one = {a}, two = {a, b}, three = {a, b, c};
  EXPECT_EQ(MerkleRoot(one), a);
  EXPECT_EQ(MerkleRoot(two), node(a, b));
  EXPECT_EQ(MerkleRoot(three), node(node(a, b), c));
  EXPECT_NE(MerkleRoot(std::vector<Hash>{b, a}), MerkleRoot(two));
  // SHA-256 of nothing, as RFC 6962 defines the empty tree.
  EXPECT_EQ(crypto::Bytes(MerkleRoot({})), crypto::Bytes(crypto::Sha256({std::string_view()})));
}

}  // namespace
}  // namespace chartroom::audit
