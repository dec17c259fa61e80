// Contract tests of store::KeyProvider (store/key_provider.hpp) on every backend that offers it:
// one stable key per compartment, created durably or inside the caller's transaction.

#include "store/key_provider.hpp"

#include <gtest/gtest.h>

#include "crypto/keyed_hash.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

// Keys compared through a digest: SecretKey exposes no comparison.
std::string Fingerprint(const crypto::SecretKey& key) {
  return crypto::ToHex(crypto::KeyedHash(key, "fingerprint"));
}

class KeyProviderTest : public test::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    keys_ = dynamic_cast<KeyProvider*>(&store());
    if (keys_ == nullptr) GTEST_SKIP() << "the backend offers no KeyProvider";
  }
  std::string KeyOf(std::optional<std::string_view> patient, Transaction* open = nullptr) {
    auto key = keys_->CompartmentKey(patient, open);
    EXPECT_TRUE(key.has_value()) << key.error().message();
    return key ? Fingerprint(*key) : "";
  }
  KeyProvider* keys_ = nullptr;
};

TEST_P(KeyProviderTest, EachCompartmentHasOneStableKey) {
  const std::string p1 = KeyOf("p1");
  EXPECT_EQ(KeyOf("p1"), p1);
  EXPECT_NE(KeyOf("p2"), p1);
  EXPECT_NE(KeyOf(std::nullopt), p1);
  EXPECT_EQ(KeyOf(std::nullopt), KeyOf(std::nullopt));
  // Inside a transaction the same key is seen.
  ASSERT_TRUE(store()
                  .InTransaction([&](Transaction& tx) -> Status {
                    EXPECT_EQ(KeyOf("p1", &tx), p1);
                    return Ok();
                  })
                  .has_value());
}

TEST_P(KeyProviderTest, AKeyCreatedInARolledBackTransactionIsGone) {
  std::string inside;
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    inside = KeyOf("p3", &tx);
    EXPECT_EQ(KeyOf("p3", &tx), inside);
    return Fail(ErrorCategory::kConflict, "test.rollback", "rolled back on purpose");
  });
  ASSERT_FALSE(status.has_value());
  const std::string after = KeyOf("p3");
  EXPECT_NE(after, inside);
  EXPECT_EQ(KeyOf("p3"), after);
}

TEST_P(KeyProviderTest, AKeyCreatedInACommittedTransactionStays) {
  std::string inside;
  ASSERT_TRUE(store()
                  .InTransaction([&](Transaction& tx) -> Status {
                    inside = KeyOf("p4", &tx);
                    return Ok();
                  })
                  .has_value());
  EXPECT_EQ(KeyOf("p4"), inside);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, KeyProviderTest,
                         ::testing::ValuesIn(test::AvailableBackends()), test::BackendName);

}  // namespace
}  // namespace chartroom::store
