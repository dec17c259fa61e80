// Checks shared by the interactions that write (create, update, patch, delete). Internal to
// rest/.

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "rest/interactions.hpp"

namespace chartroom::rest {

// The body of a create or update is there and is a resource of the URL's type. kInvalid:
// "rest.missing-body", "rest.type-mismatch".
Status CheckBodyType(const Call& call);

// The version an If-Match header asks for; nullopt when there is none. kInvalid
// ("rest.bad-etag") when it is not W/"n".
Result<std::optional<std::int64_t>> ParseIfMatch(std::string_view value);

// The search part of an If-None-Exist value or a conditional URL: drops a leading "Type?" or
// "?" (clients write either).
std::string_view ConditionalCriteria(std::string_view value);

}  // namespace chartroom::rest
