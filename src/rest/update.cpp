// update and conditional update (https://hl7.org/fhir/R4/http.html#update, #cond-update):
// the body's id must be the URL's; If-Match makes it a version-aware update (412 when stale);
// an id that does not exist (or was deleted) is created (update as create, 201).

#include "core/result_macros.hpp"
#include "rest/interactions.hpp"
#include "rest/write_common.hpp"

namespace chartroom::rest {
namespace {

// The id in the body, or empty when there is none.
std::string_view BodyId(const boost::json::object& resource) {
  const boost::json::value* id = resource.if_contains("id");
  return id != nullptr && id->is_string() ? std::string_view(id->get_string()) : std::string_view();
}

// Writes `resource` as the next version of its id; `created` tells whether there was no
// current version (never written, or deleted).
Result<store::ResourceVersion> WriteVersion(store::Transaction& tx, PendingWrite& resource,
                                            std::string_view type, std::string_view id,
                                            std::optional<std::int64_t> expected, bool& created) {
  auto current = tx.Read(type, id);
  if (!current) {
    const ErrorCategory category = current.error().category();
    if (category != ErrorCategory::kNotFound && category != ErrorCategory::kGone) {
      return tl::unexpected(current.error());
    }
  }
  created = !current.has_value();
  return resource.Update(tx, expected);
}

}  // namespace

Result<Reply> Update(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_RETURN_IF_ERROR(CheckBodyType(call));
  const std::string_view body_id = BodyId(*call.resource);
  if (body_id.empty()) {
    return Fail(ErrorCategory::kInvalid, "rest.id-missing",
                "an update's resource must carry the id of the URL");
  }
  if (body_id != call.route.id) {
    return Fail(ErrorCategory::kInvalid, "rest.id-mismatch",
                "the resource's id is not the id in the URL");
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ParseIfMatch(call.if_match));
  PendingWrite pending(session, context, *call.resource, call.numbers);
  CHARTROOM_RETURN_IF_ERROR(pending.status());
  store::ResourceVersion result;
  bool created = false;
  CHARTROOM_RETURN_IF_ERROR(session.Write([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(
        result, WriteVersion(tx, pending, call.route.type, call.route.id, expected, created));
    return Ok();
  }));
  return VersionReply(created ? 201 : 200, std::move(result), context.preference, created);
}

Result<Reply> ConditionalUpdate(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_RETURN_IF_ERROR(CheckBodyType(call));
  CHARTROOM_ASSIGN_OR_RETURN(fhir::search::SearchQuery query,
                             ParseConditionalQuery(call.route.type, call.query));
  CHARTROOM_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ParseIfMatch(call.if_match));
  const std::string body_id(BodyId(*call.resource));
  store::ResourceVersion result;
  bool created = false;
  CHARTROOM_RETURN_IF_ERROR(session.Write([&](store::Transaction& tx) -> Status {
    created = false;
    CHARTROOM_ASSIGN_OR_RETURN(std::vector<store::ResourceVersion> matches,
                               ConditionalMatches(tx, query));
    if (matches.size() > 1) {
      return Fail(ErrorCategory::kPrecondition, "rest.multiple-matches",
                  "the criteria match more than one " + std::string(call.route.type));
    }
    if (matches.size() == 1) {
      if (!body_id.empty() && body_id != matches.front().id) {
        return Fail(ErrorCategory::kInvalid, "rest.id-mismatch",
                    "the resource's id is not the id of the resource the criteria match");
      }
      boost::json::object resource(*call.resource);
      resource["id"] = matches.front().id;
      CHARTROOM_ASSIGN_OR_RETURN(result, tx.Update(std::move(resource), expected));
      return Ok();
    }
    // No match: create, with the body's id if it has one (update as create).
    if (body_id.empty()) {
      if (expected) {
        return Fail(ErrorCategory::kPrecondition, "store.version-conflict",
                    "If-Match was given, but nothing matches the criteria");
      }
      CHARTROOM_ASSIGN_OR_RETURN(result, tx.Create(boost::json::object(*call.resource)));
      created = true;
      return Ok();
    }
    auto existing = tx.Read(call.route.type, body_id);
    if (existing) {
      return Fail(ErrorCategory::kPrecondition, "rest.conditional-id-exists",
                  "nothing matches the criteria, but the resource's id names an existing " +
                      std::string(call.route.type));
    }
    CHARTROOM_ASSIGN_OR_RETURN(result, tx.Update(boost::json::object(*call.resource), expected));
    created = true;
    return Ok();
  }));
  return VersionReply(created ? 201 : 200, std::move(result), context.preference, created);
}

}  // namespace chartroom::rest
