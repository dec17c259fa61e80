// The name=value pairs of a URL query string or an application/x-www-form-urlencoded body
// (https://url.spec.whatwg.org/#urlencoded-parsing), for the interactions whose parameters are
// not a search (read, history, $everything). Searches go through
// fhir::search::ParseSearchQuery instead.
//
// Pure functions; thread-safe.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chartroom::rest {

struct QueryParam {
  std::string name;
  std::string value;
};

// Splits `query` on '&' and '=' and percent-decodes both parts ('+' is a space). Empty pairs
// are skipped. kInvalid ("rest.bad-encoding") for malformed %-escapes or invalid UTF-8.
Result<std::vector<QueryParam>> ParseQueryParams(std::string_view query);

}  // namespace chartroom::rest
