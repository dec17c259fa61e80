// _summary and _elements (https://hl7.org/fhir/R4/search.html#summary, #elements).

#include "rest/subset.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace chartroom::rest {
namespace {

using fhir::search::Handling;
using fhir::search::SummaryMode;

constexpr std::string_view kObservation = R"({"resourceType":"Observation","id":"o1",
  "meta":{"versionId":"2"},"text":{"status":"generated","div":"<div>x</div>"},
  "status":"final","code":{"text":"c"},"subject":{"reference":"Patient/p1"},
  "note":[{"text":"n"}],"valueString":"v","_valueString":{"id":"x"},
  "component":[{"code":{"text":"k"},"valueString":"w","interpretation":[{"text":"i"}]}]})";

boost::json::object Subset(std::string_view json, Subsetting s) {
  return boost::json::parse(SubsetJson(json, s)).as_object();
}

TEST(SubsetTest, SummaryTrueKeepsSummaryElementsAndLooksIntoBackbones) {
  auto o = Subset(kObservation, {SummaryMode::kTrue, {}});
  EXPECT_TRUE(o.contains("status"));
  EXPECT_TRUE(o.contains("code"));
  EXPECT_TRUE(o.contains("subject"));
  EXPECT_TRUE(o.contains("valueString"));
  EXPECT_TRUE(o.contains("_valueString"));  // follows its primitive
  EXPECT_FALSE(o.contains("text"));
  EXPECT_FALSE(o.contains("note"));
  const auto& component = o.at("component").as_array().at(0).as_object();
  EXPECT_TRUE(component.contains("code"));
  EXPECT_TRUE(component.contains("valueString"));
  EXPECT_FALSE(component.contains("interpretation"));  // not a summary element of component
  EXPECT_EQ(o.at("meta").at("tag").at(0).at("code"), "SUBSETTED");
  EXPECT_EQ(o.at("meta").at("versionId"), "2");
}

TEST(SubsetTest, TextDataAndElementsModes) {
  auto text = Subset(kObservation, {SummaryMode::kText, {}});
  EXPECT_TRUE(text.contains("text"));
  EXPECT_TRUE(text.contains("status"));  // mandatory
  EXPECT_TRUE(text.contains("code"));    // mandatory
  EXPECT_FALSE(text.contains("subject"));

  auto data = Subset(kObservation, {SummaryMode::kData, {}});
  EXPECT_FALSE(data.contains("text"));
  EXPECT_TRUE(data.contains("note"));

  auto elements = Subset(kObservation, {SummaryMode::kFalse, {"subject", "value"}});
  EXPECT_TRUE(elements.contains("subject"));
  EXPECT_TRUE(elements.contains("valueString"));  // the stem names the choice element
  EXPECT_TRUE(elements.contains("status"));       // mandatory
  EXPECT_FALSE(elements.contains("note"));
  EXPECT_FALSE(elements.contains("text"));
  EXPECT_TRUE(elements.contains("id"));
}

TEST(SubsetTest, NoSubsettingLeavesTheResourceAlone) {
  Subsetting none;
  EXPECT_FALSE(none.active());
  EXPECT_FALSE((Subsetting{SummaryMode::kCount, {}}.active()));
  auto o = Subset(kObservation, none);
  EXPECT_TRUE(o.contains("note"));
  EXPECT_FALSE(o.at("meta").as_object().contains("tag"));
}

TEST(SubsetTest, ReadParametersAreCheckedAgainstTheType) {
  auto ok = ParseReadParameters("Patient", "_summary=true&_format=json", Handling::kLenient);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->summary, SummaryMode::kTrue);
  auto elements = ParseReadParameters("Patient", "_elements=name,birthDate", Handling::kStrict);
  ASSERT_TRUE(elements.has_value());
  EXPECT_EQ(elements->elements, (std::vector<std::string>{"name", "birthDate"}));
  EXPECT_EQ(ParseReadParameters("Patient", "_elements=nope", Handling::kLenient).error().code(),
            "rest.bad-parameter");
  EXPECT_EQ(ParseReadParameters("Patient", "_summary=count", Handling::kLenient).error().code(),
            "rest.bad-parameter");
  EXPECT_TRUE(ParseReadParameters("Patient", "other=1", Handling::kLenient).has_value());
  EXPECT_EQ(ParseReadParameters("Patient", "other=1", Handling::kStrict).error().code(),
            "rest.unknown-parameter");
  EXPECT_EQ(ParseReadParameters("Patient", "_summary=%zz", Handling::kLenient).error().code(),
            "rest.bad-encoding");
}

}  // namespace
}  // namespace chartroom::rest
