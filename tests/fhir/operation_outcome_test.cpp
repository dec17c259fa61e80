#include "fhir/operation_outcome.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include <boost/json/serialize.hpp>

namespace chartroom::fhir {
namespace {

Issue MakeIssue(IssueSeverity severity, std::string code) {
  Issue issue;
  issue.severity = severity;
  issue.code = IssueType::kStructure;
  issue.details_code = std::move(code);
  issue.diagnostics = "d";
  return issue;
}

TEST(OperationOutcomeTest, EmptyOutcomeIsWrittenWithOneInformationIssue) {
  const boost::json::value json = ToJson(OperationOutcome());
  EXPECT_EQ(json.at("resourceType").as_string(), "OperationOutcome");
  const boost::json::array& issues = json.at("issue").as_array();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].at("severity").as_string(), "information");
  EXPECT_EQ(issues[0].at("code").as_string(), "informational");
  EXPECT_EQ(issues[0].at("details").at("coding").at(0).at("code").as_string(), "fhir.valid");
}

TEST(OperationOutcomeTest, IssuesCarryCodesDetailsExpressionAndLocation) {
  OperationOutcome outcome;
  Issue issue = MakeIssue(IssueSeverity::kError, "fhir.unknown-element");
  issue.code = IssueType::kCodeInvalid;
  issue.expression = "Patient.name[0].given[1]";
  outcome.AddIssue(issue);
  Issue syntax = MakeIssue(IssueSeverity::kFatal, "fhir.json-syntax");
  syntax.line = 3;
  syntax.column = 7;
  outcome.AddIssue(syntax);
  EXPECT_EQ(boost::json::serialize(ToJson(outcome)),
            R"({"resourceType":"OperationOutcome","issue":[)"
            R"({"severity":"error","code":"code-invalid","details":{"coding":[{"system":)"
            R"("https://chartroom.dev/CodeSystem/validation","code":"fhir.unknown-element"}]},)"
            R"("diagnostics":"d","expression":["Patient.name[0].given[1]"]},)"
            R"({"severity":"fatal","code":"structure","details":{"coding":[{"system":)"
            R"("https://chartroom.dev/CodeSystem/validation","code":"fhir.json-syntax"}]},)"
            R"("diagnostics":"d","location":["line 3, column 7"]}]})");
}

TEST(OperationOutcomeTest, OnlyErrorsAndFatalsCountAsErrors) {
  OperationOutcome outcome;
  outcome.AddIssue(MakeIssue(IssueSeverity::kWarning, "w"));
  outcome.AddIssue(MakeIssue(IssueSeverity::kInformation, "i"));
  EXPECT_FALSE(outcome.HasErrors());
  OperationOutcome more;
  more.AddIssue(MakeIssue(IssueSeverity::kError, "e"));
  more.AddIssue(MakeIssue(IssueSeverity::kFatal, "f"));
  outcome.Append(more);
  EXPECT_TRUE(outcome.HasErrors());
  EXPECT_EQ(outcome.ErrorCount(), 2u);
  EXPECT_EQ(outcome.issues().size(), 4u);
  EXPECT_EQ(outcome.issues()[3].details_code, "f");
}

TEST(OperationOutcomeTest, EveryIssueTypeHasItsOwnR4Code) {
  std::set<std::string_view> codes;
  for (int t = 0; t <= static_cast<int>(IssueType::kInformational); ++t) {
    codes.insert(IssueTypeCode(static_cast<IssueType>(t)));
  }
  EXPECT_EQ(codes.size(), 31u);  // https://hl7.org/fhir/R4/valueset-issue-type.html
  EXPECT_EQ(IssueTypeCode(IssueType::kNotSupported), "not-supported");
  EXPECT_EQ(IssueTypeCode(IssueType::kMultipleMatches), "multiple-matches");
}

}  // namespace
}  // namespace chartroom::fhir
