// Errors over real HTTP: every failure is an OperationOutcome with the status of
// rest/error_response.cpp; content negotiation (415, 406); the body limit (413); 404 and 405;
// and the rule that bad input never produces a 5xx, over a table of malformed requests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

constexpr std::size_t kBodyLimit = 8192;

class ErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer([](app::Config& c) { c.rest.max_body_bytes = kBodyLimit; });
    HttpClient client = server_->Client();
    ASSERT_EQ(client.Put("/fhir/Patient/e1", R"({"resourceType":"Patient","id":"e1"})").status,
              201);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static TestServer* server_;
  HttpClient client_ = server_->Client();
};

TestServer* ErrorsTest::server_ = nullptr;

TEST_F(ErrorsTest, BodiesThatAreNotFhirJsonAre415) {
  HttpResult xml = client_.Post("/fhir/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"/>",
                                {{"Content-Type", "application/fhir+xml"}});
  EXPECT_EQ(xml.status, 415);
  EXPECT_EQ(IssueCode(xml.json()), "rest.unsupported-media-type");
  EXPECT_EQ(client_
                .Put("/fhir/Patient/e1", R"({"resourceType":"Patient","id":"e1"})",
                     {{"Content-Type", "text/plain"}})
                .status,
            415);
  // application/json and a charset parameter are fine.
  EXPECT_EQ(client_
                .Post("/fhir/Patient", R"({"resourceType":"Patient"})",
                      {{"Content-Type", "application/json; charset=utf-8"}})
                .status,
            201);
}

TEST_F(ErrorsTest, AskingForXmlIs406) {
  HttpResult accept = client_.Get("/fhir/Patient/e1", {{"Accept", "application/fhir+xml"}});
  EXPECT_EQ(accept.status, 406);
  EXPECT_EQ(IssueCode(accept.json()), "rest.not-acceptable");
  EXPECT_EQ(accept.header("Content-Type"), "application/fhir+json; charset=utf-8");
  EXPECT_EQ(client_.Get("/fhir/Patient/e1?_format=xml").status, 406);
  EXPECT_EQ(client_.Get("/fhir/Patient/e1?_format=application/fhir%2Bxml").status, 406);
  EXPECT_EQ(client_.Get("/fhir/metadata", {{"Accept", "text/html"}}).status, 406);
  // Anything that admits JSON is served.
  EXPECT_EQ(client_.Get("/fhir/Patient/e1", {{"Accept", "application/fhir+json"}}).status, 200);
  EXPECT_EQ(client_.Get("/fhir/Patient/e1", {{"Accept", "text/html, */*;q=0.8"}}).status, 200);
  EXPECT_EQ(client_.Get("/fhir/Patient/e1", {{"Accept", "application/json"}}).status, 200);
  EXPECT_EQ(client_.Get("/fhir/Patient/e1?_format=json").status, 200);
  EXPECT_EQ(client_.Get("/fhir/Patient/e1?_format=application/fhir%2Bjson").status, 200);
}

TEST_F(ErrorsTest, BodiesOverTheLimitAre413) {
  const std::string big =
      R"({"resourceType":"Patient","name":[{"family":")" + std::string(kBodyLimit, 'x') + R"("}]})";
  HttpResult over = client_.Post("/fhir/Patient", big);
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(IssueCode(over.json()), "rest.body-too-large");
  // Far beyond the limit the HTTP layer refuses it without reading it.
  HttpClient other = server_->Client();
  HttpResult far = other.Post("/fhir/Patient", std::string(4 * kBodyLimit, ' '));
  EXPECT_EQ(far.status, 413);
}

TEST_F(ErrorsTest, UnknownRoutesAre404AndWrongMethods405) {
  HttpResult route = client_.Get("/api/nothing-here");  // "/nothing-here" is the console's
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(IssueCode(route.json()), "rest.unknown-route");
  EXPECT_EQ(IssueCode(client_.Get("/fhir/Patient/e1/$frobnicate").json()),
            "rest.unknown-operation");
  HttpResult method = client_.Delete("/fhir/metadata");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.header("Allow"), "GET");
  EXPECT_EQ(
      client_.Put("/fhir/Patient/e1/_history/1", R"({"resourceType":"Patient","id":"e1"})").status,
      405);
  EXPECT_EQ(client_.Send("OPTIONS", "/fhir/Patient").status, 405);
  EXPECT_EQ(client_.Post("/healthz", "x").status, 405);
}

struct BadRequest {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  Headers headers;
};

std::string Nested(int depth) {
  std::string s = R"({"resourceType":"Patient","extension":[)";
  for (int i = 0; i < depth; ++i) s += R"({"url":"http://x","extension":[)";
  for (int i = 0; i < depth; ++i) s += "]}";
  return s + "]}";
}

std::vector<BadRequest> BadRequests() {
  const std::string bundle_head = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  return {
      {"empty create", "POST", "/fhir/Patient", "", {}},
      {"not json", "POST", "/fhir/Patient", "this is not json", {}},
      {"truncated json", "POST", "/fhir/Patient", R"({"resourceType":"Patient")", {}},
      {"json array", "POST", "/fhir/Patient", "[1,2,3]", {}},
      {"json number", "POST", "/fhir/Patient", "42", {}},
      {"json string", "POST", "/fhir/Patient", R"("Patient")", {}},
      {"json null", "POST", "/fhir/Patient", "null", {}},
      {"empty object", "POST", "/fhir/Patient", "{}", {}},
      {"trailing garbage", "POST", "/fhir/Patient", R"({"resourceType":"Patient"}x)", {}},
      {"comment", "POST", "/fhir/Patient", R"({"resourceType":"Patient" /* c */})", {}},
      {"wrong resourceType", "POST", "/fhir/Patient", R"({"resourceType":"Observation"})", {}},
      {"unknown resourceType", "POST", "/fhir/Patient", R"({"resourceType":"Nonsense"})", {}},
      {"resourceType not a string", "POST", "/fhir/Patient", R"({"resourceType":7})", {}},
      {"unknown element", "POST", "/fhir/Patient", R"({"resourceType":"Patient","x":1})", {}},
      {"duplicate key",
       "POST",
       "/fhir/Patient",
       R"({"resourceType":"Patient","gender":"male","gender":"female"})",
       {}},
      {"null value", "POST", "/fhir/Patient", R"({"resourceType":"Patient","gender":null})", {}},
      {"wrong json kind", "POST", "/fhir/Patient", R"({"resourceType":"Patient","name":"x"})", {}},
      {"huge number",
       "POST",
       "/fhir/Patient",
       R"({"resourceType":"Patient","multipleBirthInteger":1e999})",
       {}},
      {"bad date",
       "POST",
       "/fhir/Patient",
       R"({"resourceType":"Patient","birthDate":"1980-13-45"})",
       {}},
      {"control character",
       "POST",
       "/fhir/Patient",
       "{\"resourceType\":\"Patient\",\"gender\":\"ma\x01le\"}",
       {}},
      {"invalid utf-8",
       "POST",
       "/fhir/Patient",
       "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\xC3\x28\"}]}",
       {}},
      {"overlong utf-8",
       "POST",
       "/fhir/Patient",
       "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\xC0\xAF\"}]}",
       {}},
      {"deep nesting", "POST", "/fhir/Patient", Nested(300), {}},
      {"very deep arrays",
       "POST",
       "/fhir/Patient",
       std::string(5000, '[') + std::string(5000, ']'),
       {}},
      {"id mismatch", "PUT", "/fhir/Patient/e1", R"({"resourceType":"Patient","id":"e2"})", {}},
      {"bad id in body", "PUT", "/fhir/Patient/e1", R"({"resourceType":"Patient","id":"e 1"})", {}},
      {"bad id in url",
       "PUT",
       "/fhir/Patient/e%201",
       R"({"resourceType":"Patient","id":"e1"})",
       {}},
      {"bad id chars", "GET", "/fhir/Patient/%C3%28", "", {}},
      {"bad If-Match",
       "PUT",
       "/fhir/Patient/e1",
       R"({"resourceType":"Patient","id":"e1"})",
       {{"If-Match", "\"\"\""}}},
      {"bad If-None-Exist",
       "POST",
       "/fhir/Patient",
       R"({"resourceType":"Patient"})",
       {{"If-None-Exist", "%%%"}}},
      {"vread bad version", "GET", "/fhir/Patient/e1/_history/abc", "", {}},
      {"vread huge version", "GET", "/fhir/Patient/e1/_history/99999999999999999999", "", {}},
      {"unknown type", "GET", "/fhir/Nonsense/1", "", {}},
      {"abstract type", "GET", "/fhir/DomainResource/1", "", {}},
      {"search bad escape", "GET", "/fhir/Patient?name=%zz", "", {}},
      {"search invalid utf-8", "GET", "/fhir/Patient?name=%FF%FE", "", {}},
      {"search bad count", "GET", "/fhir/Patient?_count=abc", "", {}},
      {"search negative count", "GET", "/fhir/Patient?_count=-5", "", {}},
      {"search bad date", "GET", "/fhir/Patient?birthdate=lt-never", "", {}},
      {"search bad prefix", "GET", "/fhir/Observation?value-quantity=zz5", "", {}},
      {"search bad modifier", "GET", "/fhir/Patient?gender:contains=x", "", {}},
      {"search bad chain",
       "GET",
       "/fhir/Observation?subject.nonsense=x",
       "",
       {{"Prefer", "handling=strict"}}},
      {"search bad include", "GET", "/fhir/Patient?_include=nonsense", "", {}},
      {"search bad sort", "GET", "/fhir/Patient?_sort=nonsense", "", {}},
      {"search bad page token", "GET", "/fhir/Patient?_page=not-a-token", "", {}},
      {"search bad summary", "GET", "/fhir/Patient?_summary=maybe", "", {}},
      {"search bad elements", "GET", "/fhir/Patient?_elements=nope", "", {}},
      {"search bad total", "GET", "/fhir/Patient?_total=some", "", {}},
      {"search deep chain",
       "GET",
       "/fhir/Observation?subject:Patient.organization.partof.partof.partof.name=x",
       "",
       {}},
      {"search strict unknown",
       "GET",
       "/fhir/Patient?nonsense=1",
       "",
       {{"Prefer", "handling=strict"}}},
      {"system search bad type", "GET", "/fhir?_type=Nonsense", "", {}},
      {"post search json body",
       "POST",
       "/fhir/Patient/_search",
       "{}",
       {{"Content-Type", "application/json"}}},
      {"post search bad form",
       "POST",
       "/fhir/Patient/_search",
       "name=%G0",
       {{"Content-Type", "application/x-www-form-urlencoded"}}},
      {"history bad since", "GET", "/fhir/Patient/_history?_since=yesterday", "", {}},
      {"history bad count", "GET", "/fhir/_history?_count=many", "", {}},
      {"history bad page", "GET", "/fhir/_history?_page=xyz", "", {}},
      {"history of unknown", "GET", "/fhir/Patient/nobody/_history", "", {}},
      {"everything bad type", "GET", "/fhir/Patient/e1/$everything?_type=Nonsense", "", {}},
      {"everything bad since", "GET", "/fhir/Patient/e1/$everything?_since=soon", "", {}},
      {"everything unknown", "GET", "/fhir/Patient/nobody/$everything", "", {}},
      {"everything on observation", "GET", "/fhir/Observation/e1/$everything", "", {}},
      {"patch not json",
       "PATCH",
       "/fhir/Patient/e1",
       "not json",
       {{"Content-Type", "application/json-patch+json"}}},
      {"patch object",
       "PATCH",
       "/fhir/Patient/e1",
       R"({"op":"add"})",
       {{"Content-Type", "application/json-patch+json"}}},
      {"patch bad pointer",
       "PATCH",
       "/fhir/Patient/e1",
       R"([{"op":"add","path":"no-slash","value":1}])",
       {{"Content-Type", "application/json-patch+json"}}},
      {"patch missing path",
       "PATCH",
       "/fhir/Patient/e1",
       R"([{"op":"remove","path":"/photo/9"}])",
       {{"Content-Type", "application/json-patch+json"}}},
      {"patch deep",
       "PATCH",
       "/fhir/Patient/e1",
       std::string(3000, '[') + std::string(3000, ']'),
       {{"Content-Type", "application/json-patch+json"}}},
      {"conditional delete without criteria", "DELETE", "/fhir/Patient", "", {}},
      {"conditional delete unknown param", "DELETE", "/fhir/Patient?nonsense=1", "", {}},
      {"conditional update bad query",
       "PUT",
       "/fhir/Patient?name=%zz",
       R"({"resourceType":"Patient"})",
       {}},
      {"bundle not json", "POST", "/fhir", "{bundle", {}},
      {"bundle wrong type",
       "POST",
       "/fhir",
       R"({"resourceType":"Bundle","type":"collection"})",
       {}},
      {"bundle bad type code", "POST", "/fhir", R"({"resourceType":"Bundle","type":"bogus"})", {}},
      {"bundle entry without request",
       "POST",
       "/fhir",
       bundle_head + R"({"resource":{"resourceType":"Patient"}}]})",
       {}},
      {"bundle entry bad method",
       "POST",
       "/fhir",
       bundle_head + R"({"request":{"method":"BREW","url":"Patient"}}]})",
       {}},
      {"bundle entry bad url",
       "POST",
       "/fhir",
       bundle_head + R"({"request":{"method":"GET","url":"Patient/1/2/3/4/5"}}]})",
       {}},
      {"bundle entry foreign url",
       "POST",
       "/fhir",
       bundle_head +
           R"({"request":{"method":"GET","url":"https://elsewhere.example/Patient/1"}}]})",
       {}},
      {"bundle entry post without resource",
       "POST",
       "/fhir",
       bundle_head + R"({"request":{"method":"POST","url":"Patient"}}]})",
       {}},
      {"bundle entry type mismatch",
       "POST",
       "/fhir",
       bundle_head +
           R"({"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}}]})",
       {}},
      {"bundle patch not binary",
       "POST",
       "/fhir",
       bundle_head +
           R"({"resource":{"resourceType":"Patient"},"request":{"method":"PATCH","url":"Patient/e1"}}]})",
       {}},
      {"bundle patch bad base64",
       "POST",
       "/fhir",
       bundle_head +
           R"({"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":"!!!"},"request":{"method":"PATCH","url":"Patient/e1"}}]})",
       {}},
      {"bundle bad urn reference",
       "POST",
       "/fhir",
       bundle_head +
           R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?"}},"request":{"method":"POST","url":"Observation"}}]})",
       {}},
      {"bundle conditional ref unknown type",
       "POST",
       "/fhir",
       bundle_head +
           R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Nonsense?x=1"}},"request":{"method":"POST","url":"Observation"}}]})",
       {}},
      {"bundle conditional ref bad param",
       "POST",
       "/fhir",
       bundle_head +
           R"({"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?nonsense=1"}},"request":{"method":"POST","url":"Observation"}}]})",
       {}},
      {"metadata post", "POST", "/fhir/metadata", R"({"resourceType":"Patient"})", {}},
      {"xml body", "POST", "/fhir/Patient", "<Patient/>", {{"Content-Type", "application/xml"}}},
      {"accept xml", "GET", "/fhir/metadata", "", {{"Accept", "application/fhir+xml"}}},
      {"format bad escape", "GET", "/fhir/metadata?_format=%zz", "", {}},
      {"read bad summary", "GET", "/fhir/Patient/e1?_summary=never", "", {}},
      {"read bad param encoding", "GET", "/fhir/Patient/e1?_elements=%E0%80", "", {}},
      {"strict read unknown param",
       "GET",
       "/fhir/Patient/e1?nonsense=1",
       "",
       {{"Prefer", "handling=strict"}}},
  };
}

TEST_F(ErrorsTest, BadInputNeverYields5xx) {
  for (const BadRequest& r : BadRequests()) {
    HttpClient client = server_->Client();
    HttpResult result = client.Send(r.method, r.target, r.body, r.headers);
    EXPECT_GE(result.status, 400) << r.name << ": " << result.body;
    EXPECT_LT(result.status, 500) << r.name << ": " << result.body;
    // Entry failures of a batch would be 200; these are all whole-request failures.
    EXPECT_EQ(Str(result.json(), "resourceType"), "OperationOutcome") << r.name;
    EXPECT_FALSE(IssueCode(result.json()).empty()) << r.name;
  }
  // And the server is still well.
  EXPECT_EQ(client_.Get("/fhir/Patient/e1").status, 200);
}

TEST_F(ErrorsTest, MalformedHttpIsRefusedWithoutHarm) {
  const std::vector<std::string> raw = {
      "THIS IS NOT HTTP\r\n\r\n",
      "GET /fhir/Patient/e1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n",
      "GET /fhir/Patient/e1 HTTP/9.9\r\nHost: localhost\r\n\r\n",
      "POST /fhir/Patient HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const std::string& bytes : raw) {
    HttpClient client = server_->Client();
    HttpResult result = client.SendRaw(bytes);
    EXPECT_GE(result.status, 400) << bytes;
    EXPECT_LT(result.status, 500) << bytes;
  }
  EXPECT_EQ(client_.Get("/fhir/Patient/e1").status, 200);
}

TEST_F(ErrorsTest, NoErrorEchoesTheValuesItWasGiven) {
  const std::string secret = "Zqxjkvbwp";
  HttpResult bad_date = client_.Get("/fhir/Patient?birthdate=" + secret);
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_EQ(bad_date.body.find(secret), std::string::npos) << bad_date.body;
  HttpResult bad_body =
      client_.Post("/fhir/Patient", R"({"resourceType":"Patient","gender":")" + secret + R"("})");
  EXPECT_EQ(bad_body.status, 400);
  EXPECT_EQ(bad_body.body.find(secret), std::string::npos) << bad_body.body;
}

}  // namespace
}  // namespace chartroom::test
