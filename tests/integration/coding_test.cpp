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

  HttpResult bad = client.Post("/api/coding/check", R"({"sex":"m","diagnoses":[]})");
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

// The value of the Parameters parameter `name` (its value[x] as text), or "<absent>".
std::string ParameterValue(const boost::json::value& parameters, std::string_view name) {
  for (const auto& p : parameters.at("parameter").as_array()) {
    if (Str(p, "name") != name) continue;
    for (const char* key : {"valueString", "valueBoolean", "valueCode"}) {
      if (p.as_object().contains(key)) return Str(p, key);
    }
  }
  return "<absent>";
}

TEST(CodingTest, FhirTerminologyOperations) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string cm = "http://hl7.org/fhir/sid/icd-10-cm";
  HttpResult looked = client.Get("/fhir/CodeSystem/$lookup?system=" + cm + "&code=E11.9");
  ASSERT_EQ(looked.status, 200) << looked.body;
  const boost::json::value lookup = looked.json();
  EXPECT_EQ(Str(lookup, "resourceType"), "Parameters");
  EXPECT_EQ(ParameterValue(lookup, "name"), "ICD-10-CM");
  EXPECT_EQ(ParameterValue(lookup, "display"), "Type 2 diabetes mellitus without complications");
  bool parent = false;
  for (const auto& p : lookup.at("parameter").as_array()) {
    parent |= Str(p, "name") == "property" && Str(p, "part.0.valueCode") == "parent" &&
              Str(p, "part.1.valueCode") == "E11";
  }
  EXPECT_TRUE(parent) << looked.body;
  EXPECT_EQ(client.Get("/fhir/CodeSystem/$lookup?system=" + cm + "&code=E11.99").status, 404);

  HttpResult expanded = client.Get("/fhir/ValueSet/$expand?url=" + cm +
                                   "%3Ffhir_vs&filter=essential+hypertension&count=3");
  ASSERT_EQ(expanded.status, 200) << expanded.body;
  const boost::json::value vs = expanded.json();
  EXPECT_EQ(Str(vs, "resourceType"), "ValueSet");
  EXPECT_EQ(Str(vs, "expansion.contains.0.code"), "I10") << expanded.body;
  EXPECT_LE(vs.at("expansion").at("contains").as_array().size(), 3u);
  HttpResult page = client.Get("/fhir/ValueSet/$expand?url=" + cm + "&offset=10&count=5");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_GT(page.json().at("expansion").at("total").as_int64(), 90000);
  EXPECT_EQ(page.json().at("expansion").at("contains").as_array().size(), 5u);

  HttpResult valid =
      client.Post("/fhir/ValueSet/$validate-code",
                  R"({"resourceType":"Parameters","parameter":[{"name":"url","valueUri":")" + cm +
                      R"(?fhir_vs"},{"name":"code","valueCode":"E11"}]})");
  ASSERT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(ParameterValue(valid.json(), "result"), "true");
  EXPECT_NE(ParameterValue(valid.json(), "message").find("header"), std::string::npos);
  HttpResult invalid = client.Get("/fhir/CodeSystem/$validate-code?url=" + cm + "&code=E11.99");
  EXPECT_EQ(ParameterValue(invalid.json(), "result"), "false");
  EXPECT_EQ(client.Get("/fhir/ValueSet/$expand?url=http://loinc.org").status, 404);
  EXPECT_EQ(client.Get("/fhir/ValueSet/$expand").status, 400);
  EXPECT_EQ(client.Get("/fhir/CodeSystem/$subsumes?system=" + cm).status, 404);
}

}  // namespace
}  // namespace chartroom::test
