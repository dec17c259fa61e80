// Numbers read back exactly as they were written, on every write path and every read path: a
// FHIR decimal carries its precision (https://hl7.org/fhir/R4/json.html#primitive), so 1.50 mg
// must not come back as 1.5 (or 1.5E0), nor a 21-digit decimal as 1E20.

#include <gtest/gtest.h>

#include <string>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

// Numbers whose value alone would not give back their text, and ones that would.
constexpr std::string_view kValues =
    R"("valueQuantity":{"value":1.50,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"},)"
    R"("referenceRange":[{"low":{"value":0.10},"high":{"value":100000000000000000001}}],)"
    R"("component":[{"code":{"text":"a"},"valueQuantity":{"value":2e3}},)"
    R"({"code":{"text":"b"},"valueInteger":7},{"code":{"text":"c"},"valueQuantity":{"value":0.25}}])";

std::string Observation(std::string_view id = {}) {
  return R"({"resourceType":"Observation",)" +
         (id.empty() ? std::string() : R"("id":")" + std::string(id) + R"(",)") +
         R"("status":"final","code":{"text":"weight"},)" + std::string(kValues) + "}";
}

void ExpectNumbersAsWritten(const std::string& body) {
  EXPECT_NE(body.find(kValues), std::string::npos) << body;
}

class NumbersTest : public ::testing::Test {
 protected:
  TestServer server_;
  HttpClient client_ = server_.Client();
};

TEST_F(NumbersTest, CreateReadVreadSearchAndHistoryKeepTheNumbersAsWritten) {
  HttpResult created = client_.Post("/fhir/Observation", Observation());
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectNumbersAsWritten(created.body);
  const std::string id = IdOf(created);
  ExpectNumbersAsWritten(client_.Get("/fhir/Observation/" + id).body);
  ExpectNumbersAsWritten(client_.Get("/fhir/Observation/" + id + "/_history/1").body);
  ExpectNumbersAsWritten(client_.Get("/fhir/Observation?_id=" + id).body);
  ExpectNumbersAsWritten(client_.Get("/fhir/Observation/" + id + "/_history").body);
  // Searching by value still works on the number's value.
  HttpResult found = client_.Get("/fhir/Observation?value-quantity=1.5");
  EXPECT_NE(found.body.find(id), std::string::npos) << found.body;
}

TEST_F(NumbersTest, UpdateAndUpdateAsCreateKeepTheNumbersAsWritten) {
  ASSERT_EQ(client_.Put("/fhir/Observation/n1", Observation("n1")).status, 201);
  HttpResult updated = client_.Put("/fhir/Observation/n1", Observation("n1"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  ExpectNumbersAsWritten(updated.body);
  ExpectNumbersAsWritten(client_.Get("/fhir/Observation/n1/_history/2").body);
}

TEST_F(NumbersTest, TransactionAndBatchEntriesKeepTheNumbersAsWritten) {
  for (const std::string type : {"transaction", "batch"}) {
    // The first entry's number comes before the second's in the document.
    const std::string bundle =
        R"({"resourceType":"Bundle","type":")" + type +
        R"(","entry":[{"resource":{"resourceType":"Patient","multipleBirthInteger":2},)"
        R"("request":{"method":"POST","url":"Patient"}},{"resource":)" +
        Observation() + R"(,"request":{"method":"POST","url":"Observation"}}]})";
    HttpResult result = client_.Post("/fhir", bundle);
    ASSERT_EQ(result.status, 200) << result.body;
    const std::string location = Str(result.json(), "entry.1.response.location");
    ASSERT_FALSE(location.empty()) << result.body;
    const std::size_t at = location.find("Observation/");
    ASSERT_NE(at, std::string::npos) << location;
    ExpectNumbersAsWritten(client_.Get("/fhir/" + location.substr(at)).body);
  }
}

TEST_F(NumbersTest, PatchLeavesTheNumbersItDoesNotTouchAsWritten) {
  ASSERT_EQ(client_.Put("/fhir/Observation/n2", Observation("n2")).status, 201);
  HttpResult patched = client_.Patch(
      "/fhir/Observation/n2", R"([{"op":"replace","path":"/status","value":"amended"}])");
  ASSERT_EQ(patched.status, 200) << patched.body;
  ExpectNumbersAsWritten(patched.body);
  EXPECT_EQ(Str(patched.json(), "status"), "amended");
  // A patch that removes a number: the rest keep their values.
  patched = client_.Patch("/fhir/Observation/n2",
                          R"([{"op":"remove","path":"/referenceRange/0/low"}])");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_NE(patched.body.find(R"("high":{"value":100000000000000000001})"), std::string::npos)
      << patched.body;
  EXPECT_NE(patched.body.find(R"("valueQuantity":{"value":1.50,)"), std::string::npos)
      << patched.body;
}

}  // namespace
}  // namespace chartroom::test
