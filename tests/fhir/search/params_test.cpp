#include "fhir/search/params.hpp"

#include <gtest/gtest.h>

namespace chartroom::fhir::search {
namespace {

bool Single(std::string_view type, std::string_view code) {
  const SearchParamInfo* param = FindSearchParam(type, code);
  const TypeInfo* info = FindResourceType(type);
  EXPECT_NE(param, nullptr) << type << "." << code;
  EXPECT_NE(info, nullptr) << type;
  return param != nullptr && info != nullptr && SingleValued(*param, *info);
}

TEST(ParamsTest, SingleValuedFollowsTheCardinalityOfTheExpressionsPath) {
  EXPECT_TRUE(Single("Encounter", "date"));        // Encounter.period
  EXPECT_TRUE(Single("Patient", "birthdate"));     // Patient.birthDate
  EXPECT_TRUE(Single("Observation", "date"));      // Observation.effective (a choice)
  EXPECT_TRUE(Single("Condition", "onset-date"));  // casts of Condition.onset
  EXPECT_TRUE(Single("MedicationRequest", "authoredon"));
  EXPECT_FALSE(Single("Patient", "name"));                     // Patient.name repeats
  EXPECT_FALSE(Single("Patient", "given"));                    // Patient.name.given
  EXPECT_FALSE(Single("Observation", "code-value-quantity"));  // a composite, no path
  EXPECT_FALSE(Single("Observation", "component-code"));       // Observation.component repeats
}

TEST(ParamsTest, SplitUnionKeepsParenthesesAndLiteralsWhole) {
  EXPECT_EQ(SplitUnion("A.b | (C.d | E.f) | G.where(h = '|')"),
            (std::vector<std::string_view>{"A.b", "(C.d | E.f)", "G.where(h = '|')"}));
}

}  // namespace
}  // namespace chartroom::fhir::search
