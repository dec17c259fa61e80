// The one place an Error becomes an HTTP status and an OperationOutcome
// (https://hl7.org/fhir/R4/http.html#Status-Codes). Interactions return Errors and never choose
// a failure status themselves; docs/api/errors.md lists every code and the status it gets.
//
// Pure functions; thread-safe.

#pragma once

#include "core/error.hpp"
#include "fhir/operation_outcome.hpp"
#include "rest/reply.hpp"

namespace chartroom::rest {

struct HttpMapping {
  int status;
  fhir::IssueType issue;  // https://hl7.org/fhir/R4/valueset-issue-type.html
};

// The status and issue type of `error`: by its category, except for the few protocol codes
// whose status HTTP defines more precisely (405, 406, 413, 415, 422 ...).
HttpMapping MappingFor(const Error& error);

// One issue of an OperationOutcome.
fhir::Issue MakeIssue(fhir::IssueSeverity severity, fhir::IssueType type, std::string code,
                      std::string diagnostics);

// An OperationOutcome reply for `error`. Internal errors keep their message out of the body
// (the log has it, under the request id).
Reply ErrorReply(const Error& error);

// A reply carrying `outcome` (e.g. the validator's findings) with `status`; `code` is the
// Chartroom code logged for it.
Reply OutcomeReply(int status, const fhir::OperationOutcome& outcome, std::string code);

}  // namespace chartroom::rest
