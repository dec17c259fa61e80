// Error is what a function returns when something *expected* goes wrong: input that fails
// validation, a record that is not there, a stale version, a disclosure that policy refuses.
// Bugs are not Errors; they trip CHARTROOM_CHECK. Error is an immutable value type, safe to copy
// and to share between threads.
//
// Each ErrorCategory maps to exactly one HTTP status, one OperationOutcome issue code and one CLI
// exit code; those tables live at the edges (rest/, cli/), never in the modules that fail.

#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace chartroom {

enum class ErrorCategory {
  kInvalid,          // malformed input or failed validation
  kNotFound,         // no such resource, identifier, file or job
  kGone,             // existed, but was deleted or purged by retention
  kConflict,         // duplicate identifier, record under legal hold, ...
  kPrecondition,     // If-Match or conditional-operation check failed
  kUnauthenticated,  // no credentials, or ones that are malformed, expired, revoked or forged
  kForbidden,        // authenticated, but policy or consent says no
  kUnsupported,      // valid input we deliberately do not implement
  kBusy,             // transient contention; the caller may retry
  kUnavailable,      // a dependency (database, file system) is down or unreadable
  kInternal,         // our fault; never caused by the caller
};

// Stable lower-case name of a category, e.g. "not-found"; used in logs and JSON.
std::string_view CategoryName(ErrorCategory category);

class Error {
 public:
  Error(ErrorCategory category, std::string code, std::string message)
      : category_(category), code_(std::move(code)), message_(std::move(message)) {}

  ErrorCategory category() const { return category_; }

  // Stable dotted identifier, e.g. "fhirpath.syntax". Tests and clients match on this; the
  // wording of message() may change at any time.
  const std::string& code() const { return code_; }

  // One sentence for humans. It may be logged, so it never contains PHI: records are named by
  // resource type and id, never by patient name, MRN or birth date.
  const std::string& message() const { return message_; }

 private:
  ErrorCategory category_;
  std::string code_;
  std::string message_;
};

// Result<T> holds either a T or an Error. Status is Result<void>.
template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

// Reads as prose at the call site: return Fail(ErrorCategory::kGone, "store.deleted", "...");
inline tl::unexpected<Error> Fail(ErrorCategory category, std::string code, std::string message) {
  return tl::unexpected<Error>(Error(category, std::move(code), std::move(message)));
}

inline Status Ok() { return {}; }

}  // namespace chartroom

// Programmer-error checks: always on, fatal. Never used on user input.
#define CHARTROOM_CHECK(cond)                                                   \
  do {                                                                          \
    if (!(cond)) ::chartroom::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (false)

namespace chartroom::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace chartroom::internal
