// Static checking at compile time: unknown functions, arity, type specifiers and paths that
// cannot exist on a type known from the R4 model.

#include "fhir/fhirpath/checker.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fhir/fhirpath/fhirpath.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::fhir::fhirpath {
namespace {

std::string CompileCode(std::string_view text, std::string_view context = "") {
  CompileOptions options;
  options.context_type = context;
  auto compiled = Expression::Compile(text, options);
  return compiled ? "ok" : compiled.error().code();
}

TEST(CheckerTest, UnknownFunctionAndWrongArityAreSemantic) {
  EXPECT_EQ(CompileCode("name.foo()"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("name.first(1)"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("name.where()"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("'a'.substring(1, 2, 3)"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("'a'.substring(1, 2)"), "ok");
}

TEST(CheckerTest, TypeSpecifiersResolveInFhirThenSystem) {
  EXPECT_EQ(CompileCode("1 is Integer"), "ok");
  EXPECT_EQ(CompileCode("1 is System.Integer"), "ok");
  EXPECT_EQ(CompileCode("value is FHIR.Quantity"), "ok");
  EXPECT_EQ(CompileCode("value.ofType(Quantity)"), "ok");
  EXPECT_EQ(CompileCode("value.ofType(Quantit)"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("value is FHIR.Integer"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("value is Foo.Bar"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("value.as(1 + 2)"), "fhirpath.semantic");
}

TEST(CheckerTest, PathsAreCheckedFromALeadingResourceType) {
  EXPECT_EQ(CompileCode("Patient.name.given"), "ok");
  EXPECT_EQ(CompileCode("Patient.name.given1"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("Encounter.name"), "fhirpath.semantic");
  // Choice elements are named by their stem; the JSON name is not a FHIRPath path.
  EXPECT_EQ(CompileCode("Observation.value.unit"), "ok");
  EXPECT_EQ(CompileCode("Observation.valueQuantity.unit"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("(Observation.value as Period).unit"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("Observation.value.as(Period).start"), "ok");
  // Backbone elements and content references.
  EXPECT_EQ(CompileCode("Questionnaire.item.item.linkId"), "ok");
  EXPECT_EQ(CompileCode("Patient.contact.name.family"), "ok");
}

TEST(CheckerTest, ContextTypeChecksTermLevelPaths) {
  EXPECT_EQ(CompileCode("name.given", "Patient"), "ok");
  EXPECT_EQ(CompileCode("name.given1", "Patient"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("name.where(use = 'official').given", "Patient"), "ok");
  EXPECT_EQ(CompileCode("name.where(usee = 'official')", "Patient"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("name", "NoSuchType"), "fhirpath.semantic");
  // Without a context, nothing is known about term-level names.
  EXPECT_EQ(CompileCode("anything.at.all"), "ok");
}

TEST(CheckerTest, AbstractResourceTypesDoNotRejectPaths) {
  EXPECT_EQ(CompileCode("Bundle.entry.resource.code"), "ok");
  EXPECT_EQ(CompileCode("Bundle.entry.resource.ofType(Observation).code.coding"), "ok");
  EXPECT_EQ(CompileCode("Bundle.entry.resource.ofType(Observation).codee"), "fhirpath.semantic");
}

TEST(CheckerTest, StringFunctionsNeedStringInputWhenKnown) {
  EXPECT_EQ(CompileCode("Appointment.identifier.startsWith('a')"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("Appointment.identifier.value.startsWith('a')"), "ok");
  EXPECT_EQ(CompileCode("Patient.gender.startsWith('a')"), "ok");  // code is a string
}

TEST(CheckerTest, IifCriterionAndDateArithmetic) {
  EXPECT_EQ(CompileCode("iif('text', 1, 2)"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("iif(1 | 2, 1, 2)"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("iif(true, 1, 2)"), "ok");
  EXPECT_EQ(CompileCode("@1974-12-25 + 7"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("@1974-12-25 + 7 days"), "ok");
}

TEST(CheckerTest, OrderedFunctionsOnUnorderedResultsWhenAsked) {
  CompileOptions options;
  options.check_ordered_functions = true;
  auto code = [&](std::string_view text) {
    auto compiled = Expression::Compile(text, options);
    return compiled ? std::string("ok") : compiled.error().code();
  };
  EXPECT_EQ(code("Patient.children().skip(1)"), "fhirpath.semantic");
  EXPECT_EQ(code("Patient.descendants().where(true).first()"), "fhirpath.semantic");
  EXPECT_EQ(code("Patient.children()[0]"), "fhirpath.semantic");
  EXPECT_EQ(code("Patient.name.skip(1)"), "ok");
  EXPECT_EQ(code("Patient.children().count()"), "ok");
  EXPECT_EQ(CompileCode("Patient.children().skip(1)"), "ok");  // off by default
}

TEST(CheckerTest, InvalidLiteralRegexIsSemantic) {
  EXPECT_EQ(CompileCode("'a'.matches('(')"), "fhirpath.semantic");
  EXPECT_EQ(CompileCode("'a'.matches('[a-z]+')"), "ok");
}

// The search-parameter indexer compiles every SearchParameter expression of the model; all of
// them must pass the checker (expressions may cover several bases joined with |).
TEST(CheckerTest, EverySearchParameterExpressionCompiles) {
  int compiled = 0;
  for (const SearchParamInfo& param : AllSearchParams()) {
    if (param.expression().empty()) continue;
    auto expr = Expression::Compile(param.expression());
    EXPECT_TRUE(expr.has_value()) << param.code() << ": " << param.expression() << ": "
                                  << (expr ? "" : expr.error().message());
    ++compiled;
  }
  EXPECT_GT(compiled, 1000);
}

}  // namespace
}  // namespace chartroom::fhir::fhirpath
