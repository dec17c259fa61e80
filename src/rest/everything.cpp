// Patient/[id]/$everything (https://hl7.org/fhir/R4/patient-operation-everything.html): the
// patient and every current resource of its compartment, as a searchset Bundle. Parameters
// _since (instant) and _type (comma-separated resource types). The store answers in one piece,
// so there is no paging: _count is accepted and ignored.

#include "core/result_macros.hpp"
#include "core/text.hpp"
#include "rest/bundle_writer.hpp"
#include "rest/interactions.hpp"
#include "rest/query_params.hpp"
#include "rest/search_bundle.hpp"

#include "fhir/model/model.hpp"

namespace chartroom::rest {

Result<Reply> Everything(Session& session, const RequestContext& context, const Call& call) {
  if (call.route.type != "Patient" || call.route.operation != "everything") {
    return Fail(ErrorCategory::kNotFound, "rest.unknown-operation",
                "the only instance operation is Patient/[id]/$everything");
  }
  std::optional<core::Timestamp> since;
  std::vector<std::string> types;
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryParams(call.query));
  for (const QueryParam& p : params) {
    if (p.name == "_since") {
      auto parsed = core::ParseInstant(p.value);
      if (!parsed) {
        return Fail(ErrorCategory::kInvalid, "rest.bad-parameter",
                    "_since must be an instant with a time zone");
      }
      since = *parsed;
    } else if (p.name == "_type") {
      std::string_view list = p.value;
      while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view type = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (type.empty()) continue;
        if (fhir::FindResourceType(type) == nullptr) {
          return Fail(ErrorCategory::kInvalid, "rest.bad-parameter",
                      "_type names something that is not a resource type");
        }
        types.emplace_back(type);
      }
    } else if (p.name == "_count" || p.name == "_format" || p.name == "_pretty" ||
               p.name == "start" || p.name == "end") {
      continue;
    } else if (context.handling == fhir::search::Handling::kStrict) {
      return Fail(ErrorCategory::kInvalid, "rest.unknown-parameter",
                  "$everything does not take the parameter " + core::PercentEncode(p.name));
    }
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<store::ResourceVersion> versions,
                             session.Everything(call.route.id, types, since));
  BundleWriter writer("searchset", context.request_id, context.now);
  writer.SetTotal(static_cast<std::int64_t>(versions.size()));
  std::string self = ResourceUrl(context, call.route.type, call.route.id) + "/$everything";
  if (!call.query.empty()) self += "?" + call.query;
  writer.AddLink("self", self);
  AddSearchEntries(writer, context, versions, Subsetting{}, "match");
  Reply reply;
  reply.kind = BodyKind::kBundle;
  reply.body = writer.Finish();
  return reply;
}

}  // namespace chartroom::rest
