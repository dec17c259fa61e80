// create and conditional create (https://hl7.org/fhir/R4/http.html#create, #ccreate): the
// server assigns the id; with If-None-Exist, no match creates, one match answers 200 with the
// existing resource and writes nothing, several matches fail with 412.

#include "core/result_macros.hpp"
#include "rest/interactions.hpp"
#include "rest/write_common.hpp"

namespace chartroom::rest {

Result<Reply> Create(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_RETURN_IF_ERROR(CheckBodyType(call));
  std::optional<fhir::search::SearchQuery> condition;
  if (!call.if_none_exist.empty()) {
    CHARTROOM_ASSIGN_OR_RETURN(
        condition, ParseConditionalQuery(call.route.type, ConditionalCriteria(call.if_none_exist)));
  }
  PendingWrite pending(session, context, *call.resource, call.numbers);
  CHARTROOM_RETURN_IF_ERROR(pending.status());
  store::ResourceVersion result;
  bool created = false;
  CHARTROOM_RETURN_IF_ERROR(session.Write([&](store::Transaction& tx) -> Status {
    created = false;
    if (condition) {
      CHARTROOM_ASSIGN_OR_RETURN(std::vector<store::ResourceVersion> matches,
                                 ConditionalMatches(tx, *condition));
      if (matches.size() > 1) {
        return Fail(ErrorCategory::kPrecondition, "rest.multiple-matches",
                    "If-None-Exist matches more than one " + std::string(call.route.type));
      }
      if (matches.size() == 1) {
        result = std::move(matches.front());
        return Ok();
      }
    }
    CHARTROOM_ASSIGN_OR_RETURN(result, pending.Create(tx));
    created = true;
    return Ok();
  }));
  return VersionReply(created ? 201 : 200, std::move(result), context.preference, created);
}

}  // namespace chartroom::rest
