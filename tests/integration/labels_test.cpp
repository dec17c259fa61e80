// Security labels are assigned on every write path from the resource's codes (docs/access.md,
// "Labels on write") and can be searched with _security.

#include <gtest/gtest.h>

#include <string>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

std::string Condition(std::string_view id, std::string_view icd, std::string_view extra = {}) {
  return R"({"resourceType":"Condition","id":")" + std::string(id) +
         R"(","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":)"
         R"("http://hl7.org/fhir/sid/icd-10-cm","code":")" +
         std::string(icd) + R"("}]})" + std::string(extra) + "}";
}

class LabelsTest : public ::testing::Test {
 protected:
  TestServer server_;
  HttpClient client_ = server_.Client();
};

TEST_F(LabelsTest, WritesAreLabelledFromTheirCodesAndSearchableBySecurity) {
  ASSERT_EQ(client_.Put("/fhir/Patient/p1", R"({"resourceType":"Patient","id":"p1"})").status, 201);
  HttpResult sud = client_.Put("/fhir/Condition/c1", Condition("c1", "F10.20"));
  ASSERT_EQ(sud.status, 201) << sud.body;
  EXPECT_NE(sud.body.find(R"("code":"SUD")"), std::string::npos) << sud.body;
  EXPECT_NE(sud.body.find(R"("code":"R")"), std::string::npos) << sud.body;
  ASSERT_EQ(client_.Put("/fhir/Condition/c2", Condition("c2", "E11.9")).status, 201);
  // In a transaction, and with a label set by hand that stays.
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)" +
      Condition(
          "c3", "B20",
          R"(,"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]})") +
      R"(,"request":{"method":"PUT","url":"Condition/c3"}}]})";
  HttpResult tx = client_.Post("/fhir", bundle);
  ASSERT_EQ(tx.status, 200) << tx.body;
  const std::string c3 = client_.Get("/fhir/Condition/c3").body;
  EXPECT_NE(c3.find(R"("code":"HIV")"), std::string::npos) << c3;
  EXPECT_NE(c3.find(R"("code":"V")"), std::string::npos) << c3;
  EXPECT_EQ(c3.find(R"("code":"R")"), std::string::npos) << c3;

  HttpResult found =
      client_.Get("/fhir/Condition?_security=http://terminology.hl7.org/CodeSystem/v3-ActCode|SUD");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_NE(found.body.find("Condition/c1"), std::string::npos) << found.body;
  EXPECT_EQ(found.body.find("Condition/c2"), std::string::npos) << found.body;
  EXPECT_EQ(found.body.find("Condition/c3"), std::string::npos) << found.body;
  const std::string plain = client_.Get("/fhir/Condition/c2").body;
  EXPECT_EQ(plain.find("security"), std::string::npos) << plain;
}

}  // namespace
}  // namespace chartroom::test
