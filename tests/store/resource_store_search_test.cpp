// Contract tests for ResourceStore::Search (https://hl7.org/fhir/R4/search.html): every search
// parameter type, modifier and prefix over values from the real index extractor, chains and
// _has, sorting, paging, totals and includes. Every test runs against every backend. All data
// is synthetic.

#include <gtest/gtest.h>

#include <algorithm>

#include "store/resource_store.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

namespace fs = fhir::search;
using fs::Modifier;
using fs::Prefix;
using test::Common;
using test::Param;
using test::Search;
using IdList = std::vector<std::string>;

class ResourceStoreSearchTest : public test::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    PutAll({
        R"({"resourceType":"Organization","id":"org1","name":"Hospital Alpha"})",
        R"({"resourceType":"Organization","id":"org2","name":"Clinic Beta",
            "partOf":{"reference":"Organization/org1"}})",
        R"({"resourceType":"Patient","id":"p1","active":true,"gender":"female",
            "birthDate":"1974-12-25","name":[{"family":"Müller","given":["Ana","Maria"]}],
            "identifier":[{"system":"http://example.org/mrn","value":"MRN-001","type":{"coding":
              [{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]}}],
            "managingOrganization":{"reference":"Organization/org2"},
            "meta":{"tag":[{"system":"http://example.org/tags","code":"vip"}],
              "security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                           "code":"R"}],
              "profile":["http://example.org/fhir/StructureDefinition/test-patient"]}})",
        R"({"resourceType":"Patient","id":"p2","active":false,"gender":"male",
            "birthDate":"1980-06","name":[{"family":"Mueller","given":["Bob"]}],
            "identifier":[{"system":"http://example.org/other","value":"MRN-001"}]})",
        R"({"resourceType":"Patient","id":"p3","gender":"female",
            "name":[{"family":"Smith","given":["Anabel"]}]})",
        R"({"resourceType":"Observation","id":"o1","status":"final",
            "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
            "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}],
              "text":"Systolic blood pressure"},
            "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-01-15T10:00:00Z",
            "valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}})",
        R"({"resourceType":"Observation","id":"o2","status":"final",
            "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}],
              "text":"Systolic blood pressure"},
            "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-02-01",
            "valueQuantity":{"value":145,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}})",
        R"({"resourceType":"Observation","id":"o3","status":"amended",
            "code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}],
              "text":"Diastolic blood pressure"},
            "subject":{"reference":"Patient/p2"},"effectiveDateTime":"2023-12-31",
            "performer":[{"identifier":{"system":"http://example.org/npi","value":"NPI-9"}}],
            "valueQuantity":{"value":80,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}})",
        R"({"resourceType":"Observation","id":"o4","status":"final",
            "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}],"text":"Body weight"},
            "subject":{"reference":"Patient/p2"},"effectiveDateTime":"2024-02-10",
            "valueQuantity":{"value":70,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})",
        R"({"resourceType":"Observation","id":"o5","status":"final",
            "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}],"text":"Body weight"},
            "subject":{"reference":"Patient/p3"},"effectiveDateTime":"2024-02-20",
            "valueQuantity":{"value":72000,"unit":"g","system":"http://unitsofmeasure.org","code":"g"}})",
        R"({"resourceType":"RiskAssessment","id":"r1","status":"final",
            "subject":{"reference":"Patient/p1"},"prediction":[{"probabilityDecimal":0.25}]})",
        R"({"resourceType":"RiskAssessment","id":"r2","status":"final",
            "subject":{"reference":"Patient/p2"},"prediction":[{"probabilityDecimal":0.8}]})",
        R"({"resourceType":"ValueSet","id":"vs1","status":"active",
            "url":"http://example.org/fhir/ValueSet/a/b"})",
        R"({"resourceType":"ValueSet","id":"vs2","status":"active",
            "url":"http://example.org/fhir/ValueSet/a"})",
        R"({"resourceType":"Encounter","id":"e1","status":"finished",
            "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
            "subject":{"reference":"Patient/p1"},
            "period":{"start":"2024-01-15T09:00:00Z","end":"2024-01-15T11:00:00Z"}})",
    });
  }

  // Sorted, for criteria whose order the test does not fix.
  IdList Set(const fs::SearchQuery& query) {
    IdList ids = FindIds(query);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  IdList Obs(std::vector<fs::Criterion> criteria) { return Set(Search("Observation", criteria)); }
  IdList Pat(std::vector<fs::Criterion> criteria) { return Set(Search("Patient", criteria)); }
};

// ---- token (search.html#token) ----------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, TokenMatchesCodeSystemAndCodeOrSystemAlone) {
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("8480-6")})}),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("http://loinc.org|8480-6")})}),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("http://snomed.info/sct|8480-6")})}),
            IdList{});
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("http://loinc.org|")})}).size(), 5u);
  // |code: a value without a system (code elements carry none).
  EXPECT_EQ(Pat({Param("Patient", "gender", {test::Tok("|female")})}),
            (IdList{"Patient/p1", "Patient/p3"}));
  EXPECT_EQ(Pat({Param("Patient", "active", {test::Tok("true")})}), IdList{"Patient/p1"});
}

TEST_P(ResourceStoreSearchTest, TokenValuesAreOredAndCriteriaAnded) {
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("8480-6"), test::Tok("8462-4")})}),
            (IdList{"Observation/o1", "Observation/o2", "Observation/o3"}));
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("8480-6"), test::Tok("8462-4")}),
                 Param("Observation", "status", {test::Tok("amended")})}),
            IdList{"Observation/o3"});
}

TEST_P(ResourceStoreSearchTest, IdentifierMatchesBySystemAndValueAndOfType) {
  EXPECT_EQ(Pat({Param("Patient", "identifier", {test::Tok("http://example.org/mrn|MRN-001")})}),
            IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "identifier", {test::Tok("MRN-001")})}),
            (IdList{"Patient/p1", "Patient/p2"}));
  EXPECT_EQ(
      Pat({Param("Patient", "identifier",
                 {test::OfType("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "MRN-001")},
                 Modifier::kOfType)}),
      IdList{"Patient/p1"});
}

TEST_P(ResourceStoreSearchTest, TokenTextNotAndTagModifiers) {
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Text("systolic")}, Modifier::kText)}),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Text("Body WEIGHT")}, Modifier::kText)}),
            (IdList{"Observation/o4", "Observation/o5"}));
  // :not includes resources without any value.
  EXPECT_EQ(Pat({Param("Patient", "gender", {test::Tok("female")}, Modifier::kNot)}),
            IdList{"Patient/p2"});
  EXPECT_EQ(Pat({Param("Patient", "active", {test::Tok("false")}, Modifier::kNot)}),
            (IdList{"Patient/p1", "Patient/p3"}));
  EXPECT_EQ(Pat({Common(fs::CommonParam::kTag, {test::Tok("http://example.org/tags|vip")})}),
            IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Common(fs::CommonParam::kSecurity, {test::Tok("R")})}), IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Common(fs::CommonParam::kSecurity, {test::Tok("R")}, Modifier::kNot)}),
            (IdList{"Patient/p2", "Patient/p3"}));
}

TEST_P(ResourceStoreSearchTest, TokenModifiersNeedingTerminologyAreUnsupported) {
  auto page = store().Search(
      Search("Observation", {Param("Observation", "code", {test::Tok("x")}, Modifier::kIn)}));
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().category(), ErrorCategory::kUnsupported);
  EXPECT_EQ(page.error().code(), "store.unsupported");
}

// ---- string (search.html#string) --------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, StringMatchesPrefixesIgnoringCaseAndAccents) {
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("MUL")})}), IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("mül")})}), IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("mü")})}),
            (IdList{"Patient/p1", "Patient/p2"}));  // "mu" starts muller and mueller
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("mue")})}), IdList{"Patient/p2"});
  EXPECT_EQ(Pat({Param("Patient", "name", {test::Str("ana")})}),
            (IdList{"Patient/p1", "Patient/p3"}));
  EXPECT_EQ(Pat({Param("Patient", "name", {test::Str("maria")})}), IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "name", {test::Str("aria")})}), IdList{});
}

TEST_P(ResourceStoreSearchTest, StringExactAndContains) {
  EXPECT_EQ(Pat({Param("Patient", "given", {test::Exact("Ana")}, Modifier::kExact)}),
            IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "given", {test::Exact("ana")}, Modifier::kExact)}), IdList{});
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Exact("Müller")}, Modifier::kExact)}),
            IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "name", {test::Str("BEL")}, Modifier::kContains)}),
            IdList{"Patient/p3"});
  EXPECT_EQ(Pat({Param("Patient", "name", {test::Str("ll")}, Modifier::kContains)}),
            (IdList{"Patient/p1", "Patient/p2"}));
  // LIKE wildcards in a value are literal characters (uris are not normalized).
  EXPECT_EQ(
      Set(Search("ValueSet", {Param("ValueSet", "url", {test::Uri("a_b")}, Modifier::kContains)})),
      IdList{});
  EXPECT_EQ(
      Set(Search("ValueSet", {Param("ValueSet", "url", {test::Uri("a/b")}, Modifier::kContains)})),
      IdList{"ValueSet/vs1"});
}

// ---- date (search.html#date) ------------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, DatePrefixesCompareRanges) {
  auto birth = [&](Prefix p, const char* v) {
    return Pat({Param("Patient", "birthdate", {test::Date(p, v)})});
  };
  EXPECT_EQ(birth(Prefix::kEq, "1974"), IdList{"Patient/p1"});
  EXPECT_EQ(birth(Prefix::kEq, "1974-12-25"), IdList{"Patient/p1"});
  EXPECT_EQ(birth(Prefix::kEq, "1980-06-15"), IdList{});  // p2's month is wider than the day
  EXPECT_EQ(birth(Prefix::kEq, "1980"), IdList{"Patient/p2"});
  EXPECT_EQ(birth(Prefix::kNe, "1974-12-25"), IdList{"Patient/p2"});
  EXPECT_EQ(birth(Prefix::kGt, "1975"), IdList{"Patient/p2"});
  EXPECT_EQ(birth(Prefix::kLt, "1975"), IdList{"Patient/p1"});
  EXPECT_EQ(birth(Prefix::kGe, "1974-12-25"), (IdList{"Patient/p1", "Patient/p2"}));
  EXPECT_EQ(birth(Prefix::kLe, "1974-12-25"), IdList{"Patient/p1"});
  EXPECT_EQ(birth(Prefix::kSa, "1974"), IdList{"Patient/p2"});
  EXPECT_EQ(birth(Prefix::kEb, "1980"), IdList{"Patient/p1"});
  EXPECT_EQ(birth(Prefix::kEb, "1980-06-15"), IdList{"Patient/p1"});
}

TEST_P(ResourceStoreSearchTest, DateRangesOfPeriodsAndApproximateDates) {
  auto obs_date = [&](Prefix p, const char* v) {
    return Obs({Param("Observation", "date", {test::Date(p, v)})});
  };
  EXPECT_EQ(obs_date(Prefix::kGe, "2024-02"),
            (IdList{"Observation/o2", "Observation/o4", "Observation/o5"}));
  EXPECT_EQ(obs_date(Prefix::kLt, "2024"), IdList{"Observation/o3"});
  // ap: within 10% of the distance to now (2024-03-01): 2024-01-15 is 46 days away.
  EXPECT_EQ(obs_date(Prefix::kAp, "2024-01-16"), IdList{"Observation/o1"});
  EXPECT_EQ(Set(Search("Encounter",
                       {Param("Encounter", "date", {test::Date(Prefix::kEq, "2024-01-15")})})),
            IdList{"Encounter/e1"});
  EXPECT_EQ(Set(Search("Encounter", {Param("Encounter", "date",
                                           {test::Date(Prefix::kGt, "2024-01-15T10:00:00Z")})})),
            IdList{"Encounter/e1"});  // the period ends after 10:00
  EXPECT_EQ(Set(Search("Encounter", {Param("Encounter", "date",
                                           {test::Date(Prefix::kSa, "2024-01-15T10:00:00Z")})})),
            IdList{});  // but started before
}

// Two criteria on one date parameter: for a parameter with one value per resource both hold on
// that value; for a repeating one (Goal.target.due) each may hold on a different value. Ranges
// of every length class (an hour, a month, years, open) are found.
TEST_P(ResourceStoreSearchTest, DateCriteriaOnOneParameterBoundEachOther) {
  PutAll({
      R"({"resourceType":"Encounter","id":"in","status":"finished","class":{"code":"AMB"},
          "period":{"start":"2020-03-02T09:00:00Z","end":"2020-03-02T10:00:00Z"}})",
      R"({"resourceType":"Encounter","id":"before","status":"finished","class":{"code":"AMB"},
          "period":{"start":"2020-02-01","end":"2020-02-02"}})",
      R"({"resourceType":"Encounter","id":"month","status":"finished","class":{"code":"IMP"},
          "period":{"start":"2020-02-20","end":"2020-03-03"}})",
      R"({"resourceType":"Encounter","id":"years","status":"finished","class":{"code":"IMP"},
          "period":{"start":"2018-01-01","end":"2021-01-01"}})",
      R"({"resourceType":"Encounter","id":"open","status":"in-progress","class":{"code":"IMP"},
          "period":{"start":"2020-03-05"}})",
      R"({"resourceType":"Encounter","id":"after","status":"planned","class":{"code":"AMB"},
          "period":{"start":"2020-04-01","end":"2020-04-01"}})",
      R"({"resourceType":"Goal","id":"g1","lifecycleStatus":"active",
          "description":{"text":"walk"},"subject":{"reference":"Patient/p1"},
          "target":[{"dueDate":"2020-01-10"},{"dueDate":"2020-06-10"}]})",
  });
  auto week = Set(
      Search("Encounter", {Param("Encounter", "date", {test::Date(Prefix::kGe, "2020-03-01")}),
                           Param("Encounter", "date", {test::Date(Prefix::kLt, "2020-03-08")})}));
  EXPECT_EQ(week, (IdList{"Encounter/in", "Encounter/month", "Encounter/open", "Encounter/years"}));
  auto gt_le = Set(Search(
      "Encounter", {Param("Encounter", "date", {test::Date(Prefix::kGt, "2020-03-02T09:30:00Z")}),
                    Param("Encounter", "date", {test::Date(Prefix::kLe, "2020-03-05")})}));
  // (the open one starts at 2020-03-05: no part of it lies below that day)
  EXPECT_EQ(gt_le, (IdList{"Encounter/in", "Encounter/month", "Encounter/years"}));
  // Each criterion holds on a different target of g1.
  auto goal =
      Set(Search("Goal", {Param("Goal", "target-date", {test::Date(Prefix::kGe, "2020-06-01")}),
                          Param("Goal", "target-date", {test::Date(Prefix::kLt, "2020-02-01")})}));
  EXPECT_EQ(goal, IdList{"Goal/g1"});
}

TEST_P(ResourceStoreSearchTest, LastUpdatedAndIdAreSearchable) {
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"late","gender":"other"})").has_value());
  EXPECT_EQ(Pat({Common(fs::CommonParam::kLastUpdated,
                        {test::Date(Prefix::kGt, "2024-03-01T09:30:00Z")})}),
            IdList{"Patient/late"});
  EXPECT_EQ(
      Pat({Common(fs::CommonParam::kLastUpdated, {test::Date(Prefix::kEq, "2024-03-01T09:00")})})
          .size(),
      3u);
  EXPECT_EQ(Pat({Common(fs::CommonParam::kId, {test::Tok("p3"), test::Tok("p1")})}),
            (IdList{"Patient/p1", "Patient/p3"}));
  EXPECT_EQ(Pat({Common(fs::CommonParam::kId, {test::Tok("o1")})}), IdList{});
}

// ---- number and quantity (search.html#number, #quantity) --------------------------------------

TEST_P(ResourceStoreSearchTest, NumberComparesWithThePrecisionOfTheQuery) {
  auto prob = [&](Prefix p, const char* v) {
    return Set(
        Search("RiskAssessment", {Param("RiskAssessment", "probability", {test::Num(p, v)})}));
  };
  EXPECT_EQ(prob(Prefix::kEq, "0.25"), IdList{"RiskAssessment/r1"});
  EXPECT_EQ(prob(Prefix::kEq, "0.3"), IdList{"RiskAssessment/r1"});  // [0.25, 0.35)
  EXPECT_EQ(prob(Prefix::kEq, "0.30"), IdList{});
  EXPECT_EQ(prob(Prefix::kNe, "0.25"), IdList{"RiskAssessment/r2"});
  EXPECT_EQ(prob(Prefix::kGt, "0.5"), IdList{"RiskAssessment/r2"});
  EXPECT_EQ(prob(Prefix::kLe, "0.25"), IdList{"RiskAssessment/r1"});
  EXPECT_EQ(prob(Prefix::kAp, "0.75"), IdList{"RiskAssessment/r2"});
}

TEST_P(ResourceStoreSearchTest, QuantityMatchesInCanonicalUnitsOrAsWrittenWithoutUnit) {
  const char* ucum = "http://unitsofmeasure.org";
  auto value = [&](Prefix p, const char* n, const char* sys, const char* code) {
    return Obs({Param("Observation", "value-quantity", {test::Qty(p, n, sys, code)})});
  };
  EXPECT_EQ(value(Prefix::kGt, "130", ucum, "mm[Hg]"), IdList{"Observation/o2"});
  EXPECT_EQ(value(Prefix::kEq, "70", ucum, "kg"), IdList{"Observation/o4"});
  EXPECT_EQ(value(Prefix::kEq, "72", ucum, "kg"), IdList{"Observation/o5"});  // stored as 72000 g
  EXPECT_EQ(value(Prefix::kEq, "70000", ucum, "g"), IdList{"Observation/o4"});
  EXPECT_EQ(value(Prefix::kEq, "120", "", "mm[Hg]"), IdList{"Observation/o1"});
  // Without a unit the number is compared as written, whatever its unit.
  EXPECT_EQ(value(Prefix::kGt, "100", "", ""),
            (IdList{"Observation/o1", "Observation/o2", "Observation/o5"}));
}

// ---- reference (search.html#reference), chains and _has ---------------------------------------

TEST_P(ResourceStoreSearchTest, ReferenceMatchesByTypeAndIdOrIdAlone) {
  EXPECT_EQ(Obs({Param("Observation", "subject", {test::Ref("Patient/p1")})}),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(Obs({Param("Observation", "subject", {test::Ref("p1")})}),
            (IdList{"Observation/o1", "Observation/o2"}));
  fs::Criterion typed = Param("Observation", "subject", {test::Ref("p2")}, Modifier::kType);
  typed.type_modifier = "Patient";
  EXPECT_EQ(Obs({typed}), (IdList{"Observation/o3", "Observation/o4"}));
  typed.type_modifier = "Group";
  EXPECT_EQ(Obs({typed}), IdList{});
  EXPECT_EQ(Obs({Param("Observation", "patient", {test::Ref("Patient/p3")})}),
            IdList{"Observation/o5"});
  EXPECT_EQ(Obs({Param("Observation", "performer", {test::Tok("http://example.org/npi|NPI-9")},
                       Modifier::kIdentifier)}),
            IdList{"Observation/o3"});
}

TEST_P(ResourceStoreSearchTest, ChainsFollowReferencesToTheirTargetsCriteria) {
  EXPECT_EQ(Obs({test::Chain("Observation", "subject", "Patient",
                             Param("Patient", "family", {test::Str("mül")}))}),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(Obs({test::Chain("Observation", "patient", "Patient",
                             Param("Patient", "gender", {test::Tok("male")}))}),
            (IdList{"Observation/o3", "Observation/o4"}));
  // Two links: Patient.organization.partof.name
  EXPECT_EQ(Pat({test::Chain("Patient", "organization", "Organization",
                             test::Chain("Organization", "partof", "Organization",
                                         Param("Organization", "name", {test::Str("hospital")})))}),
            IdList{"Patient/p1"});
  // A chain as a filter next to a more selective criterion.
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("8480-6")}),
                 test::Chain("Observation", "subject", "Patient",
                             Param("Patient", "gender", {test::Tok("female")}))}),
            (IdList{"Observation/o1", "Observation/o2"}));
}

TEST_P(ResourceStoreSearchTest, HasSelectsResourcesThatOthersReference) {
  EXPECT_EQ(Pat({test::Has("Observation", "subject",
                           Param("Observation", "code", {test::Tok("29463-7")}))}),
            (IdList{"Patient/p2", "Patient/p3"}));
  EXPECT_EQ(Pat({test::Has("Observation", "subject",
                           Param("Observation", "code", {test::Tok("29463-7")})),
                 Param("Patient", "gender", {test::Tok("female")})}),
            IdList{"Patient/p3"});
  EXPECT_EQ(
      Pat({test::Has("RiskAssessment", "subject",
                     Param("RiskAssessment", "probability", {test::Num(Prefix::kGt, "0.5")}))}),
      IdList{"Patient/p2"});
}

// ---- uri (search.html#uri) --------------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, UriMatchesExactlyAboveAndBelow) {
  auto url = [&](const char* v, Modifier m) {
    return Set(Search("ValueSet", {Param("ValueSet", "url", {test::Uri(v)}, m)}));
  };
  EXPECT_EQ(url("http://example.org/fhir/ValueSet/a", Modifier::kNone), IdList{"ValueSet/vs2"});
  EXPECT_EQ(url("http://example.org/fhir/ValueSet/a", Modifier::kBelow),
            (IdList{"ValueSet/vs1", "ValueSet/vs2"}));
  EXPECT_EQ(url("http://example.org/fhir/ValueSet/a/b", Modifier::kBelow), IdList{"ValueSet/vs1"});
  EXPECT_EQ(url("http://example.org/fhir/ValueSet/a/b/c", Modifier::kAbove),
            (IdList{"ValueSet/vs1", "ValueSet/vs2"}));
  EXPECT_EQ(url("http://example.org/fhir/ValueSet", Modifier::kAbove), IdList{});
  EXPECT_EQ(Pat({Common(fs::CommonParam::kProfile,
                        {test::Uri("http://example.org/fhir/StructureDefinition/test-patient")})}),
            IdList{"Patient/p1"});
}

// ---- composite (search.html#composite) --------------------------------------------------------

TEST_P(ResourceStoreSearchTest, CompositeMatchesComponentsOfTheSameValue) {
  auto cvq = [&](fs::QueryValue code, fs::QueryValue value) {
    return Obs({Param("Observation", "code-value-quantity",
                      {test::Composite({std::move(code), std::move(value)})})});
  };
  EXPECT_EQ(cvq(test::Tok("http://loinc.org|8480-6"),
                test::Qty(Prefix::kGt, "130", "http://unitsofmeasure.org", "mm[Hg]")),
            IdList{"Observation/o2"});
  EXPECT_EQ(cvq(test::Tok("8480-6"), test::Qty(Prefix::kLt, "130", "", "")),
            IdList{"Observation/o1"});
  EXPECT_EQ(cvq(test::Tok("8462-4"), test::Qty(Prefix::kGt, "130", "", "")), IdList{});
  EXPECT_EQ(cvq(test::Tok("http://other|8480-6"), test::Qty(Prefix::kGt, "0", "", "")), IdList{});
}

// ---- :missing ---------------------------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, MissingSelectsResourcesWithOrWithoutAValue) {
  EXPECT_EQ(Pat({Param("Patient", "birthdate", {test::Missing(true)}, Modifier::kMissing)}),
            IdList{"Patient/p3"});
  EXPECT_EQ(Pat({Param("Patient", "birthdate", {test::Missing(false)}, Modifier::kMissing)}),
            (IdList{"Patient/p1", "Patient/p2"}));
  EXPECT_EQ(Obs({Param("Observation", "performer", {test::Missing(false)}, Modifier::kMissing)}),
            IdList{"Observation/o3"});
  EXPECT_EQ(Pat({Param("Patient", "gender", {test::Tok("female")}),
                 Param("Patient", "identifier", {test::Missing(true)}, Modifier::kMissing)}),
            IdList{"Patient/p3"});
}

// ---- system-wide search ------------------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, SystemSearchSpansEveryType) {
  EXPECT_EQ(
      Set(Search("", {Common(fs::CommonParam::kTag, {test::Tok("http://example.org/tags|vip")})})),
      IdList{"Patient/p1"});
  EXPECT_EQ(Set(Search("", {Common(fs::CommonParam::kId, {test::Tok("o1"), test::Tok("p2")})})),
            (IdList{"Observation/o1", "Patient/p2"}));
  EXPECT_EQ(FindIds(Search("")).size(), 15u);
}

// ---- writes keep the index current ------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, UpdatesAndDeletesChangeWhatSearchFinds) {
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"p1","gender":"female",
                      "name":[{"family":"Renamed"}]})")
                  .has_value());
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("muller")})}), IdList{});
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("renamed")})}), IdList{"Patient/p1"});
  EXPECT_EQ(Pat({Param("Patient", "birthdate", {test::Missing(true)}, Modifier::kMissing)}),
            (IdList{"Patient/p1", "Patient/p3"}));
  ASSERT_TRUE(Delete("Observation", "o1").has_value());
  EXPECT_EQ(Obs({Param("Observation", "code", {test::Tok("8480-6")})}), IdList{"Observation/o2"});
  EXPECT_EQ(Obs({Common(fs::CommonParam::kId, {test::Tok("o1")})}), IdList{});
  EXPECT_EQ(Obs({}).size(), 4u);
}

// ---- sorting (search.html#sort) ---------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, SortOrdersByKeysWithMissingValuesLast) {
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"p4","birthDate":"1990",
                      "name":[{"family":"Smith","given":["Zoe"]}]})")
                  .has_value());
  fs::SearchQuery q = Search("Patient");
  q.sort = {test::SortBy("Patient", "birthdate")};
  EXPECT_EQ(FindIds(q), (IdList{"Patient/p1", "Patient/p2", "Patient/p4", "Patient/p3"}));
  q.sort = {test::SortBy("Patient", "birthdate", true)};
  EXPECT_EQ(FindIds(q), (IdList{"Patient/p4", "Patient/p2", "Patient/p1", "Patient/p3"}));
  q.sort = {test::SortBy("Patient", "family"), test::SortBy("Patient", "birthdate", true)};
  EXPECT_EQ(FindIds(q), (IdList{"Patient/p2", "Patient/p1", "Patient/p4", "Patient/p3"}));
  q.sort = {test::SortByCommon(fs::CommonParam::kId, true)};
  EXPECT_EQ(FindIds(q), (IdList{"Patient/p4", "Patient/p3", "Patient/p2", "Patient/p1"}));
  fs::SearchQuery obs = Search("Observation", {Param("Observation", "subject", {test::Ref("p1")})});
  obs.sort = {test::SortBy("Observation", "date", true)};
  EXPECT_EQ(FindIds(obs), (IdList{"Observation/o2", "Observation/o1"}));
  obs.sort = {test::SortBy("Observation", "code")};
  EXPECT_EQ(store().Search(obs).error().code(), "store.unsupported");
}

// ---- paging -----------------------------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, PagesWalkEveryMatchOnceAndBack) {
  std::vector<std::string> batch;
  for (int i = 0; i < 23; ++i) {
    batch.push_back(R"({"resourceType":"Patient","id":"q)" + std::to_string(i) +
                    R"(","gender":"unknown","birthDate":")" + std::to_string(1950 + i % 7) +
                    R"("})");
  }
  PutAll(batch);
  for (bool sorted : {false, true}) {
    fs::SearchQuery q = Search("Patient", {Param("Patient", "gender", {test::Tok("unknown")})});
    q.count = 5;
    if (sorted) q.sort = {test::SortBy("Patient", "birthdate", true)};
    IdList all = FindIds(Search("Patient", {Param("Patient", "gender", {test::Tok("unknown")})}));
    ASSERT_EQ(all.size(), 23u);
    std::vector<IdList> pages;
    std::optional<std::string> token;
    IdList walked;
    for (int guard = 0; guard < 10; ++guard) {
      q.page_token = token;
      auto page = store().Search(q);
      ASSERT_TRUE(page.has_value()) << page.error().message();
      pages.push_back(IdList(test::StoreFixture::Ids(page->matches)));
      for (const auto& id : pages.back()) walked.push_back(id);
      EXPECT_EQ(page->previous_page.has_value(), guard > 0);
      if (!page->next_page) break;
      token = page->next_page;
    }
    ASSERT_EQ(pages.size(), 5u);
    EXPECT_EQ(pages.back().size(), 3u);
    IdList unique = walked;
    std::sort(unique.begin(), unique.end());
    EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end());
    EXPECT_EQ(unique.size(), 23u);
    // Back from the last page to the fourth and third, and forward again.
    q.page_token = token;  // the token that led to the last page
    auto last = store().Search(q);
    ASSERT_TRUE(last.has_value());
    q.page_token = last->previous_page;
    auto fourth = store().Search(q);
    ASSERT_TRUE(fourth.has_value());
    EXPECT_EQ(test::StoreFixture::Ids(fourth->matches), pages[3]);
    q.page_token = fourth->previous_page;
    auto third = store().Search(q);
    ASSERT_TRUE(third.has_value());
    EXPECT_EQ(test::StoreFixture::Ids(third->matches), pages[2]);
    q.page_token = third->next_page;
    EXPECT_EQ(test::StoreFixture::Ids(store().Search(q)->matches), pages[3]);
  }
}

TEST_P(ResourceStoreSearchTest, PagingIsStableWhileResourcesAreAdded) {
  std::vector<std::string> batch;
  for (int i = 0; i < 12; ++i) {
    batch.push_back(R"({"resourceType":"Patient","id":"s)" + std::to_string(i) +
                    R"(","gender":"unknown"})");
  }
  PutAll(batch);
  fs::SearchQuery q = Search("Patient", {Param("Patient", "gender", {test::Tok("unknown")})});
  q.count = 4;
  auto first = store().Search(q);
  ASSERT_TRUE(first.has_value());
  IdList seen = test::StoreFixture::Ids(first->matches);
  // New matches arrive between pages; nothing already listed moves or repeats.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"new)" + std::to_string(i) +
                    R"(","gender":"unknown"})")
                    .has_value());
  }
  q.page_token = first->next_page;
  for (int guard = 0; guard < 10 && q.page_token; ++guard) {
    auto page = store().Search(q);
    ASSERT_TRUE(page.has_value());
    for (const auto& id : test::StoreFixture::Ids(page->matches)) seen.push_back(id);
    q.page_token = page->next_page;
  }
  IdList sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
  // The 12 in the default order (of writing), then the 6 written after them.
  ASSERT_EQ(seen.size(), 18u);
  for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(seen[i], "Patient/s" + std::to_string(i));
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(seen[12 + i], "Patient/new" + std::to_string(i));
}

TEST_P(ResourceStoreSearchTest, ForeignOrDamagedPageTokensAreRejected) {
  fs::SearchQuery q = Search("Patient");
  q.count = 1;
  auto first = store().Search(q);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->next_page.has_value());
  fs::SearchQuery other = Search("Patient", {Param("Patient", "gender", {test::Tok("female")})});
  other.count = 1;
  other.page_token = first->next_page;
  auto foreign = store().Search(other);
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().category(), ErrorCategory::kInvalid);
  EXPECT_EQ(foreign.error().code(), "store.bad-page-token");
  for (std::string bad : {std::string("x"), std::string("!!!!"), first->next_page->substr(1),
                          *first->next_page + "A", std::string("'; DROP TABLE resources; --")}) {
    q.page_token = bad;
    auto page = store().Search(q);
    ASSERT_FALSE(page.has_value()) << bad;
    EXPECT_EQ(page.error().code(), "store.bad-page-token") << bad;
  }
  EXPECT_TRUE(store().Read("Patient", "p1").has_value());
}

// ---- totals and _summary=count ----------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, TotalCountsEveryMatchNotThePage) {
  fs::SearchQuery q = Search("Observation", {Param("Observation", "status", {test::Tok("final")})});
  q.count = 2;
  q.total = fs::TotalMode::kAccurate;
  auto page = store().Search(q);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->matches.size(), 2u);
  EXPECT_EQ(page->total, 4);
  q.total = fs::TotalMode::kNone;
  EXPECT_FALSE(store().Search(q)->total.has_value());
  q.summary = fs::SummaryMode::kCount;
  auto count = store().Search(q);
  ASSERT_TRUE(count.has_value());
  EXPECT_TRUE(count->matches.empty());
  EXPECT_EQ(count->total, 4);
}

// ---- _include and _revinclude (search.html#include) -------------------------------------------

TEST_P(ResourceStoreSearchTest, IncludeAddsReferencedResourcesOnce) {
  fs::SearchQuery q = Search("Observation", {Param("Observation", "code", {test::Tok("8480-6")})});
  q.includes = {test::Include("Observation", "subject")};
  auto page = store().Search(q);
  ASSERT_TRUE(page.has_value()) << page.error().message();
  EXPECT_EQ(test::StoreFixture::Ids(page->matches).size(), 2u);
  EXPECT_EQ(test::StoreFixture::Ids(page->included), IdList{"Patient/p1"});

  q.includes = {test::Include("Observation", "subject", false, "Group")};
  EXPECT_EQ(store().Search(q)->included.size(), 0u);
}

TEST_P(ResourceStoreSearchTest, RevIncludeAndIterateFollowReferencesBothWays) {
  fs::SearchQuery q = Search("Patient", {Common(fs::CommonParam::kId, {test::Tok("p1")})});
  q.includes = {test::RevInclude("Observation", "subject")};
  auto page = store().Search(q);
  ASSERT_TRUE(page.has_value());
  IdList included = test::StoreFixture::Ids(page->included);
  std::sort(included.begin(), included.end());
  EXPECT_EQ(included, (IdList{"Observation/o1", "Observation/o2"}));

  // Observation -> its patient -> (iterate) the patient's organization -> (iterate) its parent.
  fs::SearchQuery it = Search("Observation", {Common(fs::CommonParam::kId, {test::Tok("o1")})});
  it.includes = {test::Include("Observation", "subject"),
                 test::Include("Patient", "organization", true),
                 test::Include("Organization", "partof", true)};
  auto chained = store().Search(it);
  ASSERT_TRUE(chained.has_value());
  included = test::StoreFixture::Ids(chained->included);
  std::sort(included.begin(), included.end());
  EXPECT_EQ(included, (IdList{"Organization/org1", "Organization/org2", "Patient/p1"}));
  // Without :iterate only the first step is taken.
  it.includes[1].iterate = false;
  it.includes[2].iterate = false;
  EXPECT_EQ(test::StoreFixture::Ids(store().Search(it)->included), IdList{"Patient/p1"});
}

TEST_P(ResourceStoreSearchTest, SearchInsideATransactionSeesItsUncommittedWrites) {
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    auto written = tx.Update(test::Json(R"({"resourceType":"Patient","id":"fresh",
                                            "name":[{"family":"Newcomer"}]})"),
                             std::nullopt);
    EXPECT_TRUE(written.has_value());
    auto found =
        tx.Search(Search("Patient", {Param("Patient", "family", {test::Str("newcomer")})}));
    EXPECT_TRUE(found.has_value());
    EXPECT_EQ(test::StoreFixture::Ids(found->matches), IdList{"Patient/fresh"});
    // Outside the transaction nothing is visible yet.
    return Fail(ErrorCategory::kConflict, "test.rollback", "roll back");
  });
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(Pat({Param("Patient", "family", {test::Str("newcomer")})}), IdList{});
}

// ---- parsed queries end to end ---------------------------------------------------------------

TEST_P(ResourceStoreSearchTest, ParsedQueriesFindWhatTheySay) {
  auto run = [&](std::string_view type, std::string_view query) -> IdList {
    auto parsed = fs::ParseSearchQuery(type, query, fs::Handling::kStrict);
    if (!parsed) return {"parse-error:" + parsed.error().code()};
    return FindIds(*parsed);
  };
  auto set = [&](std::string_view type, std::string_view query) {
    IdList ids = run(type, query);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(set("Patient", "family=M%C3%9CL"), IdList{"Patient/p1"});
  EXPECT_EQ(set("Patient", "name:contains=bel"), IdList{"Patient/p3"});
  EXPECT_EQ(set("Patient", "birthdate=ge1974-12-25"), (IdList{"Patient/p1", "Patient/p2"}));
  EXPECT_EQ(set("Patient", "gender:not=female"), IdList{"Patient/p2"});
  EXPECT_EQ(set("Patient", "identifier=http://example.org/mrn|MRN-001"), IdList{"Patient/p1"});
  EXPECT_EQ(set("Patient", "birthdate:missing=true"), IdList{"Patient/p3"});
  EXPECT_EQ(set("Patient", "_has:Observation:subject:code=29463-7"),
            (IdList{"Patient/p2", "Patient/p3"}));
  EXPECT_EQ(set("Patient", "organization.name=clinic"), IdList{"Patient/p1"});
  EXPECT_EQ(set("Observation", "code=http://loinc.org|8480-6&date=ge2024-02"),
            IdList{"Observation/o2"});
  EXPECT_EQ(set("Observation", "subject:Patient.family=mul"),
            (IdList{"Observation/o1", "Observation/o2"}));
  EXPECT_EQ(set("Observation", "value-quantity=gt130|http://unitsofmeasure.org|mm[Hg]"),
            IdList{"Observation/o2"});
  EXPECT_EQ(set("Observation", "code-value-quantity=http://loinc.org|8480-6$gt130"),
            IdList{"Observation/o2"});
  EXPECT_EQ(set("Observation", "code:text=body%20weight"),
            (IdList{"Observation/o4", "Observation/o5"}));
  EXPECT_EQ(set("ValueSet", "url:below=http://example.org/fhir/ValueSet/a"),
            (IdList{"ValueSet/vs1", "ValueSet/vs2"}));
  EXPECT_EQ(set("RiskAssessment", "probability=gt0.5"), IdList{"RiskAssessment/r2"});
  EXPECT_EQ(set("", "_type=Patient&_tag=http://example.org/tags|vip"), IdList{"Patient/p1"});
  EXPECT_EQ(set("", "_type=Patient,Organization&_id=o1,p2,org1"),
            (IdList{"Organization/org1", "Patient/p2"}));
  EXPECT_EQ(run("Patient", "_sort=-birthdate"), (IdList{"Patient/p2", "Patient/p1", "Patient/p3"}));
  EXPECT_EQ(run("Observation", "status=final&_count=2").size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, ResourceStoreSearchTest,
                         ::testing::ValuesIn(test::AvailableBackends()), test::BackendName);

}  // namespace
}  // namespace chartroom::store
