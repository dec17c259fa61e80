#include "core/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace chartroom {

std::string_view CategoryName(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::kInvalid:
      return "invalid";
    case ErrorCategory::kNotFound:
      return "not-found";
    case ErrorCategory::kGone:
      return "gone";
    case ErrorCategory::kConflict:
      return "conflict";
    case ErrorCategory::kPrecondition:
      return "precondition";
    case ErrorCategory::kUnauthenticated:
      return "unauthenticated";
    case ErrorCategory::kForbidden:
      return "forbidden";
    case ErrorCategory::kUnsupported:
      return "unsupported";
    case ErrorCategory::kBusy:
      return "busy";
    case ErrorCategory::kUnavailable:
      return "unavailable";
    case ErrorCategory::kInternal:
      return "internal";
  }
  return "internal";
}

namespace internal {
void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}
}  // namespace internal

}  // namespace chartroom
