// Contract tests for store::ResourceStore: writing, versions, errors, transactions, group
// commit and sealing. Every test runs against every backend of support/backends.hpp. Search,
// history and export are in resource_store_search_test.cpp and resource_store_history_test.cpp.
// All fixture data is synthetic.

#include "store/resource_store.hpp"
#include "fhir/json/strict_parser.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>

#include "fhir/json/strict_parser.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

namespace fs = fhir::search;
using test::Json;
using test::StoreFixture;

class ResourceStoreTest : public StoreFixture {};

const char kPatient[] =
    R"({"resourceType":"Patient","id":"p1","gender":"female","name":[{"family":"Testperson"}]})";

TEST_P(ResourceStoreTest, CreateAssignsAUuidVersionOneAndMeta) {
  auto created = Create(R"({"resourceType":"Patient","id":"ignored","gender":"male"})");
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_EQ(created->type, "Patient");
  EXPECT_NE(created->id, "ignored");
  EXPECT_EQ(created->id.size(), 36u);
  EXPECT_EQ(created->id[14], '4');  // UUID version 4
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(created->method, WriteMethod::kCreate);
  EXPECT_EQ(created->last_updated, test::StartTime());
  auto json = boost::json::parse(created->json).as_object();
  EXPECT_EQ(json.at("id").as_string(), created->id);
  EXPECT_EQ(json.at("meta").at("versionId").as_string(), "1");
  EXPECT_EQ(json.at("meta").at("lastUpdated").as_string(), "2024-03-01T09:00:00.000Z");
  EXPECT_EQ(json.at("gender").as_string(), "male");

  auto read = store().Read("Patient", created->id);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->json, created->json);
  EXPECT_EQ(read->version, 1);
}

TEST_P(ResourceStoreTest, CreateKeepsExistingMetaElements) {
  auto created = Create(
      R"({"resourceType":"Patient","meta":{"versionId":"9","tag":[{"code":"t"}]},"active":true})");
  ASSERT_TRUE(created.has_value());
  auto json = boost::json::parse(created->json).as_object();
  EXPECT_EQ(json.at("meta").at("versionId").as_string(), "1");
  EXPECT_EQ(json.at("meta").at("tag").as_array().size(), 1u);
  EXPECT_TRUE(json.at("active").as_bool());
}

TEST_P(ResourceStoreTest, UpdateAppendsAVersionAndKeepsEveryOldOneReadable) {
  ASSERT_TRUE(Put(kPatient).has_value());
  clock_.Advance(std::chrono::seconds(5));
  auto v2 = Put(R"({"resourceType":"Patient","id":"p1","gender":"other"})");
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->method, WriteMethod::kUpdate);

  auto current = store().Read("Patient", "p1");
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->version, 2);
  EXPECT_NE(current->json.find("\"other\""), std::string::npos);
  auto old = store().ReadVersion("Patient", "p1", 1);
  ASSERT_TRUE(old.has_value());
  EXPECT_NE(old->json.find("\"female\""), std::string::npos);
  EXPECT_EQ(old->last_updated, test::StartTime());
  EXPECT_EQ(current->last_updated, test::StartTime() + std::chrono::seconds(5));
}

TEST_P(ResourceStoreTest, UpdateOfAnAbsentResourceCreatesVersionOne) {
  auto written = Put(kPatient);
  ASSERT_TRUE(written.has_value());
  EXPECT_EQ(written->id, "p1");
  EXPECT_EQ(written->version, 1);
  EXPECT_EQ(written->method, WriteMethod::kUpdate);  // history reports PUT
}

TEST_P(ResourceStoreTest, UpdateWithAStaleVersionFailsAndWritesNothing) {
  ASSERT_TRUE(Put(kPatient).has_value());
  ASSERT_TRUE(Put(kPatient).has_value());  // version 2

  auto stale = Put(R"({"resourceType":"Patient","id":"p1","gender":"male"})", 1);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().category(), ErrorCategory::kPrecondition);
  EXPECT_EQ(stale.error().code(), "store.version-conflict");
  EXPECT_EQ(store().Read("Patient", "p1")->version, 2);
  EXPECT_FALSE(store().ReadVersion("Patient", "p1", 3).has_value());

  auto matching = Put(R"({"resourceType":"Patient","id":"p1","gender":"male"})", 2);
  ASSERT_TRUE(matching.has_value());
  EXPECT_EQ(matching->version, 3);
  // If-Match on something that does not exist names version 0.
  auto absent = Put(R"({"resourceType":"Patient","id":"p9"})", 1);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code(), "store.version-conflict");
}

TEST_P(ResourceStoreTest, DeleteAppendsADeletionVersionAndReadsFailWithGone) {
  ASSERT_TRUE(Put(kPatient).has_value());
  auto deleted = Delete("Patient", "p1");
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->version, 2);
  EXPECT_TRUE(deleted->deleted());
  EXPECT_TRUE(deleted->json.empty());

  auto read = store().Read("Patient", "p1");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().category(), ErrorCategory::kGone);
  EXPECT_EQ(read.error().code(), "store.deleted");
  auto deletion = store().ReadVersion("Patient", "p1", 2);
  ASSERT_TRUE(deletion.has_value());
  EXPECT_EQ(deletion->method, WriteMethod::kDelete);
  EXPECT_TRUE(deletion->json.empty());
  auto before = store().ReadVersion("Patient", "p1", 1);
  ASSERT_TRUE(before.has_value());
  EXPECT_NE(before->json.find("Testperson"), std::string::npos);
}

TEST_P(ResourceStoreTest, DeletingTwiceReturnsTheDeletionWithoutWriting) {
  ASSERT_TRUE(Put(kPatient).has_value());
  ASSERT_TRUE(Delete("Patient", "p1").has_value());
  clock_.Advance(std::chrono::seconds(1));
  auto again = Delete("Patient", "p1");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(again->last_updated, test::StartTime() + std::chrono::microseconds(1));
  auto history = store().History({"Patient", "p1", std::nullopt, 10, std::nullopt});
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->total, 2);
}

TEST_P(ResourceStoreTest, DeletingWhatNeverExistedFailsWithNotFoundAndWritesNothing) {
  auto absent = Delete("Patient", "nobody");
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().category(), ErrorCategory::kNotFound);
  EXPECT_EQ(absent.error().code(), "store.not-found");
  EXPECT_EQ(store().History({"", "", std::nullopt, 10, std::nullopt})->total, 0);
}

TEST_P(ResourceStoreTest, DeleteWithAStaleVersionFails) {
  ASSERT_TRUE(Put(kPatient).has_value());
  auto stale = Delete("Patient", "p1", 7);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code(), "store.version-conflict");
  EXPECT_TRUE(store().Read("Patient", "p1").has_value());
}

TEST_P(ResourceStoreTest, UpdateAfterDeleteRestoresTheResource) {
  ASSERT_TRUE(Put(kPatient).has_value());
  ASSERT_TRUE(Delete("Patient", "p1").has_value());
  auto back = Put(kPatient);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->version, 3);
  EXPECT_TRUE(store().Read("Patient", "p1").has_value());
}

TEST_P(ResourceStoreTest, ReadsOfWhatIsNotThereFailWithStableCodes) {
  auto absent = store().Read("Patient", "nobody");
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().category(), ErrorCategory::kNotFound);
  EXPECT_EQ(absent.error().code(), "store.not-found");
  ASSERT_TRUE(Put(kPatient).has_value());
  auto version = store().ReadVersion("Patient", "p1", 2);
  ASSERT_FALSE(version.has_value());
  EXPECT_EQ(version.error().category(), ErrorCategory::kNotFound);
  EXPECT_EQ(version.error().code(), "store.version-not-found");
  // The same id under another type is another resource.
  EXPECT_EQ(store().Read("Observation", "p1").error().code(), "store.not-found");
}

TEST_P(ResourceStoreTest, WritesOfMalformedResourcesFailAsInvalid) {
  auto no_type = Create(R"({"id":"x"})");
  ASSERT_FALSE(no_type.has_value());
  EXPECT_EQ(no_type.error().category(), ErrorCategory::kInvalid);
  EXPECT_EQ(no_type.error().code(), "store.bad-resource");
  EXPECT_EQ(Create(R"({"resourceType":"NotAType"})").error().code(), "store.bad-resource");
  EXPECT_EQ(Create(R"({"resourceType":"DomainResource"})").error().code(), "store.bad-resource");
  EXPECT_EQ(Put(R"({"resourceType":"Patient"})").error().code(), "store.bad-resource");
  EXPECT_EQ(Put(R"({"resourceType":"Patient","id":"bad id!"})").error().code(),
            "store.bad-resource");
}

TEST_P(ResourceStoreTest, VersionTimestampsStrictlyIncreaseWhileTheClockStandsStill) {
  std::vector<core::Timestamp> stamps;
  for (int i = 0; i < 3; ++i) {
    auto written = Put(kPatient);
    ASSERT_TRUE(written.has_value());
    stamps.push_back(written->last_updated);
  }
  EXPECT_LT(stamps[0], stamps[1]);
  EXPECT_LT(stamps[1], stamps[2]);
  EXPECT_EQ(stamps[0], test::StartTime());
}

TEST_P(ResourceStoreTest, ATransactionSeesItsOwnWrites) {
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    auto created = tx.Update(Json(kPatient), std::nullopt);
    EXPECT_TRUE(created.has_value());
    auto read = tx.Read("Patient", "p1");
    EXPECT_TRUE(read.has_value());
    auto updated = tx.Update(Json(kPatient), 1);
    EXPECT_TRUE(updated.has_value());
    EXPECT_EQ(tx.ReadVersion("Patient", "p1", 2)->version, 2);
    auto found = tx.Search(
        test::Search("Patient", {test::Param("Patient", "family", {test::Str("testperson")})}));
    EXPECT_TRUE(found.has_value());
    EXPECT_EQ(found->matches.size(), 1u);
    return Ok();
  });
  ASSERT_TRUE(status.has_value()) << status.error().message();
  EXPECT_EQ(store().Read("Patient", "p1")->version, 2);
}

TEST_P(ResourceStoreTest, AFailingTransactionRollsBackAllItsWritesAndReturnsItsError) {
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"keep"})").has_value());
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    EXPECT_TRUE(tx.Update(Json(kPatient), std::nullopt).has_value());
    EXPECT_TRUE(tx.Create(Json(R"({"resourceType":"Observation","status":"final"})")).has_value());
    EXPECT_TRUE(
        tx.Update(Json(R"({"resourceType":"Patient","id":"keep","active":true})"), std::nullopt)
            .has_value());
    EXPECT_TRUE(tx.Delete("Patient", "keep", std::nullopt).has_value());
    return Fail(ErrorCategory::kConflict, "test.rejected", "rejected by the test");
  });
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().category(), ErrorCategory::kConflict);
  EXPECT_EQ(status.error().code(), "test.rejected");

  EXPECT_EQ(store().Read("Patient", "p1").error().code(), "store.not-found");
  auto keep = store().Read("Patient", "keep");
  ASSERT_TRUE(keep.has_value());
  EXPECT_EQ(keep->version, 1);
  EXPECT_EQ(test::StoreFixture::Ids(store().Search(test::Search("Observation"))->matches),
            std::vector<std::string>{});
  EXPECT_EQ(store().History({"", "", std::nullopt, 10, std::nullopt})->total, 1);
  // The store keeps working after a rollback.
  ASSERT_TRUE(Put(kPatient).has_value());
  EXPECT_EQ(store().Read("Patient", "p1")->version, 1);
}

TEST_P(ResourceStoreTest, WorkThatThrowsFailsAsInternalAndRollsBack) {
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    EXPECT_TRUE(tx.Update(Json(kPatient), std::nullopt).has_value());
    throw std::runtime_error("boom");
  });
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(store().Read("Patient", "p1").error().code(), "store.not-found");
}

TEST_P(ResourceStoreTest, InTransactionFromInsideWorkFailsAsNested) {
  Status nested = store().InTransaction([&](Transaction&) -> Status {
    return store().InTransaction([](Transaction&) -> Status { return Ok(); });
  });
  ASSERT_FALSE(nested.has_value());
  EXPECT_EQ(nested.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(nested.error().code(), "store.nested-transaction");
}

TEST_P(ResourceStoreTest, ConcurrentWritersAreAllAcknowledgedAndPresent) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::mutex ids_mutex;
  std::set<std::string> ids;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        std::string json = R"({"resourceType":"Patient","id":")" + id + R"(","active":true})";
        Status status = store().InTransaction([&](Transaction& tx) -> Status {
          auto written = tx.Update(Json(json), std::nullopt);
          if (!written) return tl::unexpected(written.error());
          return Ok();
        });
        if (!status) {
          ++failures;
        } else {
          std::lock_guard lock(ids_mutex);
          ids.insert(id);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const std::string& id : ids) EXPECT_TRUE(store().Read("Patient", id).has_value()) << id;
  fs::SearchQuery all = test::Search("Patient");
  all.total = fs::TotalMode::kAccurate;
  EXPECT_EQ(store().Search(all)->total, kThreads * kPerThread);
}

TEST_P(ResourceStoreTest, GroupCommitSharesOneCommitAmongConcurrentTransactions) {
  Reopen(test::RealIndex(), /*group_commit_window_us=*/200'000);
  auto before = backend().Commits();
  if (!before) GTEST_SKIP() << "the backend does not count commits";
  constexpr int kThreads = 6;
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      std::string json =
          R"({"resourceType":"Patient","id":"g)" + std::to_string(t) + R"(","active":true})";
      Status status = store().InTransaction([&](Transaction& tx) -> Status {
        auto written = tx.Update(Json(json), std::nullopt);
        if (!written) return tl::unexpected(written.error());
        return Ok();
      });
      if (status) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(ok.load(), kThreads);
  std::uint64_t commits = *backend().Commits() - *before;
  EXPECT_GE(commits, 1u);
  EXPECT_LT(commits, static_cast<std::uint64_t>(kThreads));  // several callers per commit
}

TEST_P(ResourceStoreTest, OneFailingCallerInAGroupRollsBackOnlyItsOwnWork) {
  Reopen(test::RealIndex(), /*group_commit_window_us=*/100'000);
  constexpr int kThreads = 5;
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      std::string id = "c" + std::to_string(t);
      results[static_cast<std::size_t>(t)] = store().InTransaction([&](Transaction& tx) -> Status {
        auto written = tx.Update(
            Json(R"({"resourceType":"Patient","id":")" + id + R"(","active":true})"), std::nullopt);
        if (!written) return tl::unexpected(written.error());
        if (t == 2) return Fail(ErrorCategory::kConflict, "test.rejected", "caller 2 gives up");
        return Ok();
      });
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    std::string id = "c" + std::to_string(t);
    if (t == 2) {
      EXPECT_EQ(results[2].error().code(), "test.rejected");
      EXPECT_EQ(store().Read("Patient", id).error().code(), "store.not-found");
    } else {
      EXPECT_TRUE(results[static_cast<std::size_t>(t)].has_value());
      EXPECT_TRUE(store().Read("Patient", id).has_value()) << id;
    }
  }
}

TEST_P(ResourceStoreTest, StoredFilesNeverHoldTheResourceInPlaintext) {
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"p1","extension":[{"url":)"
                  R"("http://example.org/fhir/StructureDefinition/note","valueString":)"
                  R"("ZQX-unindexed-marker-4711"}],"name":[{"family":"Testperson"}]})")
                  .has_value());
  ASSERT_TRUE(Put(R"({"resourceType":"Observation","id":"o1","status":"final","code":{"text":)"
                  R"("x"},"subject":{"reference":"Patient/p1"},"note":[{"text":)"
                  R"("ZQX-observation-note-0815"}]})")
                  .has_value());
  auto contains = backend().RawStorageContains("ZQX-unindexed-marker-4711");
  if (!contains) GTEST_SKIP() << "the backend keeps no files of its own";
  EXPECT_FALSE(*contains);
  EXPECT_FALSE(*backend().RawStorageContains("ZQX-observation-note-0815"));
  EXPECT_FALSE(*backend().RawStorageContains(R"("resourceType":"Patient")"));
  EXPECT_FALSE(*backend().RawStorageContains(R"("family":"Testperson")"));
  // The content itself reads back in full.
  EXPECT_NE(store().Read("Patient", "p1")->json.find("ZQX-unindexed-marker-4711"),
            std::string::npos);
}

TEST_P(ResourceStoreTest, TamperedContentIsReportedAsCorrupt) {
  ASSERT_TRUE(Put(kPatient).has_value());
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"p1","gender":"male"})").has_value());
  if (!backend().TamperWithContent("Patient", "p1", 1)) {
    GTEST_SKIP() << "the backend cannot alter its stored content";
  }
  auto old = store().ReadVersion("Patient", "p1", 1);
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(old.error().code(), "store.corrupt");
  // Other versions are untouched.
  EXPECT_TRUE(store().Read("Patient", "p1").has_value());
}

TEST_P(ResourceStoreTest, TheStoreStaysConsistentAfterMixedWork) {
  for (int i = 0; i < 20; ++i) {
    std::string id = "m" + std::to_string(i % 7);
    ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":")" + id + R"(","birthDate":"19)" +
                    std::to_string(50 + i) + R"("})")
                    .has_value());
    if (i % 5 == 4) {
      ASSERT_TRUE(Delete("Patient", id).has_value());
    }
  }
  auto problems = backend().IntegrityProblems();
  if (!problems) GTEST_SKIP() << "the backend has no integrity check";
  EXPECT_EQ(*problems, std::vector<std::string>{});
}

TEST_P(ResourceStoreTest, HandMadeIndexValuesAreWhatSearchFinds) {
  // The store indexes whatever the index function returns.
  const fhir::SearchParamInfo* family = fhir::FindSearchParam("Patient", "family");
  Reopen([family](const boost::json::value& resource) -> Result<std::vector<fs::IndexEntry>> {
    std::vector<fs::IndexEntry> entries;
    if (const auto* v = resource.as_object().if_contains("id")) {
      std::string id(v->as_string());
      entries.push_back({family, fs::StringValue{"alias " + id, "Alias " + id}});
    }
    return entries;
  });
  ASSERT_TRUE(Put(kPatient).has_value());
  EXPECT_EQ(
      Find(test::Search("Patient", {test::Param("Patient", "family", {test::Str("alias p")})})),
      std::vector<std::string>{"Patient/p1"});
  EXPECT_EQ(
      Find(test::Search("Patient", {test::Param("Patient", "family", {test::Str("testperson")})})),
      std::vector<std::string>{});
}

TEST_P(ResourceStoreTest, AnIndexFunctionErrorFailsTheWrite) {
  Reopen([](const boost::json::value&) -> Result<std::vector<fs::IndexEntry>> {
    return Fail(ErrorCategory::kInternal, "fhirpath.evaluation", "the expression failed");
  });
  auto written = Put(kPatient);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code(), "fhirpath.evaluation");
  EXPECT_EQ(store().Read("Patient", "p1").error().code(), "store.not-found");
}

TEST_P(ResourceStoreTest, IndexValuesOfAParameterForeignToTheTypeFailTheWrite) {
  const fhir::SearchParamInfo* code = fhir::FindSearchParam("Observation", "code");
  Reopen([code](const boost::json::value&) -> Result<std::vector<fs::IndexEntry>> {
    return std::vector<fs::IndexEntry>{{code, fs::TokenValue{"", "x", "", ""}}};
  });
  auto written = Put(kPatient);  // Patient has no parameter "code"
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(written.error().code(), "store.unknown-param");
}

TEST_P(ResourceStoreTest, SearchesOfUnknownTypesFailAsInvalid) {
  auto page = store().Search(test::Search("NotAType"));
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().category(), ErrorCategory::kInvalid);
  EXPECT_EQ(page.error().code(), "store.bad-type");
  fs::SearchQuery system = test::Search("");
  system.types = {"Patient", "NotAType"};
  EXPECT_EQ(store().Search(system).error().code(), "store.bad-type");
  EXPECT_EQ(store().History({"NotAType", "", std::nullopt, 10, std::nullopt}).error().code(),
            "store.bad-type");
}

TEST_P(ResourceStoreTest, NumbersAreStoredAsWrittenWhenTheirTextIsGiven) {
  // meta comes after a number, and versionId inside it is the store's: the ordinals still line up.
  const std::string text =
      R"({"resourceType":"Observation","id":"n1","status":"final","code":{"text":"x"},)"
      R"("valueQuantity":{"value":1.50},"meta":{"versionId":"9","tag":[{"code":"t"}]},)"
      R"("component":[{"code":{"text":"y"},"valueQuantity":{"value":100000000000000000001}}]})";
  fhir::json::StrictJson parsed = fhir::json::ParseStrictJson(text);
  ASSERT_FALSE(parsed.syntax_error);
  auto prepared = store().Prepare(parsed.value.as_object(), parsed.numbers);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().message();
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    auto written = tx.Update(std::move(*prepared), std::nullopt);
    if (!written) return tl::unexpected(written.error());
    return Ok();
  });
  ASSERT_TRUE(status.has_value()) << status.error().message();
  auto read = store().Read("Observation", "n1");
  ASSERT_TRUE(read.has_value());
  EXPECT_NE(read->json.find(R"("valueQuantity":{"value":1.50})"), std::string::npos) << read->json;
  EXPECT_NE(read->json.find(R"({"value":100000000000000000001})"), std::string::npos) << read->json;
  // Without the text, numbers are written in their shortest form (never 1.5E0).
  ASSERT_TRUE(Put(text).has_value());
  auto plain = store().Read("Observation", "n1");
  ASSERT_TRUE(plain.has_value());
  EXPECT_NE(plain->json.find(R"("valueQuantity":{"value":1.5})"), std::string::npos) << plain->json;
}

TEST_P(ResourceStoreTest, PreparedResourcesAreWrittenLikeTheResourcesTheyCameFrom) {
  // Prepared on this thread, written inside the transaction.
  auto patient = store().Prepare(
      Json(R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"7","tag":[{"code":"t"}]},)"
           R"("name":[{"family":"Preparedname"}]})"));
  ASSERT_TRUE(patient.has_value()) << patient.error().message();
  EXPECT_EQ(patient->type(), "Patient");
  EXPECT_EQ(patient->id(), "p1");
  auto observation =
      store().Prepare(Json(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                           R"("subject":{"reference":"Patient/p1"}})"));
  ASSERT_TRUE(observation.has_value());
  std::string observation_id;
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    auto p = tx.Update(std::move(*patient), std::nullopt);
    if (!p) return tl::unexpected(p.error());
    auto o = tx.Create(std::move(*observation));
    if (!o) return tl::unexpected(o.error());
    observation_id = o->id;
    return Ok();
  });
  ASSERT_TRUE(status.has_value()) << status.error().message();
  auto read = store().Read("Patient", "p1");
  ASSERT_TRUE(read.has_value());
  auto json = boost::json::parse(read->json).as_object();
  EXPECT_EQ(json.at("resourceType").as_string(), "Patient");
  EXPECT_EQ(json.at("meta").at("versionId").as_string(), "1");
  EXPECT_EQ(json.at("meta").at("tag").as_array().size(), 1u);
  EXPECT_EQ(json.at("name").at(0).at("family").as_string(), "Preparedname");
  EXPECT_EQ(Find(test::Search("Patient",
                              {test::Param("Patient", "family", {test::Str("preparedname")})})),
            std::vector<std::string>{"Patient/p1"});
  EXPECT_EQ(Find(test::Search("Observation",
                              {test::Param("Observation", "subject", {test::Ref("Patient/p1")})})),
            std::vector<std::string>{"Observation/" + observation_id});
  auto everything = store().Everything("p1", {}, std::nullopt);
  ASSERT_TRUE(everything.has_value());
  EXPECT_EQ(everything->size(), 2u);
}

TEST_P(ResourceStoreTest, PrepareChecksTheResourceAndWritesRefuseForeignPreparations) {
  auto bad = store().Prepare(Json(R"({"resourceType":"Nothing"})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), "store.bad-resource");
  struct Foreign : PreparedResource::Payload {};
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    auto written = tx.Create(PreparedResource("Patient", "x", std::make_unique<Foreign>()));
    if (!written) return tl::unexpected(written.error());
    return Ok();
  });
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().category(), ErrorCategory::kInvalid);
  EXPECT_EQ(status.error().code(), "store.foreign-prepared");
  // An update needs a valid id, prepared or not.
  auto no_id = store().Prepare(Json(R"({"resourceType":"Patient"})"));
  ASSERT_TRUE(no_id.has_value());
  Status update = store().InTransaction([&](Transaction& tx) -> Status {
    auto written = tx.Update(std::move(*no_id), std::nullopt);
    if (!written) return tl::unexpected(written.error());
    return Ok();
  });
  EXPECT_EQ(update.error().code(), "store.bad-resource");
}

INSTANTIATE_TEST_SUITE_P(AllBackends, ResourceStoreTest,
                         ::testing::ValuesIn(test::AvailableBackends()), test::BackendName);

}  // namespace
}  // namespace chartroom::store
