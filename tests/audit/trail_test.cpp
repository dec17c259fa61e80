// Audit events as the trail stores and exports them: the stored JSON reads back to the same
// event whatever its strings hold, the AuditEvent export has the IHE BALP shape, and queued
// events share sealed entries that read back, verify and export event by event.

#include "audit/trail.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include <boost/json.hpp>

#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::audit {
namespace {

Event Sample() {
  Event e;
  e.time = core::Timestamp(std::chrono::microseconds(1764150000123456));
  e.action = Action::kSearch;
  e.outcome = "success";
  e.user = "doc \"quoted\"\\ \n\x01";
  e.roles = {"clinician", "coder"};
  e.purpose = "TREAT";
  e.patients = {"p1", "p2"};
  e.resources = {"Condition/c1"};
  e.client_address = "10.0.0.7";
  e.request_id = "0123-1";
  e.detail = "break-the-glass";
  return e;
}

TEST(AuditEventTest, StoredJsonReadsBackToTheSameEvent) {
  const Event e = Sample();
  const std::string text = e.ToJson();
  EXPECT_NO_THROW((void)boost::json::parse(text)) << text;
  auto back = Event::FromJson(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->time, e.time);
  EXPECT_EQ(back->action, e.action);
  EXPECT_EQ(back->user, e.user);
  EXPECT_EQ(back->roles, e.roles);
  EXPECT_EQ(back->purpose, e.purpose);
  EXPECT_EQ(back->patients, e.patients);
  EXPECT_EQ(back->resources, e.resources);
  EXPECT_EQ(back->client_address, e.client_address);
  EXPECT_EQ(back->request_id, e.request_id);
  EXPECT_EQ(back->detail, e.detail);
  // Empty fields are left out, not written empty.
  Event bare;
  bare.action = Action::kLogin;
  bare.outcome = "bad-password";
  EXPECT_EQ(bare.ToJson(), R"({"t":0,"a":"login","o":"bad-password"})");
  EXPECT_FALSE(Event::FromJson("not json").has_value());
}

TEST(AuditEventTest, ExportIsABalpAuditEvent) {
  const boost::json::value ae = boost::json::parse(ToAuditEvent(EventId(42, 1), Sample()));
  EXPECT_EQ(ae.at("resourceType").as_string(), "AuditEvent");
  EXPECT_EQ(ae.at("id").as_string(), "42-1");
  EXPECT_EQ(ae.at("type").at("code").as_string(), "rest");
  EXPECT_EQ(ae.at("subtype").at(0).at("code").as_string(), "search-type");
  EXPECT_EQ(ae.at("action").as_string(), "E");
  EXPECT_EQ(ae.at("outcome").as_string(), "0");
  EXPECT_EQ(ae.at("recorded").as_string(), "2025-11-26T09:40:00.123Z");
  EXPECT_EQ(ae.at("purposeOfEvent").at(0).at("coding").at(0).at("code").as_string(), "TREAT");
  const auto& agent = ae.at("agent").at(0);
  EXPECT_TRUE(agent.at("requestor").as_bool());
  EXPECT_EQ(agent.at("network").at("address").as_string(), "10.0.0.7");
  EXPECT_EQ(agent.at("role").as_array().size(), 2u);
  const auto& entities = ae.at("entity").as_array();
  ASSERT_EQ(entities.size(), 4u);  // two patients, one resource, the request
  EXPECT_EQ(entities[0].at("what").at("reference").as_string(), "Patient/p1");
  EXPECT_EQ(entities[0].at("role").at("code").as_string(), "1");
  EXPECT_EQ(entities[2].at("what").at("reference").as_string(), "Condition/c1");
  EXPECT_EQ(entities[3].at("description").as_string(), "break-the-glass");

  Event failed = Sample();
  failed.action = Action::kLogin;
  failed.outcome = "locked";
  const boost::json::value login = boost::json::parse(ToAuditEvent(EventId(1, 1), failed));
  EXPECT_EQ(login.at("type").at("code").as_string(), "110114");
  EXPECT_EQ(login.at("outcome").as_string(), "4");
  EXPECT_EQ(login.at("outcomeDesc").as_string(), "locked");
}

class TrailStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chartroom-trail-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store::SqliteResourceStore::Options options;
    options.path = dir_ / "chartroom.db";
    options.audit_chain = StoreChain;
    // No resources are written here: an index that finds nothing.
    options.index = [](const boost::json::value&) {
      return Result<std::vector<fhir::search::IndexEntry>>(std::vector<fhir::search::IndexEntry>{});
    };
    auto opened = store::SqliteResourceStore::Open(options, clock_, random_,
                                                   crypto::SecretKey::Generate(random_));
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Trail MakeTrail(std::size_t events_per_entry) {
    TrailOptions options;
    options.events_per_entry = events_per_entry;
    return Trail(*store_, clock_, random_, seal_key_, signing_key_, options);
  }
  std::vector<std::pair<std::string, Event>> Events() {
    std::vector<std::pair<std::string, Event>> out;
    EXPECT_TRUE(ForEachEvent(*store_, seal_key_, 1, [&](std::string_view id, const Event& e) {
      out.emplace_back(std::string(id), e);
      return true;
    }));
    return out;
  }

  std::filesystem::path dir_;
  core::FixedClock clock_{core::Timestamp(std::chrono::seconds(1764150000))};
  core::SeededRandom random_{7};
  crypto::SecretKey seal_key_ = crypto::SecretKey::Generate(random_);
  crypto::SigningKey signing_key_ = crypto::SigningKey::Generate(random_);
  std::unique_ptr<store::SqliteResourceStore> store_;
};

TEST_F(TrailStoreTest, QueuedEventsShareEntriesAndReadBackOneByOne) {
  Trail trail = MakeTrail(3);
  for (int i = 1; i <= 7; ++i) {
    Event e = Sample();
    e.resources = {"Patient/p" + std::to_string(i)};
    trail.Record(std::move(e));
  }
  ASSERT_TRUE(trail.Flush());
  // Seven queued events in entries of three: 3 + 3 + 1.
  auto entries = store_->ReadAudit(1, 100);
  ASSERT_TRUE(entries.has_value());
  EXPECT_EQ(entries->size(), 3u);

  const auto events = Events();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].first, "1-1");
  EXPECT_EQ(events[2].first, "1-3");
  EXPECT_EQ(events[3].first, "2-1");
  EXPECT_EQ(events[6].first, "3-1");
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].second.resources,
              std::vector<std::string>{"Patient/p" + std::to_string(i + 1)});
    // A line break inside a string stays inside its event.
    EXPECT_EQ(events[i].second.user, Sample().user);
  }

  std::ostringstream exported;
  auto count = ExportLog(*store_, seal_key_, exported);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, 7);

  const VerifyKeys keys{{"server", signing_key_.public_key()}};
  auto intact = VerifyLog(*store_, keys);
  ASSERT_TRUE(intact.has_value());
  EXPECT_FALSE(intact->first_bad);
  EXPECT_EQ(intact->entries, 3);
}

TEST_F(TrailStoreTest, AWritesEventIsAnEntryOfItsOwn) {
  Trail trail = MakeTrail(256);
  trail.Record(Sample());
  ASSERT_TRUE(trail.Flush());
  Event write = Sample();
  write.action = Action::kUpdate;
  ASSERT_TRUE(store_->InTransaction(
      [&](store::Transaction& tx) -> Status { return trail.RecordIn(tx, write); }));
  trail.Record(Sample());
  trail.Record(Sample());
  ASSERT_TRUE(trail.Flush());
  const auto events = Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].first, "2-1");
  EXPECT_EQ(events[1].second.action, Action::kUpdate);
  EXPECT_EQ(events[2].first, "3-1");
  EXPECT_EQ(events[3].first, "3-2");
}

}  // namespace
}  // namespace chartroom::audit
