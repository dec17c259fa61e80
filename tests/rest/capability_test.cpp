// The CapabilityStatement follows the model and the extractor's skipped parameters.

#include "rest/capability.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "fhir/model/model.hpp"
#include "fhir/validation/validator.hpp"

namespace chartroom::rest {
namespace {

const boost::json::object* Resource(const boost::json::value& statement, std::string_view type) {
  for (const auto& r : statement.at("rest").at(0).at("resource").as_array()) {
    if (r.at("type").as_string() == type) return &r.as_object();
  }
  return nullptr;
}

bool HasParam(const boost::json::object& resource, std::string_view name) {
  for (const auto& p : resource.at("searchParam").as_array()) {
    if (p.at("name").as_string() == name) return true;
  }
  return false;
}

TEST(CapabilityTest, IsAValidStatementThatLeavesOutSkippedParameters) {
  const fhir::SearchParamInfo* family = fhir::FindSearchParam("Patient", "family");
  ASSERT_NE(family, nullptr);
  const fhir::search::SkippedParam skipped[] = {{family, "for the test"}};
  const boost::json::value statement =
      boost::json::parse(BuildCapabilityStatement(skipped, core::Timestamp()));
  EXPECT_TRUE(fhir::Validate(statement).empty())
      << boost::json::serialize(fhir::ToJson(fhir::Validate(statement))).substr(0, 2000);
  const auto* patient = Resource(statement, "Patient");
  ASSERT_NE(patient, nullptr);
  EXPECT_FALSE(HasParam(*patient, "family"));
  EXPECT_TRUE(HasParam(*patient, "given"));

  const boost::json::value full =
      boost::json::parse(BuildCapabilityStatement({}, core::Timestamp()));
  EXPECT_TRUE(HasParam(*Resource(full, "Patient"), "family"));
}

}  // namespace
}  // namespace chartroom::rest
