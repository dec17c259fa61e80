// OperationOutcome is the FHIR R4 resource that reports what went wrong (or right) with a request
// or a document: a list of issues, each with a severity, an IssueType code, a stable Chartroom
// code, a human-readable diagnostics line and the FHIRPath location of the problem
// (https://hl7.org/fhir/R4/operationoutcome.html). Validation returns one; the REST layer turns
// every Error into one.
//
// Plain value types: copy and share them freely; all functions are pure and thread-safe.
// Diagnostics never contain PHI: they name elements and types, never the values of a record.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace chartroom::fhir {

// https://hl7.org/fhir/R4/valueset-issue-severity.html
enum class IssueSeverity : std::uint8_t {
  kFatal,
  kError,
  kWarning,
  kInformation,
};

// https://hl7.org/fhir/R4/valueset-issue-type.html (the codes in the order the spec lists them).
enum class IssueType : std::uint8_t {
  kInvalid,
  kStructure,
  kRequired,
  kValue,
  kInvariant,
  kSecurity,
  kLogin,
  kUnknown,
  kExpired,
  kForbidden,
  kSuppressed,
  kProcessing,
  kNotSupported,
  kDuplicate,
  kMultipleMatches,
  kNotFound,
  kDeleted,
  kTooLong,
  kCodeInvalid,
  kExtension,
  kTooCostly,
  kBusinessRule,
  kConflict,
  kTransient,
  kLockError,
  kNoStore,
  kException,
  kTimeout,
  kIncomplete,
  kThrottled,
  kInformational,
};

// The FHIR codes, e.g. "error" and "code-invalid".
std::string_view IssueSeverityCode(IssueSeverity severity);
std::string_view IssueTypeCode(IssueType type);

// The code system of Chartroom's stable issue codes, carried in issue.details.coding.
inline constexpr std::string_view kChartroomIssueSystem =
    "https://chartroom.dev/CodeSystem/validation";

struct Issue {
  IssueSeverity severity = IssueSeverity::kError;
  IssueType code = IssueType::kInvalid;
  // Stable Chartroom code such as "fhir.unknown-element"; clients and tests match on it.
  std::string details_code;
  // One sentence for humans; never contains PHI. May change wording at any time.
  std::string diagnostics;
  // FHIRPath location, e.g. "Patient.name[0].given[1]"; empty when the issue has no location
  // inside the document (a JSON syntax error, an unreadable file).
  std::string expression;
  // 1-based position in the JSON text, when known (syntax errors).
  std::optional<std::uint32_t> line;
  std::optional<std::uint32_t> column;
};

class OperationOutcome {
 public:
  void AddIssue(Issue issue) { issues_.push_back(std::move(issue)); }
  // Appends every issue of `other`, in order.
  void Append(const OperationOutcome& other);

  const std::vector<Issue>& issues() const { return issues_; }
  bool empty() const { return issues_.empty(); }
  // True if any issue is fatal or an error; warnings and information do not count.
  bool HasErrors() const;
  std::size_t ErrorCount() const;

 private:
  std::vector<Issue> issues_;
};

// The FHIR R4 JSON form. OperationOutcome.issue is 1..*, so an outcome without issues is written
// with one `information` issue (details code "fhir.valid") that says so.
boost::json::value ToJson(const OperationOutcome& outcome);

}  // namespace chartroom::fhir
