// The coding API over real HTTP with the shipped code sets: the edits contract, code lookup with
// hierarchy and notes, and bad requests answered with an OperationOutcome.

#include <gtest/gtest.h>

#include <string>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

TEST(CodingTest, CheckAnswersEditsForTheCodesOfAnEncounter) {
  TestServer server;
  HttpClient client = server.Client();
  HttpResult checked = client.Post("/api/coding/check", R"({
      "sex": "male", "age_years": 67, "discharge_date": "2021-03-15",
      "diagnoses": [{"code": "N80.0", "poa": "Y"}, {"code": "E119", "poa": "Y"},
                    {"code": "E10.9", "poa": "Y"}],
      "procedures": [{"code": "0DTJ4ZZ"}]})");
  ASSERT_EQ(checked.status, 200) << checked.body;
  const boost::json::value body = checked.json();
  const auto& edits = body.at("edits").as_array();
  ASSERT_EQ(edits.size(), 2u) << checked.body;
  EXPECT_EQ(Str(edits[0], "code"), "sex-conflict");
  EXPECT_EQ(Str(edits[0], "severity"), "error");
  EXPECT_EQ(Str(edits[0], "target"), "diagnoses[0]");
  EXPECT_EQ(Str(edits[1], "code"), "excludes1");
  EXPECT_EQ(Str(edits[1], "target"), "diagnoses[2]");

  HttpResult clean =
      client.Post("/api/coding/check",
                  R"({"sex":"female","age_years":60,"diagnoses":[{"code":"J18.9","poa":"Y"}]})");
  ASSERT_EQ(clean.status, 200);
  EXPECT_EQ(clean.json().at("edits").as_array().size(), 0u) << clean.body;

  HttpResult bad =
      client.Post("/api/coding/check", R"({"sex":"m","diagnoses":[]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(IssueCode(bad.json()), "coding.bad-request");
  EXPECT_EQ(client.Post("/api/coding/check", "not json").status, 400);
  EXPECT_EQ(client.Get("/api/coding/check").status, 405);
}

TEST(CodingTest, ALookupShowsTheHierarchyNotesAndValidity) {
  TestServer server;
  HttpClient client = server.Client();
  HttpResult e119 = client.Get("/api/codes/icd10cm/e119");
  ASSERT_EQ(e119.status, 200) << e119.body;
  const boost::json::value code = e119.json();
  EXPECT_EQ(Str(code, "code"), "E11.9");
  EXPECT_EQ(Str(code, "billable"), "true");
  EXPECT_EQ(Str(code, "ancestors.0.code"), "E11");
  EXPECT_EQ(Str(code, "ancestors.1.code"), "E08-E13");
  EXPECT_EQ(Str(code, "valid_from"), "2020-10-01");
  bool excludes1_inherited = false;
  for (const auto& note : code.at("notes").as_array()) {
    excludes1_inherited |= Str(note, "kind") == "excludes1" && Str(note, "from") == "E11" &&
                           Str(note, "text").find("E10.-") != std::string::npos;
  }
  EXPECT_TRUE(excludes1_inherited) << e119.body;
  const boost::json::value e11 = client.Get("/api/codes/icd10cm/E11").json();
  EXPECT_EQ(Str(e11, "billable"), "false");
  EXPECT_GT(e11.at("children").as_array().size(), 5u);
  EXPECT_EQ(Str(client.Get("/api/codes/hcpcs/A4206").json(), "code"), "A4206");
  HttpResult unknown = client.Get("/api/codes/icd10cm/E11.99");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(IssueCode(unknown.json()), "coding.unknown-code");
  EXPECT_EQ(client.Get("/api/codes/loinc/1234-5").status, 404);
}

TEST(CodingTest, SearchRanksCodesByTheirWords) {
  TestServer server;
  HttpClient client = server.Client();
  HttpResult found = client.Get("/api/codes/search?q=type+2+diabetes+without+compl&count=5");
  ASSERT_EQ(found.status, 200) << found.body;
  const boost::json::value body = found.json();
  EXPECT_EQ(Str(body, "results.0.code"), "E11.9") << found.body;
  EXPECT_EQ(Str(body, "results.0.system"), "http://hl7.org/fhir/sid/icd-10-cm");
  EXPECT_LE(body.at("results").as_array().size(), 5u);
  HttpResult hcpcs = client.Get("/api/codes/search?q=wheelchair&system=hcpcs&billable=true");
  ASSERT_EQ(hcpcs.status, 200);
  EXPECT_EQ(Str(hcpcs.json(), "results.0.system"), "urn:oid:2.16.840.1.113883.6.285");
  EXPECT_EQ(client.Get("/api/codes/search").status, 400);
  EXPECT_EQ(client.Get("/api/codes/search?q=x&count=0").status, 400);
  EXPECT_EQ(client.Get("/api/codes/search?q=x&system=snomed").status, 400);
}

}  // namespace
}  // namespace chartroom::test
