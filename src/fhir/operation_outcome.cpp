#include "fhir/operation_outcome.hpp"

#include <algorithm>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace chartroom::fhir {

std::string_view IssueSeverityCode(IssueSeverity severity) {
  switch (severity) {
    case IssueSeverity::kFatal:
      return "fatal";
    case IssueSeverity::kError:
      return "error";
    case IssueSeverity::kWarning:
      return "warning";
    case IssueSeverity::kInformation:
      return "information";
  }
  return "error";
}

std::string_view IssueTypeCode(IssueType type) {
  switch (type) {
    case IssueType::kInvalid:
      return "invalid";
    case IssueType::kStructure:
      return "structure";
    case IssueType::kRequired:
      return "required";
    case IssueType::kValue:
      return "value";
    case IssueType::kInvariant:
      return "invariant";
    case IssueType::kSecurity:
      return "security";
    case IssueType::kLogin:
      return "login";
    case IssueType::kUnknown:
      return "unknown";
    case IssueType::kExpired:
      return "expired";
    case IssueType::kForbidden:
      return "forbidden";
    case IssueType::kSuppressed:
      return "suppressed";
    case IssueType::kProcessing:
      return "processing";
    case IssueType::kNotSupported:
      return "not-supported";
    case IssueType::kDuplicate:
      return "duplicate";
    case IssueType::kMultipleMatches:
      return "multiple-matches";
    case IssueType::kNotFound:
      return "not-found";
    case IssueType::kDeleted:
      return "deleted";
    case IssueType::kTooLong:
      return "too-long";
    case IssueType::kCodeInvalid:
      return "code-invalid";
    case IssueType::kExtension:
      return "extension";
    case IssueType::kTooCostly:
      return "too-costly";
    case IssueType::kBusinessRule:
      return "business-rule";
    case IssueType::kConflict:
      return "conflict";
    case IssueType::kTransient:
      return "transient";
    case IssueType::kLockError:
      return "lock-error";
    case IssueType::kNoStore:
      return "no-store";
    case IssueType::kException:
      return "exception";
    case IssueType::kTimeout:
      return "timeout";
    case IssueType::kIncomplete:
      return "incomplete";
    case IssueType::kThrottled:
      return "throttled";
    case IssueType::kInformational:
      return "informational";
  }
  return "invalid";
}

void OperationOutcome::Append(const OperationOutcome& other) {
  issues_.insert(issues_.end(), other.issues_.begin(), other.issues_.end());
}

bool OperationOutcome::HasErrors() const { return ErrorCount() > 0; }

std::size_t OperationOutcome::ErrorCount() const {
  return static_cast<std::size_t>(std::count_if(issues_.begin(), issues_.end(), [](const Issue& i) {
    return i.severity == IssueSeverity::kFatal || i.severity == IssueSeverity::kError;
  }));
}

namespace {

boost::json::object IssueToJson(const Issue& issue) {
  boost::json::object out;
  out["severity"] = IssueSeverityCode(issue.severity);
  out["code"] = IssueTypeCode(issue.code);
  if (!issue.details_code.empty()) {
    boost::json::object coding;
    coding["system"] = kChartroomIssueSystem;
    coding["code"] = issue.details_code;
    boost::json::object details;
    details["coding"] = boost::json::array{std::move(coding)};
    out["details"] = std::move(details);
  }
  if (!issue.diagnostics.empty()) out["diagnostics"] = issue.diagnostics;
  if (issue.line) {
    // OperationOutcome.issue.location is a free-form string in R4; the text position of a
    // syntax error is the one location a JSON document without a valid tree can have.
    std::string where = "line " + std::to_string(*issue.line);
    if (issue.column) where += ", column " + std::to_string(*issue.column);
    out["location"] = boost::json::array{boost::json::string(where)};
  }
  if (!issue.expression.empty()) out["expression"] = boost::json::array{issue.expression};
  return out;
}

}  // namespace

boost::json::value ToJson(const OperationOutcome& outcome) {
  boost::json::object out;
  out["resourceType"] = "OperationOutcome";
  boost::json::array issues;
  issues.reserve(std::max<std::size_t>(1, outcome.issues().size()));
  for (const Issue& issue : outcome.issues()) issues.push_back(IssueToJson(issue));
  if (issues.empty()) {
    Issue none;
    none.severity = IssueSeverity::kInformation;
    none.code = IssueType::kInformational;
    none.details_code = "fhir.valid";
    none.diagnostics = "No issues found";
    issues.push_back(IssueToJson(none));
  }
  out["issue"] = std::move(issues);
  return out;
}

}  // namespace chartroom::fhir
