#include "rest/write_common.hpp"

#include "rest/reply.hpp"

namespace chartroom::rest {

Status CheckBodyType(const Call& call) {
  if (call.resource == nullptr) {
    return Fail(ErrorCategory::kInvalid, "rest.missing-body",
                "this interaction needs a resource in the request body");
  }
  const boost::json::value* type = call.resource->if_contains("resourceType");
  if (type == nullptr || !type->is_string() || type->get_string() != call.route.type) {
    return Fail(ErrorCategory::kInvalid, "rest.type-mismatch",
                "the resource's resourceType is not the type in the URL (" +
                    std::string(call.route.type) + ")");
  }
  return Ok();
}

Result<std::optional<std::int64_t>> ParseIfMatch(std::string_view value) {
  if (value.empty()) return std::optional<std::int64_t>();
  const auto version = ParseETag(value);
  if (!version) {
    return Fail(ErrorCategory::kInvalid, "rest.bad-etag",
                "If-Match must be a version ETag such as W/\"3\"");
  }
  return std::optional<std::int64_t>(*version);
}

std::string_view ConditionalCriteria(std::string_view value) {
  const std::size_t q = value.find('?');
  if (q != std::string_view::npos && value.substr(0, q).find('=') == std::string_view::npos) {
    value.remove_prefix(q + 1);
  }
  return value;
}

}  // namespace chartroom::rest
