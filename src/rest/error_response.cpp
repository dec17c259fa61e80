// The single table that turns an Error into an HTTP status with a FHIR OperationOutcome body.
// The switch over ErrorCategory has no default case, so a new category breaks the build
// (-Werror=switch) until it is mapped here.

#include "rest/error_response.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <boost/json/serialize.hpp>

namespace chartroom::rest {
namespace {

using fhir::IssueType;

constexpr HttpMapping CategoryMapping(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kInvalid:
      return {400, IssueType::kInvalid};
    case ErrorCategory::kNotFound:
      return {404, IssueType::kNotFound};
    case ErrorCategory::kGone:
      return {410, IssueType::kDeleted};
    case ErrorCategory::kConflict:
      return {409, IssueType::kConflict};
    case ErrorCategory::kPrecondition:
      return {412, IssueType::kConflict};
    case ErrorCategory::kUnauthenticated:
      return {401, IssueType::kLogin};
    case ErrorCategory::kForbidden:
      return {403, IssueType::kForbidden};
    case ErrorCategory::kUnsupported:
      return {422, IssueType::kNotSupported};
    case ErrorCategory::kBusy:
      return {429, IssueType::kThrottled};
    case ErrorCategory::kUnavailable:
      return {503, IssueType::kTransient};
    case ErrorCategory::kInternal:
      return {500, IssueType::kException};
  }
  return {500, IssueType::kException};  // not reached: every category is handled above
}

// Protocol errors HTTP names more precisely than a category can; each keeps its category too
// (the CLI and logs see that).
struct CodeMapping {
  std::string_view code;
  HttpMapping mapping;
};
constexpr std::array<CodeMapping, 9> kCodeMappings = {{
    {"rest.method-not-allowed", {405, IssueType::kNotSupported}},      // kUnsupported
    {"rest.not-acceptable", {406, IssueType::kNotSupported}},          // kUnsupported
    {"rest.body-too-large", {413, IssueType::kTooLong}},               // kInvalid
    {"rest.unsupported-media-type", {415, IssueType::kNotSupported}},  // kUnsupported
    {"rest.patch-failed", {422, IssueType::kProcessing}},              // kInvalid
    {"rest.patch-result-invalid", {422, IssueType::kInvalid}},         // kInvalid
    {"rest.multiple-matches", {412, IssueType::kMultipleMatches}},     // kPrecondition
    {"rest.duplicate-target", {400, IssueType::kDuplicate}},           // kInvalid
    {"coding.edits-failed", {422, IssueType::kBusinessRule}},          // kInvalid
}};

}  // namespace

fhir::Issue MakeIssue(fhir::IssueSeverity severity, fhir::IssueType type, std::string code,
                      std::string diagnostics) {
  fhir::Issue issue;
  issue.severity = severity;
  issue.code = type;
  issue.details_code = std::move(code);
  issue.diagnostics = std::move(diagnostics);
  return issue;
}

HttpMapping MappingFor(const Error& error) {
  for (const CodeMapping& m : kCodeMappings) {
    if (m.code == error.code()) return m.mapping;
  }
  return CategoryMapping(error.category());
}

Reply ErrorReply(const Error& error) {
  const HttpMapping mapping = MappingFor(error);
  fhir::OperationOutcome outcome;
  const bool internal = error.category() == ErrorCategory::kInternal;
  outcome.AddIssue(
      MakeIssue(internal ? fhir::IssueSeverity::kFatal : fhir::IssueSeverity::kError, mapping.issue,
                error.code(),
                internal ? "internal error; the server log has the details under this request's "
                           "X-Request-Id"
                         : error.message()));
  Reply reply = OutcomeReply(mapping.status, outcome, error.code());
  if (internal) reply.log_detail = error.message();
  // RFC 7235 section 3.1 and RFC 6750 section 3: a 401 names the scheme it wants.
  if (mapping.status == 401) {
    reply.headers.push_back({"WWW-Authenticate", "Bearer realm=\"chartroom\""});
  }
  return reply;
}

Reply OutcomeReply(int status, const fhir::OperationOutcome& outcome, std::string code) {
  Reply reply;
  reply.status = status;
  reply.kind = BodyKind::kOutcome;
  reply.body = boost::json::serialize(fhir::ToJson(outcome));
  reply.error_code = std::move(code);
  return reply;
}

}  // namespace chartroom::rest
