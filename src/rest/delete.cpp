// delete and conditional delete (https://hl7.org/fhir/R4/http.html#delete, #3.1.0.7.1). A
// delete appends a deletion version; deleting what is already deleted, or was never there,
// changes nothing and still answers 204 (delete is idempotent). Conditional delete removes
// the one match; several matches fail with 412 (conditionalDelete = single).

#include "core/result_macros.hpp"
#include "rest/interactions.hpp"
#include "rest/write_common.hpp"

namespace chartroom::rest {
namespace {

// Deletes type/id; nullopt when there was nothing to delete.
Result<std::optional<store::ResourceVersion>> DeleteOne(store::Transaction& tx,
                                                        std::string_view type, std::string_view id,
                                                        std::optional<std::int64_t> expected) {
  auto deleted = tx.Delete(type, id, expected);
  if (!deleted) {
    if (deleted.error().category() == ErrorCategory::kNotFound && !expected) {
      return std::optional<store::ResourceVersion>();
    }
    return tl::unexpected(deleted.error());
  }
  return std::optional<store::ResourceVersion>(std::move(*deleted));
}

Reply DeleteReply(std::optional<store::ResourceVersion>&& deleted, const RequestContext& context,
                  std::string_view type) {
  if (context.preference == ReturnPreference::kOperationOutcome) {
    if (deleted) return VersionReply(200, std::move(*deleted), context.preference, false);
    return InformationReply(200, "there was no " + std::string(type) + " to delete");
  }
  if (!deleted) {
    Reply nothing;
    nothing.status = 204;
    return nothing;
  }
  return VersionReply(204, std::move(*deleted), ReturnPreference::kMinimal, false);
}

}  // namespace

Result<Reply> Delete(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ParseIfMatch(call.if_match));
  std::optional<store::ResourceVersion> deleted;
  CHARTROOM_RETURN_IF_ERROR(session.Write([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(deleted, DeleteOne(tx, call.route.type, call.route.id, expected));
    return Ok();
  }));
  return DeleteReply(std::move(deleted), context, call.route.type);
}

Result<Reply> ConditionalDelete(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_ASSIGN_OR_RETURN(fhir::search::SearchQuery query,
                             ParseConditionalQuery(call.route.type, call.query));
  CHARTROOM_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ParseIfMatch(call.if_match));
  std::optional<store::ResourceVersion> deleted;
  CHARTROOM_RETURN_IF_ERROR(session.Write([&](store::Transaction& tx) -> Status {
    deleted.reset();
    CHARTROOM_ASSIGN_OR_RETURN(std::vector<store::ResourceVersion> matches,
                               ConditionalMatches(tx, query));
    if (matches.size() > 1) {
      return Fail(ErrorCategory::kPrecondition, "rest.multiple-matches",
                  "the criteria match more than one " + std::string(call.route.type));
    }
    if (matches.empty()) return Ok();
    CHARTROOM_ASSIGN_OR_RETURN(deleted,
                               DeleteOne(tx, matches.front().type, matches.front().id, expected));
    return Ok();
  }));
  return DeleteReply(std::move(deleted), context, call.route.type);
}

}  // namespace chartroom::rest
