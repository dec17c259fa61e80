// create, read, vread, update, delete and their headers over real HTTP
// (https://hl7.org/fhir/R4/http.html#create, #read, #vread, #update, #delete, #versioning).

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

constexpr std::string_view kPatient =
    R"({"resourceType":"Patient","name":[{"family":"Testfamily","given":["Ann"]}],"gender":"female","birthDate":"1980-02-03"})";

std::string PatientWithId(std::string_view id, std::string_view gender = "female") {
  return R"({"resourceType":"Patient","id":")" + std::string(id) +
         R"(","name":[{"family":"Testfamily"}],"gender":")" + std::string(gender) + R"("})";
}

class CrudTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // Creates a Patient and returns its id.
  std::string CreatePatient() {
    HttpResult created = client_.Post("/fhir/Patient", kPatient);
    EXPECT_EQ(created.status, 201) << created.body;
    return IdOf(created);
  }

  static TestServer* server_;
  HttpClient client_ = server_->Client();
};

TestServer* CrudTest::server_ = nullptr;

TEST_F(CrudTest, CreateAnswers201WithLocationETagAndLastModified) {
  HttpResult created = client_.Post("/fhir/Patient", kPatient);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = IdOf(created);
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(created.header("Location"), "http://localhost/fhir/Patient/" + id + "/_history/1");
  EXPECT_EQ(created.header("ETag"), "W/\"1\"");
  EXPECT_EQ(created.header("Last-Modified"), "Fri, 01 Mar 2024 09:00:00 GMT");
  EXPECT_EQ(created.header("Content-Type"), "application/fhir+json; charset=utf-8");
  EXPECT_EQ(Str(created.json(), "meta.versionId"), "1");
  EXPECT_EQ(Str(created.json(), "name.0.family"), "Testfamily");
}

TEST_F(CrudTest, CreateIgnoresTheIdInTheBody) {
  HttpResult created = client_.Post("/fhir/Patient", PatientWithId("chosen-by-client"));
  ASSERT_EQ(created.status, 201);
  EXPECT_NE(IdOf(created), "chosen-by-client");
  EXPECT_EQ(client_.Get("/fhir/Patient/chosen-by-client").status, 404);
}

TEST_F(CrudTest, ReadReturnsTheStoredResourceWithItsVersionHeaders) {
  const std::string id = CreatePatient();
  HttpResult read = client_.Get("/fhir/Patient/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(IdOf(read), id);
  EXPECT_EQ(read.header("ETag"), "W/\"1\"");
  EXPECT_FALSE(read.header("Last-Modified").empty());
  EXPECT_EQ(Str(read.json(), "birthDate"), "1980-02-03");
  EXPECT_FALSE(read.header("X-Request-Id").empty());
}

TEST_F(CrudTest, ReadOfAnUnknownIdIs404WithAnOperationOutcome) {
  HttpResult read = client_.Get("/fhir/Patient/does-not-exist");
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(IssueCode(read.json()), "store.not-found");
  EXPECT_EQ(Str(read.json(), "issue.0.code"), "not-found");
}

TEST_F(CrudTest, ReadOfAnInvalidIdIs400AndOfAnUnknownTypeIs404) {
  HttpResult bad_id = client_.Get("/fhir/Patient/bad_id!");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(IssueCode(bad_id.json()), "rest.bad-id");
  HttpResult too_long = client_.Get("/fhir/Patient/" + std::string(65, 'a'));
  EXPECT_EQ(too_long.status, 400);
  HttpResult bad_type = client_.Get("/fhir/Patientx/1");
  EXPECT_EQ(bad_type.status, 404);
  EXPECT_EQ(IssueCode(bad_type.json()), "rest.unknown-type");
}

TEST_F(CrudTest, UpdateOfAnExistingResourceAnswers200AndAddsAVersion) {
  const std::string id = CreatePatient();
  HttpResult updated = client_.Put("/fhir/Patient/" + id, PatientWithId(id, "male"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.header("ETag"), "W/\"2\"");
  EXPECT_FALSE(updated.has_header("Location"));
  EXPECT_EQ(Str(client_.Get("/fhir/Patient/" + id).json(), "gender"), "male");
}

TEST_F(CrudTest, UpdateWithANewClientIdCreatesIt) {
  HttpResult created = client_.Put("/fhir/Patient/client-id-1", PatientWithId("client-id-1"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("Location"), "http://localhost/fhir/Patient/client-id-1/_history/1");
  EXPECT_EQ(client_.Get("/fhir/Patient/client-id-1").status, 200);
}

TEST_F(CrudTest, UpdateWithAStaleIfMatchFailsWith412AndChangesNothing) {
  const std::string id = CreatePatient();
  ASSERT_EQ(client_.Put("/fhir/Patient/" + id, PatientWithId(id, "male")).status, 200);
  HttpResult stale =
      client_.Put("/fhir/Patient/" + id, PatientWithId(id, "other"), {{"If-Match", "W/\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(IssueCode(stale.json()), "store.version-conflict");
  HttpResult read = client_.Get("/fhir/Patient/" + id);
  EXPECT_EQ(Str(read.json(), "gender"), "male");
  EXPECT_EQ(read.header("ETag"), "W/\"2\"");

  HttpResult current =
      client_.Put("/fhir/Patient/" + id, PatientWithId(id, "other"), {{"If-Match", "W/\"2\""}});
  EXPECT_EQ(current.status, 200);
  EXPECT_EQ(current.header("ETag"), "W/\"3\"");
}

TEST_F(CrudTest, UpdateRejectsMismatchedOrMissingIdsTypesAndETags) {
  const std::string id = CreatePatient();
  EXPECT_EQ(IssueCode(client_.Put("/fhir/Patient/" + id, PatientWithId("other-id")).json()),
            "rest.id-mismatch");
  EXPECT_EQ(IssueCode(client_.Put("/fhir/Patient/" + id, kPatient).json()), "rest.id-missing");
  HttpResult wrong_type = client_.Put("/fhir/Observation/" + id, PatientWithId(id));
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(IssueCode(wrong_type.json()), "rest.type-mismatch");
  HttpResult bad_etag =
      client_.Put("/fhir/Patient/" + id, PatientWithId(id), {{"If-Match", "version one"}});
  EXPECT_EQ(bad_etag.status, 400);
  EXPECT_EQ(IssueCode(bad_etag.json()), "rest.bad-etag");
}

TEST_F(CrudTest, InvalidResourcesAreRefusedWith400AndTheValidatorsFindings) {
  HttpResult invalid = client_.Post(
      "/fhir/Patient", R"({"resourceType":"Patient","gender":"bogus","nickname":"x"})");
  ASSERT_EQ(invalid.status, 400);
  const boost::json::value outcome = invalid.json();
  EXPECT_EQ(Str(outcome, "resourceType"), "OperationOutcome");
  std::vector<std::string> codes;
  for (const auto& issue : outcome.at("issue").as_array()) {
    codes.push_back(Str(issue, "details.coding.0.code"));
  }
  EXPECT_NE(std::find(codes.begin(), codes.end(), "fhir.binding-code"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "fhir.unknown-element"), codes.end());
  HttpResult put = client_.Put("/fhir/Patient/never-stored",
                               R"({"resourceType":"Patient","id":"never-stored","active":"yes"})");
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(client_.Get("/fhir/Patient/never-stored").status, 404);
}

TEST_F(CrudTest, VReadReturnsEachVersionAndRefusesMissingOnes) {
  const std::string id = CreatePatient();
  ASSERT_EQ(client_.Put("/fhir/Patient/" + id, PatientWithId(id, "male")).status, 200);
  HttpResult v1 = client_.Get("/fhir/Patient/" + id + "/_history/1");
  ASSERT_EQ(v1.status, 200);
  EXPECT_EQ(Str(v1.json(), "gender"), "female");
  EXPECT_EQ(v1.header("ETag"), "W/\"1\"");
  EXPECT_EQ(Str(client_.Get("/fhir/Patient/" + id + "/_history/2").json(), "gender"), "male");
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id + "/_history/3").status, 404);
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id + "/_history/0").status, 400);
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id + "/_history/x").status, 400);
}

TEST_F(CrudTest, DeleteAnswers204AndThenReadIsGone) {
  const std::string id = CreatePatient();
  HttpResult deleted = client_.Delete("/fhir/Patient/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(deleted.header("ETag"), "W/\"2\"");
  HttpResult read = client_.Get("/fhir/Patient/" + id);
  EXPECT_EQ(read.status, 410);
  EXPECT_EQ(Str(read.json(), "issue.0.code"), "deleted");
  HttpResult vread_deletion = client_.Get("/fhir/Patient/" + id + "/_history/2");
  EXPECT_EQ(vread_deletion.status, 410);
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id + "/_history/1").status, 200);
  // Idempotent: deleting again, or deleting what never was, changes nothing.
  EXPECT_EQ(client_.Delete("/fhir/Patient/" + id).status, 204);
  EXPECT_EQ(client_.Delete("/fhir/Patient/never-was-there").status, 204);
}

TEST_F(CrudTest, HistoryAfterDeleteListsTheDeletionNewestFirst) {
  const std::string id = CreatePatient();
  ASSERT_EQ(client_.Put("/fhir/Patient/" + id, PatientWithId(id, "male")).status, 200);
  ASSERT_EQ(client_.Delete("/fhir/Patient/" + id).status, 204);
  HttpResult history = client_.Get("/fhir/Patient/" + id + "/_history");
  ASSERT_EQ(history.status, 200);
  const boost::json::value bundle = history.json();
  EXPECT_EQ(Str(bundle, "type"), "history");
  EXPECT_EQ(Str(bundle, "total"), "3");
  EXPECT_EQ(Str(bundle, "entry.0.request.method"), "DELETE");
  EXPECT_EQ(Str(bundle, "entry.0.request.url"), "Patient/" + id);
  EXPECT_EQ(At(bundle, "entry.0.resource"), nullptr);
  EXPECT_EQ(Str(bundle, "entry.0.response.etag"), "W/\"3\"");
  EXPECT_EQ(Str(bundle, "entry.1.request.method"), "PUT");
  EXPECT_EQ(Str(bundle, "entry.1.resource.gender"), "male");
  EXPECT_EQ(Str(bundle, "entry.2.request.method"), "POST");
  EXPECT_EQ(Str(bundle, "entry.2.request.url"), "Patient");
  EXPECT_EQ(Str(bundle, "entry.2.response.status"), "201 Created");
}

TEST_F(CrudTest, UpdateAfterDeleteRecreatesWith201) {
  const std::string id = CreatePatient();
  ASSERT_EQ(client_.Delete("/fhir/Patient/" + id).status, 204);
  HttpResult recreated = client_.Put("/fhir/Patient/" + id, PatientWithId(id));
  EXPECT_EQ(recreated.status, 201);
  EXPECT_EQ(recreated.header("ETag"), "W/\"3\"");
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id).status, 200);
}

TEST_F(CrudTest, PreferDecidesWhatAWriteReturns) {
  HttpResult minimal = client_.Post("/fhir/Patient", kPatient, {{"Prefer", "return=minimal"}});
  EXPECT_EQ(minimal.status, 201);
  EXPECT_TRUE(minimal.body.empty());
  EXPECT_FALSE(minimal.header("Location").empty());
  HttpResult outcome =
      client_.Post("/fhir/Patient", kPatient, {{"Prefer", "return=OperationOutcome"}});
  EXPECT_EQ(outcome.status, 201);
  EXPECT_EQ(Str(outcome.json(), "resourceType"), "OperationOutcome");
  EXPECT_EQ(Str(outcome.json(), "issue.0.severity"), "information");
  HttpResult representation =
      client_.Post("/fhir/Patient", kPatient, {{"Prefer", "return=representation"}});
  EXPECT_EQ(Str(representation.json(), "resourceType"), "Patient");
}

TEST_F(CrudTest, ConditionalReadAnswers304WhenTheClientIsCurrent) {
  const std::string id = CreatePatient();
  HttpResult same = client_.Get("/fhir/Patient/" + id, {{"If-None-Match", "W/\"1\""}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id, {{"If-None-Match", "W/\"9\""}}).status, 200);
  EXPECT_EQ(
      client_.Get("/fhir/Patient/" + id, {{"If-Modified-Since", "Fri, 01 Mar 2024 10:00:00 GMT"}})
          .status,
      304);
  EXPECT_EQ(
      client_.Get("/fhir/Patient/" + id, {{"If-Modified-Since", "Fri, 01 Mar 2024 08:00:00 GMT"}})
          .status,
      200);
}

TEST_F(CrudTest, ConditionalCreateCreatesOnceThenFindsAndRefusesAmbiguity) {
  const std::string body =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cc","value":"cc-1"}]})";
  const Headers condition = {{"If-None-Exist", "identifier=urn:test:cc|cc-1"}};
  HttpResult first = client_.Post("/fhir/Patient", body, condition);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResult second = client_.Post("/fhir/Patient", body, condition);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(IdOf(second), IdOf(first));
  EXPECT_EQ(second.header("ETag"), "W/\"1\"");  // nothing new was written

  ASSERT_EQ(client_.Post("/fhir/Patient", body).status, 201);  // a second match
  HttpResult ambiguous = client_.Post("/fhir/Patient", body, condition);
  EXPECT_EQ(ambiguous.status, 412);
  EXPECT_EQ(IssueCode(ambiguous.json()), "rest.multiple-matches");
  EXPECT_EQ(Str(ambiguous.json(), "issue.0.code"), "multiple-matches");

  HttpResult no_criteria = client_.Post("/fhir/Patient", body, {{"If-None-Exist", "_count=1"}});
  EXPECT_EQ(no_criteria.status, 400);
  HttpResult unknown = client_.Post("/fhir/Patient", body, {{"If-None-Exist", "identifer=x"}});
  EXPECT_EQ(unknown.status, 400);  // strict: a typo never matches everything
}

TEST_F(CrudTest, ConditionalUpdateFollowsTheNumberOfMatches) {
  auto body = [](std::string_view gender) {
    return R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cu","value":"cu-1"}],"gender":")" +
           std::string(gender) + R"("})";
  };
  HttpResult created = client_.Put("/fhir/Patient?identifier=urn:test:cu|cu-1", body("female"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = IdOf(created);
  HttpResult updated = client_.Put("/fhir/Patient?identifier=urn:test:cu|cu-1", body("male"));
  EXPECT_EQ(updated.status, 200);
  EXPECT_EQ(IdOf(updated), id);
  EXPECT_EQ(updated.header("ETag"), "W/\"2\"");
  ASSERT_EQ(client_.Post("/fhir/Patient", body("other")).status, 201);
  EXPECT_EQ(client_.Put("/fhir/Patient?identifier=urn:test:cu|cu-1", body("male")).status, 412);
  EXPECT_EQ(client_.Put("/fhir/Patient", body("male")).status, 400);
}

TEST_F(CrudTest, ConditionalDeleteRemovesTheOneMatch) {
  const std::string body =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cd","value":"cd-1"}]})";
  HttpResult created = client_.Post("/fhir/Patient", body);
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(client_.Delete("/fhir/Patient?identifier=urn:test:cd|cd-1").status, 204);
  EXPECT_EQ(client_.Get("/fhir/Patient/" + IdOf(created)).status, 410);
  EXPECT_EQ(client_.Delete("/fhir/Patient?identifier=urn:test:cd|cd-1").status, 204);
  ASSERT_EQ(client_.Post("/fhir/Patient", body).status, 201);
  ASSERT_EQ(client_.Post("/fhir/Patient", body).status, 201);
  EXPECT_EQ(client_.Delete("/fhir/Patient?identifier=urn:test:cd|cd-1").status, 412);
  EXPECT_EQ(client_.Delete("/fhir/Patient").status, 400);  // no criteria: never "delete all"
}

TEST_F(CrudTest, ReadWithSummaryOrElementsReturnsATaggedSubset) {
  const std::string id = CreatePatient();
  HttpResult summary = client_.Get("/fhir/Patient/" + id + "?_summary=true");
  ASSERT_EQ(summary.status, 200);
  EXPECT_EQ(Str(summary.json(), "meta.tag.0.code"), "SUBSETTED");
  EXPECT_EQ(Str(summary.json(), "gender"), "female");  // a summary element
  HttpResult elements = client_.Get("/fhir/Patient/" + id + "?_elements=birthDate");
  ASSERT_EQ(elements.status, 200);
  EXPECT_EQ(Str(elements.json(), "birthDate"), "1980-02-03");
  EXPECT_EQ(At(elements.json(), "name"), nullptr);
  EXPECT_EQ(At(elements.json(), "gender"), nullptr);
  EXPECT_EQ(Str(elements.json(), "meta.tag.0.code"), "SUBSETTED");
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id + "?_elements=notAnElement").status, 400);
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id + "?_summary=count").status, 400);
}

TEST_F(CrudTest, ConcurrentUpdatesWithTheSameIfMatchLetExactlyOneWin) {
  const std::string id = CreatePatient();
  constexpr int kClients = 8;
  std::atomic<int> succeeded{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client = server_->Client();
      HttpResult result =
          client.Put("/fhir/Patient/" + id, PatientWithId(id, i % 2 == 0 ? "male" : "other"),
                     {{"If-Match", "W/\"1\""}});
      if (result.status == 200) ++succeeded;
      if (result.status == 412) ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(conflicts.load(), kClients - 1);
  EXPECT_EQ(client_.Get("/fhir/Patient/" + id).header("ETag"), "W/\"2\"");
}

TEST_F(CrudTest, ConcurrentCreatesAllSucceedWithDistinctIds) {
  constexpr int kClients = 6;
  constexpr int kEach = 10;
  std::mutex mutex;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      HttpClient client = server_->Client();
      for (int k = 0; k < kEach; ++k) {
        HttpResult created = client.Post("/fhir/Patient", kPatient);
        std::lock_guard lock(mutex);
        if (created.status == 201) ids.insert(IdOf(created));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kClients * kEach));
}

TEST(CrudRestartTest, WrittenResourcesSurviveARestart) {
  TestServer server;
  HttpResult created = server.Client().Post("/fhir/Patient", kPatient);
  ASSERT_EQ(created.status, 201);
  server.Restart();
  HttpResult read = server.Client().Get("/fhir/Patient/" + IdOf(created));
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(Str(read.json(), "name.0.family"), "Testfamily");
}

}  // namespace
}  // namespace chartroom::test
