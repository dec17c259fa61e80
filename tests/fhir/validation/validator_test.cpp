// Unit tests of fhir::Validate and fhir::ParseAndValidate, one check at a time. The one-defect
// fixtures (invalid_fixtures_test.cpp) cover each check's failure; these tests cover what the
// fixtures cannot: valid forms that must pass, several issues in one document and their order,
// the expression syntax, and that diagnostics never carry values.

#include "fhir/validation/validator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

namespace chartroom::fhir {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

// (details code, expression) of every issue that is not information, in order.
std::vector<std::pair<std::string, std::string>> Findings(std::string_view json,
                                                          const ValidationOptions& options = {}) {
  boost::json::monotonic_resource storage;
  const ParsedDocument parsed = ParseAndValidate(json, &storage, options);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Issue& issue : parsed.outcome.issues()) {
    if (issue.severity != IssueSeverity::kInformation) {
      out.emplace_back(issue.details_code, issue.expression);
    }
  }
  return out;
}

TEST(ValidatorTest, MinimalResourcesOfManyTypesAreValid) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient"})"), IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})"),
              IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Bundle","type":"collection"})"), IsEmpty());
  EXPECT_THAT(
      Findings(R"({"resourceType":"Parameters","parameter":[{"name":"a","valueInteger":1}]})"),
      IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Binary","contentType":"text/plain","data":"aGk="})"),
              IsEmpty());
}

TEST(ValidatorTest, ReportsEveryIssueInDocumentOrder) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","gender":"boy","name":[{"given":["a",""]}],
                   "foo":1,"birthDate":"1970-13","active":1})"),
              ElementsAre(Pair("fhir.binding-code", "Patient.gender"),
                          Pair("fhir.empty-value", "Patient.name[0].given[1]"),
                          Pair("fhir.unknown-element", "Patient.foo"),
                          Pair("fhir.invalid-primitive", "Patient.birthDate"),
                          Pair("fhir.wrong-json-type", "Patient.active")));
}

TEST(ValidatorTest, MissingRequiredElementsComeAfterTheObjectsMembers) {
  EXPECT_THAT(Findings(R"({"resourceType":"Observation","foo":1})"),
              ElementsAre(Pair("fhir.unknown-element", "Observation.foo"),
                          Pair("fhir.cardinality-min", "Observation.code"),
                          Pair("fhir.cardinality-min", "Observation.status")));
}

TEST(ValidatorTest, ChoiceElementsAcceptEachOfTheirTypes) {
  for (const char* value :
       {R"("valueString":"x")", R"("valueBoolean":true)", R"("valueInteger":-3)",
        R"("valueQuantity":{"value":1.5e3,"unit":"mg"})", R"("valueCodeableConcept":{"text":"x"})",
        R"("valuePeriod":{"start":"2020"})", R"("valueTime":"10:00:00")",
        R"("valueDateTime":"2020-01-01T10:00:00+01:00")"}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(Findings(std::string(R"({"resourceType":"Observation","status":"final",)"
                                     R"("code":{"text":"x"},)") +
                         value + "}"),
                IsEmpty());
  }
}

TEST(ValidatorTest, ChoiceConflictAlsoCountsPrimitiveExtensionsOfAnotherType) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","deceasedBoolean":true,
                           "_deceasedBoolean":{"id":"a"}})"),
              IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","deceasedBoolean":true,
                           "_deceasedDateTime":{"extension":[{"url":"http://x.org","valueCode":"a"}]}})"),
              ElementsAre(Pair("fhir.choice-conflict", "Patient._deceasedDateTime")));
}

TEST(ValidatorTest, IntegerRangesFollowTheirType) {
  auto with_rank = [](const std::string& rank) {
    return Findings(
        R"({"resourceType":"Patient","telecom":[{"system":"phone","value":"1","rank":)" + rank +
        "}]}");
  };
  EXPECT_THAT(with_rank("1"), IsEmpty());
  EXPECT_THAT(with_rank("2147483647"), IsEmpty());
  EXPECT_THAT(with_rank("2147483648"),
              ElementsAre(Pair("fhir.invalid-primitive", "Patient.telecom[0].rank")));
  EXPECT_THAT(with_rank("18446744073709551615"),
              ElementsAre(Pair("fhir.invalid-primitive", "Patient.telecom[0].rank")));
  EXPECT_THAT(with_rank("1e2"),
              ElementsAre(Pair("fhir.invalid-primitive", "Patient.telecom[0].rank")));
  auto with_births = [](const std::string& n) {
    return Findings(R"({"resourceType":"Patient","multipleBirthInteger":)" + n + "}");
  };
  EXPECT_THAT(with_births("-2147483648"), IsEmpty());
  EXPECT_THAT(with_births("-2147483649"),
              ElementsAre(Pair("fhir.invalid-primitive", "Patient.multipleBirthInteger")));
}

TEST(ValidatorTest, DecimalAcceptsAnyJsonNumber) {
  for (const char* v : {"0", "-1", "1.50", "6.02e23", "-1E-3", "123456789012345678901234"}) {
    SCOPED_TRACE(v);
    EXPECT_THAT(Findings(std::string(R"({"resourceType":"Observation","status":"final",)"
                                     R"("code":{"text":"x"},"valueQuantity":{"value":)") +
                         v + "}}"),
                IsEmpty());
  }
}

TEST(ValidatorTest, ResourceIdIsCheckedAsIdAndElementIdAsString) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","id":"A-1.b"})"), IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","id":"a_b"})"),
              ElementsAre(Pair("fhir.invalid-primitive", "Patient.id")));
  EXPECT_THAT(
      Findings(std::string(R"({"resourceType":"Patient","id":")") + std::string(65, 'a') + "\"}"),
      ElementsAre(Pair("fhir.invalid-primitive", "Patient.id")));
  // Element.id is a string, so characters an id forbids are fine there.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","name":[{"id":"a_b c","family":"x"}]})"),
              IsEmpty());
}

TEST(ValidatorTest, PrimitiveArraysMayCarryNullsAlignedWithExtensions) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","name":[{"given":["a",null,"c"],
      "_given":[null,{"extension":[{"url":"http://x.org/e","valueString":"b"}]},{"id":"g3"}]}]})"),
              IsEmpty());
  // Both null at one position: nothing there at all.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","name":[{"given":["a",null],
      "_given":[{"id":"g1"},null]}]})"),
              ElementsAre(Pair("fhir.null-value", "Patient.name[0].given[1]"),
                          Pair("fhir.null-value", "Patient.name[0].given[1]")));
  // A '_' array alone stands for values that only have extensions.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","name":[{"family":"x",
      "_given":[{"extension":[{"url":"http://x.org/e","valueString":"b"}]}]}]})"),
              IsEmpty());
}

TEST(ValidatorTest, PrimitiveExtensionObjectsHoldOnlyIdAndExtension) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","birthDate":"1970",
      "_birthDate":{"id":"b","extension":[{"url":"http://x.org/e","valueDateTime":"1970-01-01"}]}})"),
              IsEmpty());
  // Only an id and no value: the element is empty (ele-1).
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","_birthDate":{"id":"b"}})"),
              ElementsAre(Pair("fhir.empty-value", "Patient.birthDate")));
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","_birthDate":"x"})"),
              ElementsAre(Pair("fhir.wrong-json-type", "Patient.birthDate")));
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","name":[{"_given":{"id":"x"}}]})"),
              ElementsAre(Pair("fhir.wrong-json-type", "Patient.name[0].given")));
  // An extension at a required primitive satisfies its cardinality (data-absent-reason style).
  EXPECT_THAT(Findings(R"({"resourceType":"Observation","code":{"text":"x"},
      "_status":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                               "valueCode":"unknown"}]}})"),
              IsEmpty());
}

TEST(ValidatorTest, AcceptsEveryReferenceForm) {
  for (const char* ref :
       {"Patient/p1", "Patient/p1/_history/2", "http://example.org/fhir/Patient/p1",
        "https://example.org/fhir/Patient/p1/_history/2",
        "urn:uuid:9d8a5b8e-3a43-4a5e-8d2b-0a1c2e3f4a5b", "urn:oid:1.2.840.113619.2.62",
        "http://example.org/some/thing"}) {
    SCOPED_TRACE(ref);
    EXPECT_THAT(Findings(std::string(R"({"resourceType":"Observation","status":"final",)"
                                     R"("code":{"text":"x"},"subject":{"reference":")") +
                         ref + "\"}}"),
                IsEmpty());
  }
}

TEST(ValidatorTest, RejectsMalformedReferences) {
  for (const char* ref :
       {"Patient", "Patient/p1/p2", "Patient/p1/_history", "Patient/a b", "patient/p1",
        "Patient/p1/_hist/2", "urn:uuid:ABC", "urn:oid:abc", "#a b", "?x=1", "Patient?"}) {
    SCOPED_TRACE(ref);
    EXPECT_THAT(Findings(std::string(R"({"resourceType":"Observation","status":"final",)"
                                     R"("code":{"text":"x"},"subject":{"reference":")") +
                         ref + "\"}}"),
                ElementsAre(Pair("fhir.invalid-reference", "Observation.subject.reference")));
  }
}

TEST(ValidatorTest, ChecksReferenceTargetsWhenTheTypeCanBeTold) {
  auto subject = [](const std::string& ref) {
    return Findings(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                    R"("subject":{"reference":")" +
                    ref + "\"}}");
  };
  EXPECT_THAT(subject("Group/g1"), IsEmpty());
  EXPECT_THAT(subject("http://example.org/fhir/Encounter/e1/_history/1"),
              ElementsAre(Pair("fhir.reference-target", "Observation.subject.reference")));
  // Extension.valueReference allows any target.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","extension":[{"url":"http://x.org/e",
                           "valueReference":{"reference":"Encounter/e1"}}]})"),
              IsEmpty());
}

TEST(ValidatorTest, ConditionalReferencesAreFineInTransactionsOnly) {
  const std::string entry = R"({"resource":{"resourceType":"Observation","status":"final",
      "code":{"text":"x"},"subject":{"reference":"Patient?identifier=http://x.org|1"}},
      "request":{"method":"POST","url":"Observation"}})";
  EXPECT_THAT(Findings(R"({"resourceType":"Bundle","type":"transaction","entry":[)" + entry + "]}"),
              IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Bundle","type":"batch","entry":[)" + entry + "]}"),
              IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Bundle","type":"collection","entry":[)" + entry + "]}"),
              ElementsAre(Pair("fhir.conditional-reference",
                               "Bundle.entry[0].resource.ofType(Observation).subject.reference")));
}

TEST(ValidatorTest, BundleFullUrlsTellTheTargetOfUrnReferences) {
  const std::string patient_uuid = "urn:uuid:11111111-2222-4333-8444-555555555555";
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"fullUrl":")" + patient_uuid +
                             R"(","resource":{"resourceType":"Patient"},
       "request":{"method":"POST","url":"Patient"}},
      {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
        "subject":{"reference":")" +
                             patient_uuid + R"("},
        "performer":[{"reference":")" +
                             patient_uuid + R"("}],
        "device":{"reference":")" +
                             patient_uuid + R"("}},
       "request":{"method":"POST","url":"Observation"}}]})";
  EXPECT_THAT(Findings(bundle),
              ElementsAre(Pair("fhir.reference-target",
                               "Bundle.entry[1].resource.ofType(Observation).device.reference")));
}

TEST(ValidatorTest, ContainedResourcesResolveLocally) {
  // Referenced by '#id' from the container, from a sibling, and through a canonical.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient",
      "contained":[{"resourceType":"Organization","id":"o1","name":"x"},
                   {"resourceType":"Organization","id":"o2","name":"y","partOf":{"reference":"#o1"}}],
      "managingOrganization":{"reference":"#o2"}})"),
              IsEmpty());
  // A contained resource that refers to its container ('#') needs no reference back.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","contained":[{"resourceType":"Observation",
      "id":"o","status":"final","code":{"text":"x"},"subject":{"reference":"#"}}]})"),
              IsEmpty());
  EXPECT_THAT(Findings(R"({"resourceType":"Questionnaire","status":"draft",
      "contained":[{"resourceType":"ValueSet","id":"vs","status":"draft"}],
      "item":[{"linkId":"1","type":"choice","answerValueSet":"#vs"}]})"),
              IsEmpty());
  // No id: nothing can refer to it.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","contained":[{"resourceType":"Organization",
      "name":"x"}]})"),
              ElementsAre(Pair("fhir.contained-unreferenced", "Patient.contained[0]")));
}

TEST(ValidatorTest, LocalReferencesResolveWithinTheirOwnBundleEntry) {
  // Each entry's resource is its own root: '#o1' in entry 1 cannot see entry 0's contained.
  EXPECT_THAT(Findings(R"({"resourceType":"Bundle","type":"collection","entry":[
      {"resource":{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1",
        "name":"x"}],"managingOrganization":{"reference":"#o1"}}},
      {"resource":{"resourceType":"Patient","managingOrganization":{"reference":"#o1"}}}]})"),
              ElementsAre(Pair("fhir.reference-unresolved",
                               "Bundle.entry[1].resource.ofType(Patient).managingOrganization."
                               "reference")));
}

TEST(ValidatorTest, NestedBundlesAndParametersAreValidatedByTheirOwnTypes) {
  EXPECT_THAT(Findings(R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":
      {"resourceType":"Bundle","type":"collection","entry":[{"resource":
        {"resourceType":"Parameters","parameter":[{"name":"p","resource":
          {"resourceType":"Patient","gender":"x"}}]}}]}}]})"),
              ElementsAre(Pair("fhir.binding-code",
                               "Bundle.entry[0].resource.ofType(Bundle).entry[0].resource.ofType("
                               "Parameters).parameter[0].resource.ofType(Patient).gender")));
}

TEST(ValidatorTest, NamesOddKeysInBackquotes) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","a b":1,"x`y":2,"_":3})"),
              ElementsAre(Pair("fhir.unknown-element", "Patient.`a b`"),
                          Pair("fhir.unknown-element", "Patient.`x\\`y`"),
                          Pair("fhir.unknown-element", "Patient._")));
}

TEST(ValidatorTest, CutsLongKeysAtACharacterBoundary) {
  std::string key;
  for (int i = 0; i < 40; ++i) key += "\xC3\xA9";  // é, two bytes each
  std::string expected = "Patient.`";
  for (int i = 0; i < 32; ++i) expected += "\xC3\xA9";
  expected += "...`";
  EXPECT_THAT(Findings(R"({"resourceType":"Patient",")" + key + R"(":1})"),
              ElementsAre(Pair("fhir.unknown-element", expected)));
}

TEST(ValidatorTest, ReportsManyDuplicateKeysEachOnce) {
  std::string names;
  for (int i = 0; i < 20000; ++i)
    names += std::string(i ? "," : "") + R"({"family":"a","family":"b"})";
  const auto findings = Findings(R"({"resourceType":"Patient","name":[)" + names + "]}");
  ASSERT_EQ(findings.size(), 20000u);
  EXPECT_EQ(findings.front(), std::make_pair(std::string("fhir.duplicate-key"),
                                             std::string("Patient.name[0].family")));
  EXPECT_EQ(findings.back(), std::make_pair(std::string("fhir.duplicate-key"),
                                            std::string("Patient.name[19999].family")));
}

TEST(ValidatorTest, DiagnosticsNeverEchoValues) {
  const std::string secret = "Zqxjk-Secret";
  boost::json::monotonic_resource storage;
  const ParsedDocument parsed =
      ParseAndValidate(R"({"resourceType":"Patient","id":"bad id )" + secret + R"(","gender":")" +
                           secret + R"(","birthDate":")" + secret + R"(","name":[{"family":1}],
          "managingOrganization":{"reference":")" +
                           secret + R"("},"telecom":[{"system":")" + secret + R"("}]})",
                       &storage);
  ASSERT_GE(parsed.outcome.issues().size(), 5u);
  for (const Issue& issue : parsed.outcome.issues()) {
    EXPECT_EQ(issue.diagnostics.find(secret), std::string::npos) << issue.diagnostics;
    EXPECT_EQ(issue.expression.find(secret), std::string::npos) << issue.expression;
  }
}

TEST(ValidatorTest, DuplicateKeysAreReportedWhereTheyOccur) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","gender":"male","name":[{"family":"a",
      "family":"b"}],"gender":"female","active":"no"})"),
              ElementsAre(Pair("fhir.duplicate-key", "Patient.gender"),
                          Pair("fhir.duplicate-key", "Patient.name[0].family"),
                          Pair("fhir.wrong-json-type", "Patient.active")));
  // Inside a part the walk does not enter (an unknown element), the JSON path locates it.
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","foo":{"a":1,"a":2}})"),
              ElementsAre(Pair("fhir.unknown-element", "Patient.foo"),
                          Pair("fhir.duplicate-key", "Patient.foo.a")));
}

TEST(ValidatorTest, SyntaxErrorsCarryLineAndColumn) {
  boost::json::monotonic_resource storage;
  const ParsedDocument parsed =
      ParseAndValidate("{\n  \"resourceType\": \"Patient\",\n  \"id\": tru\n}", &storage);
  ASSERT_EQ(parsed.outcome.issues().size(), 1u);
  const Issue& issue = parsed.outcome.issues()[0];
  EXPECT_EQ(issue.details_code, "fhir.json-syntax");
  EXPECT_EQ(issue.line, 3u);
  EXPECT_TRUE(issue.column.has_value());
  EXPECT_TRUE(issue.expression.empty());
  EXPECT_TRUE(parsed.value.is_null());
}

TEST(ValidatorTest, ValidateAcceptsADomFromAnyParserAndLimitsDepth) {
  boost::json::value ok = boost::json::parse(R"({"resourceType":"Patient","active":true})");
  EXPECT_FALSE(Validate(ok).HasErrors());

  // 60 nested extensions: deeper than a limit of 50 objects, within the default.
  boost::json::value deep = boost::json::parse(R"({"url":"http://x.org/e","valueString":"v"})");
  for (int i = 0; i < 60; ++i) {
    boost::json::object outer;
    outer["url"] = "http://x.org/e";
    outer["extension"] = boost::json::array{std::move(deep)};
    deep = std::move(outer);
  }
  boost::json::object patient;
  patient["resourceType"] = "Patient";
  patient["extension"] = boost::json::array{std::move(deep)};
  const boost::json::value doc(std::move(patient));
  EXPECT_FALSE(Validate(doc).HasErrors());
  ValidationOptions shallow;
  shallow.max_depth = 50;
  const OperationOutcome limited = Validate(doc, shallow);
  ASSERT_EQ(limited.ErrorCount(), 1u);
  EXPECT_EQ(limited.issues()[0].details_code, "fhir.json-too-deep");
}

TEST(ValidatorTest, ParsedDocumentKeepsTheValue) {
  boost::json::monotonic_resource storage;
  const ParsedDocument parsed =
      ParseAndValidate(R"({"resourceType":"Patient","id":"p1"})", &storage);
  EXPECT_TRUE(parsed.outcome.empty());
  ASSERT_TRUE(parsed.value.is_object());
  EXPECT_EQ(parsed.value.storage().get(), boost::json::storage_ptr(&storage).get());
  EXPECT_EQ(parsed.value.at("id").as_string(), "p1");
}

TEST(ValidatorTest, NonR4MetaElementsAreUnknownButR4OnesAreFine) {
  EXPECT_THAT(Findings(R"({"resourceType":"Patient","meta":{"versionId":"1",
      "lastUpdated":"2020-01-01T00:00:00Z","source":"http://x.org","profile":["http://x.org/p"],
      "security":[{"code":"R"}],"tag":[{"code":"t"}]}})"),
              IsEmpty());
  for (const char* extra :
       {"account", "accounts", "author", "compartment", "deleted", "onBehalfOf", "project"}) {
    SCOPED_TRACE(extra);
    EXPECT_THAT(Findings(std::string(R"({"resourceType":"Patient","meta":{"versionId":"1",")") +
                         extra + R"(":true}})"),
                ElementsAre(Pair("fhir.unknown-element", std::string("Patient.meta.") + extra)));
  }
}

}  // namespace
}  // namespace chartroom::fhir
