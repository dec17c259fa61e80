// Contract tests for ResourceStore::History (https://hl7.org/fhir/R4/http.html#history),
// Everything (Patient/$everything, https://hl7.org/fhir/R4/patient-operation-everything.html)
// and ForEachCurrent (export). Every test runs against every backend. All data is synthetic.

#include <gtest/gtest.h>

#include <algorithm>

#include "store/resource_store.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

using IdList = std::vector<std::string>;

class ResourceStoreHistoryTest : public test::StoreFixture {
 protected:
  // p1 gets three versions and a deletion, one second apart; o1 and o2 are in p1's
  // compartment, o3 in p2's.
  void SetUp() override {
    StoreFixture::SetUp();
    Step(R"({"resourceType":"Patient","id":"p1","gender":"female"})");               // t0
    Step(R"({"resourceType":"Patient","id":"p2","gender":"male"})");                 // t1
    Step(R"({"resourceType":"Observation","id":"o1","status":"final","code":{"text":"a"},
             "subject":{"reference":"Patient/p1"}})");                               // t2
    Step(R"({"resourceType":"Patient","id":"p1","gender":"other"})");                // t3
    Step(R"({"resourceType":"Observation","id":"o2","status":"final","code":{"text":"b"},
             "subject":{"reference":"Patient/p1"}})");                               // t4
    Step(R"({"resourceType":"Observation","id":"o3","status":"final","code":{"text":"c"},
             "subject":{"reference":"Patient/p2"}})");                               // t5
    Step(R"({"resourceType":"Organization","id":"org1","name":"Hospital Alpha"})");  // t6
    Step(R"({"resourceType":"Patient","id":"p1","gender":"unknown"})");              // t7
  }

  void Step(std::string_view json) {
    ASSERT_TRUE(Put(json).has_value());
    clock_.Advance(std::chrono::seconds(1));
  }
  static core::Timestamp At(int seconds) {
    return test::StartTime() + std::chrono::seconds(seconds);
  }

  static IdList Versions(const HistoryPage& page) {
    IdList out;
    for (const ResourceVersion& v : page.versions) {
      out.push_back(v.type + "/" + v.id + "/" + std::to_string(v.version));
    }
    return out;
  }
  static IdList Sorted(IdList ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

TEST_P(ResourceStoreHistoryTest, InstanceHistoryListsEveryVersionNewestFirst) {
  ASSERT_TRUE(Delete("Patient", "p1").has_value());  // version 4
  auto page = store().History({"Patient", "p1", std::nullopt, 10, std::nullopt});
  ASSERT_TRUE(page.has_value()) << page.error().message();
  EXPECT_EQ(page->total, 4);
  EXPECT_EQ(Versions(*page),
            (IdList{"Patient/p1/4", "Patient/p1/3", "Patient/p1/2", "Patient/p1/1"}));
  EXPECT_TRUE(page->versions[0].deleted());
  EXPECT_TRUE(page->versions[0].json.empty());
  EXPECT_EQ(page->versions[3].method, WriteMethod::kUpdate);
  EXPECT_NE(page->versions[3].json.find("female"), std::string::npos);
  EXPECT_EQ(page->versions[2].last_updated, At(3));
  EXPECT_FALSE(page->next_page.has_value());
}

TEST_P(ResourceStoreHistoryTest, HistoryPagesAndFiltersBySince) {
  HistoryQuery q{"Patient", "p1", std::nullopt, 2, std::nullopt};
  auto first = store().History(q);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Versions(*first), (IdList{"Patient/p1/3", "Patient/p1/2"}));
  ASSERT_TRUE(first->next_page.has_value());
  q.page_token = first->next_page;
  auto second = store().History(q);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(Versions(*second), IdList{"Patient/p1/1"});
  EXPECT_FALSE(second->next_page.has_value());
  EXPECT_EQ(second->total, 3);

  auto since = store().History({"Patient", "p1", At(3), 10, std::nullopt});
  ASSERT_TRUE(since.has_value());
  EXPECT_EQ(Versions(*since), (IdList{"Patient/p1/3", "Patient/p1/2"}));
  EXPECT_EQ(since->total, 2);

  HistoryQuery other{"Patient", "p2", std::nullopt, 2, first->next_page};
  EXPECT_EQ(store().History(other).error().code(), "store.bad-page-token");
}

TEST_P(ResourceStoreHistoryTest, TypeAndSystemHistoryInterleaveTypesByTime) {
  auto type = store().History({"Observation", "", std::nullopt, 10, std::nullopt});
  ASSERT_TRUE(type.has_value());
  EXPECT_EQ(Versions(*type), (IdList{"Observation/o3/1", "Observation/o2/1", "Observation/o1/1"}));
  auto system = store().History({"", "", At(5), 10, std::nullopt});
  ASSERT_TRUE(system.has_value());
  EXPECT_EQ(Versions(*system), (IdList{"Patient/p1/3", "Organization/org1/1", "Observation/o3/1"}));
  auto all = store().History({"", "", std::nullopt, 3, std::nullopt});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->total, 8);
  IdList walked = Versions(*all);
  HistoryQuery q{"", "", std::nullopt, 3, all->next_page};
  while (q.page_token) {
    auto page = store().History(q);
    ASSERT_TRUE(page.has_value());
    for (const auto& v : Versions(*page)) walked.push_back(v);
    q.page_token = page->next_page;
  }
  EXPECT_EQ(walked.size(), 8u);
  EXPECT_EQ(walked.back(), "Patient/p1/1");
}

TEST_P(ResourceStoreHistoryTest, HistoryOfWhatDoesNotExistFails) {
  EXPECT_EQ(store().History({"Patient", "nobody", std::nullopt, 10, std::nullopt}).error().code(),
            "store.not-found");
  auto empty = store().History({"Encounter", "", std::nullopt, 10, std::nullopt});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->total, 0);
}

TEST_P(ResourceStoreHistoryTest, EverythingReturnsThePatientAndItsCompartment) {
  auto all = store().Everything("p1", {}, std::nullopt);
  ASSERT_TRUE(all.has_value()) << all.error().message();
  IdList ids = Ids(*all);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), "Patient/p1");
  EXPECT_EQ(Sorted(ids), (IdList{"Observation/o1", "Observation/o2", "Patient/p1"}));
  EXPECT_EQ((*all)[0].version, 3);

  EXPECT_EQ(Ids(*store().Everything("p1", {"Observation"}, std::nullopt)),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(Ids(*store().Everything("p1", {}, At(4))), (IdList{"Patient/p1", "Observation/o2"}));
  EXPECT_EQ(Ids(*store().Everything("p2", {}, std::nullopt)),
            (IdList{"Patient/p2", "Observation/o3"}));
}

TEST_P(ResourceStoreHistoryTest, EverythingLeavesOutDeletedResourcesAndFailsForAbsentPatients) {
  ASSERT_TRUE(Delete("Observation", "o1").has_value());
  EXPECT_EQ(Ids(*store().Everything("p1", {}, std::nullopt)),
            (IdList{"Patient/p1", "Observation/o2"}));
  auto absent = store().Everything("nobody", {}, std::nullopt);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().category(), ErrorCategory::kNotFound);
  ASSERT_TRUE(Delete("Patient", "p2").has_value());
  auto gone = store().Everything("p2", {}, std::nullopt);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().category(), ErrorCategory::kGone);
}

TEST_P(ResourceStoreHistoryTest, ForEachCurrentStreamsCurrentVersionsByTypeAndTime) {
  ASSERT_TRUE(Delete("Observation", "o3").has_value());
  IdList seen;
  auto collect = [&](const ResourceVersion& v) {
    seen.push_back(v.type + "/" + v.id + "/" + std::to_string(v.version));
    EXPECT_FALSE(v.json.empty());
    return true;
  };
  ASSERT_TRUE(store().ForEachCurrent({}, std::nullopt, collect).has_value());
  EXPECT_EQ(Sorted(seen), (IdList{"Observation/o1/1", "Observation/o2/1", "Organization/org1/1",
                                  "Patient/p1/3", "Patient/p2/1"}));
  seen.clear();
  ASSERT_TRUE(store().ForEachCurrent({"Patient", "Organization"}, std::nullopt, collect));
  EXPECT_EQ(Sorted(seen), (IdList{"Organization/org1/1", "Patient/p1/3", "Patient/p2/1"}));
  seen.clear();
  ASSERT_TRUE(store().ForEachCurrent({}, At(4), collect));
  EXPECT_EQ(Sorted(seen), (IdList{"Observation/o2/1", "Organization/org1/1", "Patient/p1/3"}));
  int calls = 0;
  ASSERT_TRUE(store().ForEachCurrent({}, std::nullopt,
                                     [&](const ResourceVersion&) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(store().ForEachCurrent({"NotAType"}, std::nullopt, collect).error().category(),
            ErrorCategory::kInvalid);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, ResourceStoreHistoryTest,
                         ::testing::ValuesIn(test::AvailableBackends()), test::BackendName);

}  // namespace
}  // namespace chartroom::store
