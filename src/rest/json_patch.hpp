// JSON Patch (RFC 6902) over Boost.JSON values, with JSON Pointer paths (RFC 6901): the patch
// format of FHIR's PATCH interaction (https://hl7.org/fhir/R4/http.html#patch).
//
// Pure functions; thread-safe.

#pragma once

#include <boost/json/value.hpp>

#include "core/error.hpp"

namespace chartroom::rest {

// Applies `patch` (an array of operations: add, remove, replace, move, copy, test) to `target`
// in order. On failure `target` may be partly changed; callers patch a copy. Errors (kInvalid;
// messages name operations and pointers, never values):
//   rest.bad-patch     the document is not a well-formed JSON Patch (not an array of objects, an
//                      unknown op, a missing member, a malformed pointer);
//   rest.patch-failed  an operation cannot be applied (its path does not exist, an array index
//                      is out of range, a test is not equal, a move into its own child).
Status ApplyJsonPatch(boost::json::value& target, const boost::json::value& patch);

// JSON equality as RFC 6902 section 4.6 defines it for "test": numbers by value (1 == 1.0),
// objects regardless of member order.
bool JsonEqual(const boost::json::value& a, const boost::json::value& b);

}  // namespace chartroom::rest
