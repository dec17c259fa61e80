// Checking and decoding text that arrives from outside (query strings, search values) before
// it is compared or stored: UTF-8 well-formedness and percent-decoding.
//
// Thread safety: pure functions.

#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chartroom::core {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// beyond U+10FFFF, no truncated sequence.
bool IsValidUtf8(std::string_view text);

// Percent-decodes a query-string component, '+' as a space (application/x-www-form-urlencoded),
// and checks that the result is UTF-8. kInvalid "core.bad-escape" for a malformed %-escape,
// "core.bad-utf8" when the decoded bytes are not UTF-8.
Result<std::string> PercentDecode(std::string_view text);

// Percent-encodes everything but RFC 3986's unreserved characters (section 2.3): safe in any
// query component or path segment.
std::string PercentEncode(std::string_view text);

}  // namespace chartroom::core
