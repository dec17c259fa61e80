// Evaluation semantics that are easy to get wrong: three-valued logic, singleton evaluation,
// choice types, primitive extensions, date precision, quantities, resolve(), environment
// variables, the injected clock, error kinds, and concurrent evaluation of one Expression.

#include "fhir/fhirpath/fhirpath.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace chartroom::fhir::fhirpath {
namespace {

namespace json = boost::json;

// Synthetic data only.
const json::value kPatient = json::parse(R"({
  "resourceType": "Patient", "id": "p1",
  "active": true,
  "gender": "female",
  "birthDate": "1980-05-17",
  "_birthDate": {"extension": [{"url": "http://example.org/birthTime",
                                "valueDateTime": "1980-05-17T10:00:00Z"}]},
  "name": [{"use": "official", "family": "Testperson", "given": ["Alex", "B"]},
           {"use": "nickname", "given": ["Al"]}],
  "_active": {"id": "a1"},
  "contained": [{"resourceType": "Organization", "id": "org1", "name": "Clinic"}],
  "managingOrganization": {"reference": "#org1"},
  "extension": [{"url": "http://example.org/weight",
                 "valueQuantity": {"value": 70.5, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}]
})");

DateTime Clock() {
  DateTime now;
  now.year = 2024;
  now.month = 3;
  now.day = 1;
  now.hour = 9;
  now.precision = TemporalPrecision::kMillisecond;
  now.tz_offset_minutes = 0;
  return now;
}

Result<Collection> Eval(std::string_view text, const json::value* resource = &kPatient,
                        std::span<const Variable> variables = {}) {
  auto expr = Expression::Compile(text);
  if (!expr) return tl::unexpected(expr.error());
  EvaluationInput input;
  input.resource = resource;
  input.now = Clock();
  input.variables = variables;
  return expr->Evaluate(input);
}

// The result as "type:value" strings joined by spaces.
std::string Show(std::string_view text, const json::value* resource = &kPatient) {
  auto result = Eval(text, resource);
  if (!result) return result.error().code();
  std::string out;
  for (const Item& item : *result) {
    if (!out.empty()) out += ' ';
    out += std::string(item.TypeName()) + ":" + json::serialize(item.ToJson());
  }
  return out;
}

TEST(FhirpathTest, NavigatesPathsWithFhirTypes) {
  EXPECT_EQ(Show("Patient.name.given"), "string:\"Alex\" string:\"B\" string:\"Al\"");
  EXPECT_EQ(Show("Patient.gender"), "code:\"female\"");
  EXPECT_EQ(Show("Patient.id"), "id:\"p1\"");
  EXPECT_EQ(Show("Patient.name.where(use = 'official').given.first()"), "string:\"Alex\"");
  EXPECT_EQ(Show("Observation.status"), "");  // a type filter that does not match
}

TEST(FhirpathTest, ChoiceElementsResolveThroughTheirTypedNames) {
  EXPECT_EQ(Show("Patient.extension.value.unit"), "string:\"kg\"");
  EXPECT_EQ(Show("Patient.extension.value is Quantity"), "boolean:true");
  EXPECT_EQ(Show("Patient.extension.value.ofType(Quantity).value > 70"), "boolean:true");
  EXPECT_EQ(Show("Patient.extension.value = 70500 'g'"), "boolean:true");
}

TEST(FhirpathTest, PrimitivesMergeTheirUnderscoreSibling) {
  EXPECT_EQ(Show("Patient.birthDate.extension('http://example.org/birthTime').value"),
            "dateTime:\"1980-05-17T10:00:00Z\"");
  EXPECT_EQ(Show("Patient.active.id"), "string:\"a1\"");
  EXPECT_EQ(Show("Patient.active.hasValue()"), "boolean:true");
}

TEST(FhirpathTest, ThreeValuedLogic) {
  EXPECT_EQ(Show("(true and {}).empty()"), "boolean:true");
  EXPECT_EQ(Show("false and {}"), "boolean:false");
  EXPECT_EQ(Show("{} or true"), "boolean:true");
  EXPECT_EQ(Show("{} implies false"), "");
  EXPECT_EQ(Show("false implies {}"), "boolean:true");
  EXPECT_EQ(Show("true xor {}"), "");
}

TEST(FhirpathTest, SingletonEvaluationRules) {
  EXPECT_EQ(Show("Patient.name.given.single()"), "fhirpath.evaluation");
  EXPECT_EQ(Show("(1 | 2) + 1"), "fhirpath.evaluation");
  EXPECT_EQ(Show("('a').not()"), "boolean:false");  // one non-boolean item counts as true
  EXPECT_EQ(Show("(true | false).not()"), "fhirpath.evaluation");
}

TEST(FhirpathTest, EqualityAndEquivalence) {
  EXPECT_EQ(Show("1 = 1.0"), "boolean:true");
  EXPECT_EQ(Show("'abc' = 'ABC'"), "boolean:false");
  EXPECT_EQ(Show("'abc' ~ ' ABC '"), "boolean:true");
  EXPECT_EQ(Show("{} = 1"), "");
  EXPECT_EQ(Show("{} ~ {}"), "boolean:true");
  EXPECT_EQ(Show("(1 | 2) ~ (2 | 1)"), "boolean:true");
  EXPECT_EQ(Show("Patient.name.first() = Patient.name[0]"), "boolean:true");
}

TEST(FhirpathTest, DatePrecisionMakesComparisonsUnknown) {
  EXPECT_EQ(Show("@2018-03 < @2018-03-01"), "");
  EXPECT_EQ(Show("@2018-03 < @2018-04-01"), "boolean:true");
  EXPECT_EQ(Show("Patient.birthDate < @1990-01-01"), "boolean:true");
  EXPECT_EQ(Show("@2012-04-15T15:00:00Z = @2012-04-15T10:00:00"), "");
  EXPECT_EQ(Show("@1973-12-25 + 7 days"), "date:\"1974-01-01\"");
  EXPECT_EQ(Show("@1973-12-25 + 1 'mo'"), "fhirpath.evaluation");
}

TEST(FhirpathTest, ClockComesFromTheInput) {
  EXPECT_EQ(Show("today()"), "date:\"2024-03-01\"");
  EXPECT_EQ(Show("now().toString().substring(0, 13)"), "string:\"2024-03-01T09\"");
}

TEST(FhirpathTest, QuantitiesCompareAcrossUnits) {
  EXPECT_EQ(Show("4 'g' = 4000 'mg'"), "boolean:true");
  EXPECT_EQ(Show("7 days = 1 week"), "boolean:true");
  EXPECT_EQ(Show("1 'cm' < 1 'm'"), "boolean:true");
}

TEST(FhirpathTest, DecimalOverflowIsEmpty) {
  // Found by fuzzing: two 38-digit sums of the same sign.
  EXPECT_EQ(Show("-1111111111111111111/111/11/11-11111111111111111/11/11"), "");
  EXPECT_EQ(Show("99999999999999999999999999999999999999 + 99999999999999999999999999999999999999"),
            "");
  EXPECT_EQ(Show("(1.5 + 2.25).toString()"), "string:\"3.75\"");
}

TEST(FhirpathTest, ResolvesContainedAndBundleReferences) {
  EXPECT_EQ(Show("Patient.managingOrganization.resolve().name"), "string:\"Clinic\"");
  json::value bundle = json::parse(R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": "x", "gender": "male"}},
    {"fullUrl": "http://example.org/Observation/o1", "resource": {"resourceType": "Observation",
      "id": "o1", "status": "final", "subject": {"reference": "urn:uuid:1"}}}]})");
  EXPECT_EQ(Show("Bundle.entry.resource.ofType(Observation).subject.resolve().gender", &bundle),
            "code:\"male\"");
  EXPECT_EQ(Show("'Observation/o1'.resolve().status", &bundle), "code:\"final\"");
}

TEST(FhirpathTest, EnvironmentAndCallerVariables) {
  EXPECT_EQ(Show("%resource.id"), "id:\"p1\"");
  EXPECT_EQ(Show("%`vs-administrative-gender`"),
            "string:\"http://hl7.org/fhir/ValueSet/administrative-gender\"");
  EXPECT_EQ(Show("%unknown"), "fhirpath.evaluation");
  auto limit = Eval("3");
  ASSERT_TRUE(limit.has_value());
  Variable vars[] = {{"limit", &*limit}};
  auto result = Eval("Patient.name.given.count() = %limit", &kPatient, vars);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->size(), 1u);
  EXPECT_TRUE((*result)[0].u.boolean);
}

TEST(FhirpathTest, MemberOfUsesRequiredBindingTables) {
  EXPECT_EQ(Show("Patient.gender.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')"),
            "boolean:true");
  EXPECT_EQ(Show("'nope'.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')"),
            "boolean:false");
  EXPECT_EQ(Show("'x'.memberOf('http://example.org/unknown')"), "");
}

TEST(FhirpathTest, AsOperatorFiltersRepeatingElementsButAsFunctionNeedsOneItem) {
  json::value plan = json::parse(R"({"resourceType": "ActivityDefinition", "status": "draft",
    "useContext": [{"code": {"code": "focus"}, "valueCodeableConcept": {"text": "a"}},
                   {"code": {"code": "age"}, "valueQuantity": {"value": 3}},
                   {"code": {"code": "venue"}, "valueCodeableConcept": {"text": "b"}}]})");
  EXPECT_EQ(Show("(ActivityDefinition.useContext.value as CodeableConcept).text", &plan),
            "string:\"a\" string:\"b\"");
  EXPECT_EQ(Show("ActivityDefinition.useContext.value.as(CodeableConcept)", &plan),
            "fhirpath.evaluation");
  EXPECT_EQ(Show("ActivityDefinition.useContext.value is Quantity", &plan), "fhirpath.evaluation");
}

TEST(FhirpathTest, HostileExpressionsFailInsteadOfRunningAway) {
  // repeat() that never stops finding new items runs into the work budget.
  auto endless = Expression::Compile("(1|2|3|4|5|6|7|8|9|10).repeat($this + 1).count()");
  ASSERT_TRUE(endless.has_value());
  EvaluationInput small;
  small.max_work = 1'000'000;
  auto stopped = endless->Evaluate(small);
  ASSERT_FALSE(stopped.has_value());
  EXPECT_EQ(stopped.error().code(), "fhirpath.evaluation");
  std::string doubling = "'ab'";
  for (int i = 0; i < 24; ++i) doubling += ".select($this.combine($this))";
  EXPECT_EQ(Show(doubling + ".count()"), "fhirpath.evaluation");  // 2^24 items
  // A budget small enough that a quadratic distinct() exceeds it.
  auto expr =
      Expression::Compile("'abcdefghijklmnopqrstuvwxyz'.toChars().combine($this).distinct()");
  ASSERT_TRUE(expr.has_value());
  EvaluationInput input;
  input.max_work = 100;
  EXPECT_FALSE(expr->Evaluate(input).has_value());
  input.max_work = 100'000;
  auto ok = expr->Evaluate(input);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->size(), 26u);
}

TEST(FhirpathTest, OneExpressionEvaluatesConcurrently) {
  auto expr = Expression::Compile(
      "Patient.name.where(use = 'official').given.first() & '-' & "
      "Patient.birthDate.toString()");
  ASSERT_TRUE(expr.has_value());
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        EvaluationInput input;
        input.resource = &kPatient;
        input.now = Clock();
        auto result = expr->Evaluate(input);
        if (result && result->size() == 1 && (*result)[0].string() == "Alex-1980-05-17") ++ok[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int count : ok) EXPECT_EQ(count, 2000);
}

}  // namespace
}  // namespace chartroom::fhir::fhirpath
