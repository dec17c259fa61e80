// Contract tests for the records and the audit log of store::ResourceStore (ADR 0006): keyed
// documents in transactions, and audit entries that commit with the write they record or not at
// all, numbered and chained in commit order. Every test runs against every backend.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "store/resource_store.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

using test::StoreFixture;

class RecordsAuditTest : public StoreFixture {};

TEST_P(RecordsAuditTest, RecordsArePutReadListedInKeyOrderAndDeleted) {
  ASSERT_TRUE(store().InTransaction([](Transaction& tx) -> Status {
    for (std::string key : {"carol", "alice", "bob"}) {
      if (auto put = tx.PutRecord("user", key, "{\"v\":1}"); !put) return put;
    }
    if (auto put = tx.PutRecord("session", "alice/1", "s"); !put) return put;
    return tx.PutRecord("user", "bob", "{\"v\":2}");  // replaces
  }));
  auto listed = store().ListRecords("user", "", 10);
  ASSERT_TRUE(listed.has_value()) << listed.error().message();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].key, "alice");
  EXPECT_EQ((*listed)[1].key, "bob");
  EXPECT_EQ((*listed)[1].value, "{\"v\":2}");
  EXPECT_EQ((*listed)[2].key, "carol");
  auto after = store().ListRecords("user", "alice", 1);
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].key, "bob");

  ASSERT_TRUE(store().InTransaction([](Transaction& tx) -> Status {
    auto got = tx.GetRecord("session", "alice/1");
    if (!got) return tl::unexpected(got.error());
    EXPECT_TRUE(got->has_value());
    auto none = tx.GetRecord("session", "nobody");
    if (!none) return tl::unexpected(none.error());
    EXPECT_FALSE(none->has_value());
    return tx.DeleteRecord("user", "carol");
  }));
  EXPECT_EQ(store().ListRecords("user", "", 10)->size(), 2u);
}

TEST_P(RecordsAuditTest, AuditEntriesCommitWithTheirWriteOrNotAtAll) {
  ASSERT_TRUE(store().InTransaction([](Transaction& tx) -> Status {
    auto created = tx.Create(boost::json::parse(R"({"resourceType":"Patient"})").as_object());
    if (!created) return tl::unexpected(created.error());
    const std::string body = "created";
    auto sequence = tx.AppendAudit({&body, 1});
    if (!sequence) return tl::unexpected(sequence.error());
    EXPECT_EQ(*sequence, 1);
    return Ok();
  }));
  // A failing transaction takes its audit entry (and its record) with it.
  Status failed = store().InTransaction([](Transaction& tx) -> Status {
    const std::string body = "rolled back";
    if (auto sequence = tx.AppendAudit({&body, 1}); !sequence) {
      return tl::unexpected(sequence.error());
    }
    if (auto put = tx.PutRecord("user", "ghost", "{}"); !put) return put;
    return Fail(ErrorCategory::kInvalid, "test.fail", "the work fails");
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_TRUE(store().ListRecords("user", "", 10)->empty());
  ASSERT_TRUE(store().InTransaction([](Transaction& tx) -> Status {
    const std::vector<std::string> bodies = {"second", "third"};
    auto sequence = tx.AppendAudit(bodies);
    if (!sequence) return tl::unexpected(sequence.error());
    EXPECT_EQ(*sequence, 3);
    return Ok();
  }));
  auto entries = store().ReadAudit(1, 100);
  ASSERT_TRUE(entries.has_value()) << entries.error().message();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].body, "created");
  EXPECT_EQ((*entries)[1].sequence, 2);
  EXPECT_EQ((*entries)[1].body, "second");
  EXPECT_EQ((*entries)[2].sequence, 3);
  // Each chain follows from the one before (the backends' test chain, support/backends.cpp).
  EXPECT_NE((*entries)[1].chain, (*entries)[2].chain);
  EXPECT_FALSE((*entries)[0].chain.empty());
  auto tail = store().ReadAudit(3, 100);
  ASSERT_TRUE(tail.has_value());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].body, "third");
}

INSTANTIATE_TEST_SUITE_P(AllBackends, RecordsAuditTest,
                         ::testing::ValuesIn(test::AvailableBackends()), test::BackendName);

}  // namespace
}  // namespace chartroom::store
