// batch and transaction Bundles over real HTTP (https://hl7.org/fhir/R4/http.html#transaction):
// atomicity, urn:uuid rewriting, conditional references, conditional create, processing order,
// PATCH entries, per-entry batch results.

#include <gtest/gtest.h>

#include <string>

#include "crypto/keyed_hash.hpp"
#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

std::string Bundle(std::string_view type, std::string_view entries) {
  return R"({"resourceType":"Bundle","type":")" + std::string(type) + R"(","entry":[)" +
         std::string(entries) + "]}";
}

constexpr std::string_view kPatientUrn = "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a";
constexpr std::string_view kEncounterUrn = "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059";

class TransactionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  std::string Total(const std::string& query) { return Str(client_.Get(query).json(), "total"); }
  static TestServer* server_;
  HttpClient client_ = server_->Client();
};

TestServer* TransactionTest::server_ = nullptr;

TEST_F(TransactionTest, UrnUuidFullUrlsAreRewrittenToTheNewIdsInEveryReference) {
  const std::string entries =
      // The Observation comes first and refers to both later entries.
      R"({"fullUrl":"urn:uuid:0d3ff0f3-5f4a-4f6a-b9e3-3f3c3c3c3c3c","resource":{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":")" +
      std::string(kPatientUrn) + R"("},"encounter":{"reference":")" + std::string(kEncounterUrn) +
      R"("}},"request":{"method":"POST","url":"Observation"}},)"
      R"({"fullUrl":")" +
      std::string(kEncounterUrn) +
      R"(","resource":{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":")" +
      std::string(kPatientUrn) +
      R"("}},"request":{"method":"POST","url":"Encounter"}},)"
      R"({"fullUrl":")" +
      std::string(kPatientUrn) +
      R"(","resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:tx","value":"urn-1"}]},"request":{"method":"POST","url":"Patient"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  const boost::json::value bundle = result.json();
  EXPECT_EQ(Str(bundle, "type"), "transaction-response");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Str(bundle, "entry." + std::to_string(i) + ".response.status"), "201 Created");
  }
  const std::string observation_id = Str(bundle, "entry.0.resource.id");
  const std::string encounter_id = Str(bundle, "entry.1.resource.id");
  const std::string patient_id = Str(bundle, "entry.2.resource.id");
  EXPECT_EQ(Str(bundle, "entry.2.response.location"),
            "http://localhost/fhir/Patient/" + patient_id + "/_history/1");

  HttpResult observation = client_.Get("/fhir/Observation/" + observation_id);
  EXPECT_EQ(Str(observation.json(), "subject.reference"), "Patient/" + patient_id);
  EXPECT_EQ(Str(observation.json(), "encounter.reference"), "Encounter/" + encounter_id);
  HttpResult encounter = client_.Get("/fhir/Encounter/" + encounter_id);
  EXPECT_EQ(Str(encounter.json(), "subject.reference"), "Patient/" + patient_id);
  // And the search index saw the rewritten references.
  EXPECT_EQ(Total("/fhir/Observation?subject=Patient/" + patient_id), "1");
}

TEST_F(TransactionTest, AFailingEntryRollsBackEveryEntry) {
  ASSERT_EQ(
      client_.Put("/fhir/Patient/tx-stale", R"({"resourceType":"Patient","id":"tx-stale"})").status,
      201);
  const std::string entries =
      R"({"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:atomic","value":"a-1"}]},"request":{"method":"POST","url":"Patient"}},)"
      R"({"resource":{"resourceType":"Patient","id":"tx-stale","gender":"male"},"request":{"method":"PUT","url":"Patient/tx-stale","ifMatch":"W/\"7\""}},)"
      R"({"request":{"method":"DELETE","url":"Patient/tx-stale"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  EXPECT_EQ(result.status, 412) << result.body;
  EXPECT_EQ(IssueCode(result.json()), "store.version-conflict");
  EXPECT_EQ(Total("/fhir/Patient?identifier=urn:test:atomic|a-1"), "0");
  HttpResult still = client_.Get("/fhir/Patient/tx-stale");
  EXPECT_EQ(still.status, 200);  // the DELETE, processed first, was rolled back too
  EXPECT_EQ(still.header("ETag"), "W/\"1\"");
}

TEST_F(TransactionTest, AnInvalidEntryRejectsTheWholeTransactionWith400) {
  const std::string entries =
      R"({"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:invalid","value":"i-1"}]},"request":{"method":"POST","url":"Patient"}},)"
      R"({"resource":{"resourceType":"Patient","gender":"nonsense"},"request":{"method":"POST","url":"Patient"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(IssueCode(result.json()), "fhir.binding-code");
  EXPECT_EQ(Str(result.json(), "issue.0.expression.0").rfind("Bundle.entry[1]", 0), 0u);
  EXPECT_EQ(Total("/fhir/Patient?identifier=urn:test:invalid|i-1"), "0");
}

TEST_F(TransactionTest, EntriesRunDeleteThenPostThenPutThenGet) {
  ASSERT_EQ(client_
                .Put("/fhir/Patient/tx-order",
                     R"({"resourceType":"Patient","id":"tx-order","gender":"female"})")
                .status,
            201);
  // Written in reverse order: GET first, then PUT, POST, DELETE.
  const std::string entries =
      R"({"request":{"method":"GET","url":"Patient?identifier=urn:test:order|o-1"}},)"
      R"({"resource":{"resourceType":"Patient","id":"tx-order-2","gender":"male"},"request":{"method":"PUT","url":"Patient/tx-order-2"}},)"
      R"({"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:order","value":"o-1"}]},"request":{"method":"POST","url":"Patient"}},)"
      R"({"request":{"method":"DELETE","url":"Patient/tx-order"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  const boost::json::value bundle = result.json();
  // The GET ran last, so it sees the POST of the same transaction.
  EXPECT_EQ(Str(bundle, "entry.0.response.status"), "200 OK");
  EXPECT_EQ(Str(bundle, "entry.0.resource.total"), "1");
  EXPECT_EQ(Str(bundle, "entry.1.response.status"), "201 Created");
  EXPECT_EQ(Str(bundle, "entry.2.response.status"), "201 Created");
  EXPECT_EQ(Str(bundle, "entry.3.response.status"), "204 No Content");
  EXPECT_EQ(client_.Get("/fhir/Patient/tx-order").status, 410);
}

TEST_F(TransactionTest, ConditionalReferencesResolveToTheOneMatch) {
  HttpResult patient = client_.Post(
      "/fhir/Patient",
      R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cref","value":"c-1"}]})");
  ASSERT_EQ(patient.status, 201);
  const std::string entries =
      R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":"Patient?identifier=urn:test:cref|c-1"}},"request":{"method":"POST","url":"Observation"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Str(result.json(), "entry.0.resource.subject.reference"), "Patient/" + IdOf(patient));

  const std::string none =
      R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"none"},"subject":{"reference":"Patient?identifier=urn:test:cref|nobody"}},"request":{"method":"POST","url":"Observation"}})";
  HttpResult unresolved = client_.Post("/fhir", Bundle("transaction", none));
  EXPECT_EQ(unresolved.status, 400);
  EXPECT_EQ(IssueCode(unresolved.json()), "rest.conditional-reference-unresolved");

  ASSERT_EQ(
      client_
          .Post(
              "/fhir/Patient",
              R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cref","value":"c-1"}]})")
          .status,
      201);
  const std::string ambiguous =
      R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"amb"},"subject":{"reference":"Patient?identifier=urn:test:cref|c-1"}},"request":{"method":"POST","url":"Observation"}})";
  HttpResult many = client_.Post("/fhir", Bundle("transaction", ambiguous));
  EXPECT_EQ(many.status, 412);
  EXPECT_EQ(Total("/fhir/Observation?code:text=amb"), "0");
}

TEST_F(TransactionTest, ConditionalCreateInATransactionReusesTheMatchForItsUrn) {
  HttpResult existing = client_.Post(
      "/fhir/Patient",
      R"({"resourceType":"Patient","identifier":[{"system":"urn:test:ccx","value":"x-1"}]})");
  ASSERT_EQ(existing.status, 201);
  const std::string entries =
      R"({"fullUrl":")" + std::string(kPatientUrn) +
      R"(","resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:ccx","value":"x-1"}]},"request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:test:ccx|x-1"}},)"
      R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":")" +
      std::string(kPatientUrn) + R"("}},"request":{"method":"POST","url":"Observation"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Str(result.json(), "entry.0.response.status"), "200 OK");
  EXPECT_EQ(Str(result.json(), "entry.1.resource.subject.reference"), "Patient/" + IdOf(existing));
  EXPECT_EQ(Total("/fhir/Patient?identifier=urn:test:ccx|x-1"), "1");
}

TEST_F(TransactionTest, PostsThatReferToEachOtherAreAllWritten) {
  const std::string a = "urn:uuid:10000000-0000-4000-8000-00000000000a";
  const std::string b = "urn:uuid:10000000-0000-4000-8000-00000000000b";
  const std::string entries =
      R"({"fullUrl":")" + a +
      R"(","resource":{"resourceType":"Patient","link":[{"other":{"reference":")" + b +
      R"("},"type":"seealso"}]},"request":{"method":"POST","url":"Patient"}},)"
      R"({"fullUrl":")" +
      b + R"(","resource":{"resourceType":"Patient","link":[{"other":{"reference":")" + a +
      R"("},"type":"seealso"}]},"request":{"method":"POST","url":"Patient"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  const boost::json::value bundle = result.json();
  const std::string id_a = Str(bundle, "entry.0.resource.id");
  const std::string id_b = Str(bundle, "entry.1.resource.id");
  EXPECT_EQ(Str(client_.Get("/fhir/Patient/" + id_a).json(), "link.0.other.reference"),
            "Patient/" + id_b);
  EXPECT_EQ(Str(client_.Get("/fhir/Patient/" + id_b).json(), "link.0.other.reference"),
            "Patient/" + id_a);
}

TEST_F(TransactionTest, ConditionalUpdateAndDeleteRunInsideATransaction) {
  ASSERT_EQ(
      client_
          .Post(
              "/fhir/Patient",
              R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cud","value":"u"}],"gender":"female"})")
          .status,
      201);
  HttpResult doomed = client_.Post(
      "/fhir/Patient",
      R"({"resourceType":"Patient","identifier":[{"system":"urn:test:cud","value":"d"}]})");
  ASSERT_EQ(doomed.status, 201);
  const std::string entries =
      R"({"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:cud","value":"u"}],"gender":"male"},"request":{"method":"PUT","url":"Patient?identifier=urn:test:cud|u"}},)"
      R"({"request":{"method":"DELETE","url":"Patient?identifier=urn:test:cud|d"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Str(result.json(), "entry.0.response.status"), "200 OK");
  EXPECT_EQ(Str(result.json(), "entry.0.resource.gender"), "male");
  EXPECT_EQ(client_.Get("/fhir/Patient/" + IdOf(doomed)).status, 410);
}

TEST_F(TransactionTest, TwoWritesToOneResourceFailTheTransaction) {
  const std::string entries =
      R"({"resource":{"resourceType":"Patient","id":"tx-dup"},"request":{"method":"PUT","url":"Patient/tx-dup"}},)"
      R"({"resource":{"resourceType":"Patient","id":"tx-dup","gender":"male"},"request":{"method":"PUT","url":"Patient/tx-dup"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(IssueCode(result.json()), "rest.duplicate-target");
  EXPECT_EQ(client_.Get("/fhir/Patient/tx-dup").status, 404);
}

TEST_F(TransactionTest, APatchEntryCarriesItsJsonPatchInABinary) {
  ASSERT_EQ(client_
                .Put("/fhir/Patient/tx-patch",
                     R"({"resourceType":"Patient","id":"tx-patch","gender":"female"})")
                .status,
            201);
  const std::string patch = R"([{"op":"replace","path":"/gender","value":"male"}])";
  const std::string entries =
      R"({"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":")" +
      crypto::EncodeBase64(patch) + R"("},"request":{"method":"PATCH","url":"Patient/tx-patch"}})";
  HttpResult result = client_.Post("/fhir", Bundle("transaction", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Str(result.json(), "entry.0.response.etag"), "W/\"2\"");
  EXPECT_EQ(Str(client_.Get("/fhir/Patient/tx-patch").json(), "gender"), "male");
}

TEST_F(TransactionTest, ABatchAnswersEachEntryOnItsOwn) {
  const std::string entries =
      R"({"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:batch","value":"b-1"}]},"request":{"method":"POST","url":"Patient"}},)"
      R"({"resource":{"resourceType":"Patient","gender":"nonsense"},"request":{"method":"POST","url":"Patient"}},)"
      R"({"request":{"method":"GET","url":"Patient/no-such-patient"}},)"
      R"({"request":{"method":"GET","url":"Patient?identifier=urn:test:batch|b-1"}},)"
      R"({"request":{"method":"FROB","url":"Patient"}},)"
      R"({"resource":{"resourceType":"Patient","id":"batch-put"},"request":{"method":"PUT","url":"http://localhost/fhir/Patient/batch-put"}})";
  HttpResult result = client_.Post("/fhir", Bundle("batch", entries));
  ASSERT_EQ(result.status, 200) << result.body;
  const boost::json::value bundle = result.json();
  EXPECT_EQ(Str(bundle, "type"), "batch-response");
  EXPECT_EQ(Str(bundle, "entry.0.response.status"), "201 Created");
  EXPECT_EQ(Str(bundle, "entry.1.response.status"), "400 Bad Request");
  EXPECT_EQ(Str(bundle, "entry.1.response.outcome.issue.0.details.coding.0.code"),
            "fhir.binding-code");
  EXPECT_EQ(Str(bundle, "entry.2.response.status"), "404 Not Found");
  EXPECT_EQ(Str(bundle, "entry.3.response.status"), "200 OK");
  EXPECT_EQ(Str(bundle, "entry.3.resource.total"), "1");  // batch entries run in order
  EXPECT_EQ(Str(bundle, "entry.4.response.status").substr(0, 1), "4");
  EXPECT_EQ(Str(bundle, "entry.5.response.status"), "201 Created");
  EXPECT_EQ(client_.Get("/fhir/Patient/batch-put").status, 200);
}

TEST_F(TransactionTest, OnlyBatchesAndTransactionsArePostedToTheBase) {
  HttpResult searchset = client_.Post("/fhir", Bundle("searchset", ""));
  EXPECT_EQ(searchset.status, 400);
  HttpResult patient = client_.Post("/fhir", R"({"resourceType":"Patient"})");
  EXPECT_EQ(patient.status, 400);
  EXPECT_EQ(IssueCode(patient.json()), "rest.not-a-bundle");
  HttpResult empty = client_.Post("/fhir", R"({"resourceType":"Bundle","type":"transaction"})");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(Str(empty.json(), "type"), "transaction-response");
  // "entry": [] is not FHIR JSON (no empty arrays).
  EXPECT_EQ(IssueCode(client_.Post("/fhir", Bundle("transaction", "")).json()), "fhir.empty-value");
  const std::string nested =
      R"({"resource":{"resourceType":"Bundle","type":"transaction"},"request":{"method":"POST","url":"/"}})";
  HttpResult nested_result = client_.Post("/fhir", Bundle("batch", nested));
  EXPECT_EQ(Str(nested_result.json(), "entry.0.response.status"), "400 Bad Request");
}

TEST_F(TransactionTest, PreferMinimalLeavesResourcesOutOfTheResponse) {
  const std::string entries =
      R"({"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}})";
  HttpResult result =
      client_.Post("/fhir", Bundle("transaction", entries), {{"Prefer", "return=minimal"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(At(result.json(), "entry.0.resource"), nullptr);
  EXPECT_EQ(Str(result.json(), "entry.0.response.status"), "201 Created");
  EXPECT_NE(Str(result.json(), "entry.0.response.location"), "<absent>");
}

TEST(TransactionLimitTest, BundlesOverTheEntryLimitAreRefused) {
  TestServer server([](app::Config& c) { c.rest.max_bundle_entries = 2; });
  const std::string entry =
      R"({"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}})";
  HttpResult result =
      server.Client().Post("/fhir", Bundle("batch", entry + "," + entry + "," + entry));
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(IssueCode(result.json()), "rest.bundle-too-large");
}

}  // namespace
}  // namespace chartroom::test
