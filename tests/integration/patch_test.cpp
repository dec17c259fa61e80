// PATCH with JSON Patch over real HTTP (https://hl7.org/fhir/R4/http.html#patch, RFC 6902).

#include <gtest/gtest.h>

#include <string>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

class PatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  std::string NewPatient() {
    HttpResult created = client_.Post(
        "/fhir/Patient",
        R"({"resourceType":"Patient","identifier":[{"system":"urn:test:patch","value":")" +
            std::to_string(++counter_) +
            R"("}],"name":[{"family":"Patchfamily","given":["A","B"]}],"gender":"female"})");
    EXPECT_EQ(created.status, 201);
    return "/fhir/Patient/" + IdOf(created);
  }

  static TestServer* server_;
  static int counter_;
  HttpClient client_ = server_->Client();
};

TestServer* PatchTest::server_ = nullptr;
int PatchTest::counter_ = 0;

TEST_F(PatchTest, EveryOperationAppliesAndAddsOneVersion) {
  const std::string url = NewPatient();
  HttpResult patched = client_.Patch(url, R"([
    {"op":"test","path":"/gender","value":"female"},
    {"op":"replace","path":"/gender","value":"male"},
    {"op":"add","path":"/birthDate","value":"1990-05-06"},
    {"op":"copy","from":"/name/0","path":"/name/-"},
    {"op":"move","from":"/name/1/given/1","path":"/name/1/given/0"},
    {"op":"remove","path":"/name/0/given/0"}
  ])");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.header("ETag"), "W/\"2\"");
  const boost::json::value read = client_.Get(url).json();
  EXPECT_EQ(Str(read, "gender"), "male");
  EXPECT_EQ(Str(read, "birthDate"), "1990-05-06");
  EXPECT_EQ(Str(read, "name.0.given.0"), "B");
  EXPECT_EQ(Str(read, "name.1.given.0"), "B");
  EXPECT_EQ(Str(read, "name.1.given.1"), "A");
  EXPECT_EQ(Str(read, "meta.versionId"), "2");
}

TEST_F(PatchTest, AFailedTestChangesNothingAndIs422) {
  const std::string url = NewPatient();
  HttpResult failed = client_.Patch(url, R"([
    {"op":"replace","path":"/gender","value":"male"},
    {"op":"test","path":"/gender","value":"female"}])");
  EXPECT_EQ(failed.status, 422);
  EXPECT_EQ(IssueCode(failed.json()), "rest.patch-failed");
  HttpResult read = client_.Get(url);
  EXPECT_EQ(Str(read.json(), "gender"), "female");
  EXPECT_EQ(read.header("ETag"), "W/\"1\"");
}

TEST_F(PatchTest, APatchThatMakesAnInvalidResourceIs422WithTheValidatorsFindings) {
  const std::string url = NewPatient();
  HttpResult invalid =
      client_.Patch(url, R"([{"op":"replace","path":"/gender","value":"sometimes"}])");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(IssueCode(invalid.json()), "fhir.binding-code");
  HttpResult renamed = client_.Patch(url, R"([{"op":"replace","path":"/id","value":"other"}])");
  EXPECT_EQ(renamed.status, 422);
  EXPECT_EQ(IssueCode(renamed.json()), "rest.patch-result-invalid");
  HttpResult retyped =
      client_.Patch(url, R"([{"op":"replace","path":"/resourceType","value":"Group"}])");
  EXPECT_EQ(retyped.status, 422);
  EXPECT_EQ(client_.Get(url).header("ETag"), "W/\"1\"");
}

TEST_F(PatchTest, IfMatchGuardsThePatch) {
  const std::string url = NewPatient();
  const std::string patch = R"([{"op":"replace","path":"/gender","value":"male"}])";
  HttpResult stale =
      client_.Send("PATCH", url, patch,
                   {{"Content-Type", "application/json-patch+json"}, {"If-Match", "W/\"5\""}});
  EXPECT_EQ(stale.status, 412);
  HttpResult current =
      client_.Send("PATCH", url, patch,
                   {{"Content-Type", "application/json-patch+json"}, {"If-Match", "W/\"1\""}});
  EXPECT_EQ(current.status, 200);
}

TEST_F(PatchTest, OnlyJsonPatchDocumentsAreAccepted) {
  const std::string url = NewPatient();
  HttpResult fhir_json = client_.Send("PATCH", url, R"({"resourceType":"Parameters"})",
                                      {{"Content-Type", "application/fhir+json"}});
  EXPECT_EQ(fhir_json.status, 415);
  EXPECT_EQ(client_.Patch(url, R"({"op":"add"})").status, 400);
  EXPECT_EQ(client_.Patch(url, "[{").status, 400);
  EXPECT_EQ(client_.Patch(url, R"([{"op":"jump","path":"/gender"}])").status, 400);
  EXPECT_EQ(client_.Patch(url, "").status, 400);
}

TEST_F(PatchTest, PatchingWhatIsNotThereIs404Or410) {
  EXPECT_EQ(client_.Patch("/fhir/Patient/nobody", "[]").status, 404);
  const std::string url = NewPatient();
  ASSERT_EQ(client_.Delete(url).status, 204);
  EXPECT_EQ(client_.Patch(url, "[]").status, 410);
}

TEST_F(PatchTest, ConditionalPatchPatchesTheOneMatch) {
  const std::string url = NewPatient();
  const std::string identifier = std::to_string(counter_);
  HttpResult patched = client_.Patch("/fhir/Patient?identifier=urn:test:patch|" + identifier,
                                     R"([{"op":"add","path":"/active","value":true}])");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Str(client_.Get(url).json(), "active"), "true");
  EXPECT_EQ(client_.Patch("/fhir/Patient?identifier=urn:test:patch|none", "[]").status, 404);
}

}  // namespace
}  // namespace chartroom::test
