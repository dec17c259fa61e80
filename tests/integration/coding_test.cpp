// The coding API over real HTTP with the shipped code sets: the edits contract, code lookup with
// hierarchy and notes, and bad requests answered with an OperationOutcome.

#include <gtest/gtest.h>

#include <string>

#include <boost/json/serialize.hpp>

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

TEST(CodingTest, SuggestsCodesFromNoteTextWithTheirSpans) {
  TestServer server;
  HttpClient client = server.Client();
  HttpResult suggested = client.Post(
      "/api/coding/suggest",
      R"({"text":"SUBJECTIVE:\nSeen for cough. No evidence of pneumonia. History of obesity.\nASSESSMENT:\n1. Acute bronchitis, unspecified"})");
  ASSERT_EQ(suggested.status, 200) << suggested.body;
  const boost::json::value body = suggested.json();
  bool bronchitis = false;
  for (const auto& s : body.at("suggestions").as_array()) {
    if (Str(s, "code") != "J20.9") continue;
    bronchitis = true;
    EXPECT_EQ(Str(s, "span.text"), "Acute bronchitis, unspecified");
    EXPECT_EQ(Str(s, "section"), "ASSESSMENT");
  }
  EXPECT_TRUE(bronchitis) << suggested.body;
  EXPECT_EQ(Str(body, "excluded.0.code"), "J18.9");
  EXPECT_EQ(Str(body, "excluded.0.reason"), "negated");
  EXPECT_EQ(client.Post("/api/coding/suggest", R"({"note":"x"})").status, 400);
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

TEST(CodingTest, ACaseGoesFromTheQueueThroughEditsToAFinalClaim) {
  TestServer server;
  HttpClient client = server.Client();
  HttpResult patient = client.Post(
      "/fhir/Patient",
      R"({"resourceType":"Patient","gender":"male","birthDate":"1950-04-02","name":[{"family":"Queue"}]})");
  ASSERT_EQ(patient.status, 201);
  const std::string patient_id = IdOf(patient);
  auto encounter = [&](const std::string& end, const std::string& status) {
    HttpResult e = client.Post(
        "/fhir/Encounter",
        R"({"resourceType":"Encounter","status":")" + status +
            R"(","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":{"reference":"Patient/)" +
            patient_id + R"("},"period":{"start":"2021-03-01T08:00:00Z","end":")" + end + R"("}})");
    EXPECT_EQ(e.status, 201) << e.body;
    return IdOf(e);
  };
  const std::string older = encounter("2021-03-05T12:00:00Z", "finished");
  const std::string newer = encounter("2021-03-09T12:00:00Z", "finished");
  encounter("2021-03-10T12:00:00Z", "in-progress");  // not discharged: not in the queue

  const boost::json::value queue = client.Get("/api/coding/queue?class=IMP").json();
  ASSERT_EQ(queue.at("cases").as_array().size(), 2u) << boost::json::serialize(queue);
  EXPECT_EQ(Str(queue, "cases.0.encounter"), older);  // the oldest discharge first
  EXPECT_EQ(Str(queue, "cases.0.status"), "uncoded");
  const boost::json::value first_page = client.Get("/api/coding/queue?class=IMP&count=1").json();
  EXPECT_EQ(Str(first_page, "next_page"), "1");
  EXPECT_EQ(
      Str(client.Get("/api/coding/queue?class=IMP&count=1&page=1").json(), "cases.0.encounter"),
      newer);

  // Codes with a failing edit: saved, but they cannot be final.
  HttpResult saved =
      client.Put("/api/coding/cases/" + older, R"({"diagnoses":[{"code":"N80.0","poa":"Y"}]})");
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Str(saved.json(), "edits.0.code"), "sex-conflict");  // the patient is male
  EXPECT_EQ(Str(saved.json(), "status"), "in-progress");
  HttpResult refused = client.Post("/api/coding/cases/" + older + "/finalize", "");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(IssueCode(refused.json()), "coding.edits-failed");

  HttpResult fixed = client.Put(
      "/api/coding/cases/" + older,
      R"({"diagnoses":[{"code":"J18.9","poa":"Y"},{"code":"I10","poa":"Y"}],"procedures":[{"code":"5A1955Z"}]})");
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(fixed.json().at("edits").as_array().size(), 0u) << fixed.body;
  HttpResult final = client.Post("/api/coding/cases/" + older + "/finalize", "");
  ASSERT_EQ(final.status, 200) << final.body;
  EXPECT_EQ(Str(final.json(), "status"), "final");
  const std::string claim_id = Str(final.json(), "claim");

  // The codes are on a Claim, and a Provenance names the coder.
  const boost::json::value claim = client.Get("/fhir/Claim/" + claim_id).json();
  EXPECT_EQ(Str(claim, "diagnosis.0.diagnosisCodeableConcept.coding.0.code"), "J18.9");
  EXPECT_EQ(Str(claim, "diagnosis.0.type.0.coding.0.code"), "principal");
  EXPECT_EQ(Str(claim, "diagnosis.1.onAdmission.coding.0.code"), "y");
  EXPECT_EQ(Str(claim, "procedure.0.procedureCodeableConcept.coding.0.code"), "5A1955Z");
  EXPECT_EQ(Str(claim, "item.0.encounter.0.reference"), "Encounter/" + older);
  const boost::json::value provenance =
      client.Get("/fhir/Provenance?target=Claim/" + claim_id).json();
  EXPECT_EQ(Str(provenance, "entry.0.resource.agent.0.who.display"), "trusted");

  // Final: off the queue, not editable, counted.
  const boost::json::value after = client.Get("/api/coding/queue?class=IMP").json();
  ASSERT_EQ(after.at("cases").as_array().size(), 1u);
  EXPECT_EQ(Str(after, "cases.0.encounter"), newer);
  EXPECT_EQ(client.Put("/api/coding/cases/" + older, R"({"diagnoses":[]})").status, 409);
  const boost::json::value stats = client.Get("/api/coding/stats?class=IMP").json();
  EXPECT_EQ(Str(stats, "backlog"), "1");
  EXPECT_EQ(Str(stats, "coders.0.finalized"), "1");

  EXPECT_EQ(client.Get("/api/coding/cases/nothing").status, 404);
  EXPECT_EQ(client.Get("/api/coding/queue?class=imp").status, 400);
  EXPECT_EQ(client.Post("/api/coding/cases/" + newer + "/finalize", "").status, 409);  // no codes
}

}  // namespace
}  // namespace chartroom::test
