// Picks the interaction for a method and route (https://hl7.org/fhir/R4/http.html#summary).

#include "rest/error_response.hpp"
#include "rest/interactions.hpp"

namespace chartroom::rest {
namespace {

// The methods each route allows, for 405's Allow header.
std::string_view Allowed(RouteKind kind) {
  switch (kind) {
    case RouteKind::kMetadata:
    case RouteKind::kSystemHistory:
    case RouteKind::kTypeHistory:
    case RouteKind::kInstanceHistory:
    case RouteKind::kVersion:
    case RouteKind::kHealth:
    case RouteKind::kMetrics:
      return "GET";
    case RouteKind::kSystem:
    case RouteKind::kInstanceOperation:
    case RouteKind::kSystemOperation:
    case RouteKind::kTypeOperation:
      return "GET, POST";
    case RouteKind::kExportStatus:
      return "GET, DELETE";
    case RouteKind::kExportFile:
      return "GET";
    case RouteKind::kSystemSearch:
    case RouteKind::kTypeSearch:
      return "POST";
    case RouteKind::kType:
      return "GET, POST, PUT, PATCH, DELETE";
    case RouteKind::kInstance:
      return "GET, PUT, PATCH, DELETE";
    case RouteKind::kUnknown:
      return "";
  }
  return "";
}

Result<Reply> Run(Session& session, const RequestContext& context, Call& call) {
  const std::string_view m = call.method;
  const bool get = m == "GET";
  if (IsExportRoute(call.route)) {
    // Only a Bundle entry gets here: api.cpp answers plain export requests itself.
    return Fail(ErrorCategory::kInvalid, "rest.export-in-bundle",
                "bulk export is asynchronous and cannot be an entry of a batch or transaction");
  }
  switch (call.route.kind) {
    case RouteKind::kMetadata:
      if (get) {
        Reply reply;
        reply.kind = BodyKind::kResource;
        reply.body = *context.capability_statement;
        return reply;
      }
      break;
    case RouteKind::kSystem:
      if (get) return Search(session, context, call);
      if (m == "POST" && call.from_bundle) {
        return Fail(ErrorCategory::kInvalid, "rest.nested-bundle",
                    "a Bundle entry cannot itself be a batch or transaction");
      }
      break;
    case RouteKind::kSystemSearch:
    case RouteKind::kTypeSearch:
      if (m == "POST") return Search(session, context, call);
      break;
    case RouteKind::kSystemHistory:
    case RouteKind::kTypeHistory:
    case RouteKind::kInstanceHistory:
      if (get) return History(session, context, call);
      break;
    case RouteKind::kType:
      if (get) return Search(session, context, call);
      if (m == "POST") return Create(session, context, call);
      if (m == "PUT") return ConditionalUpdate(session, context, call);
      if (m == "PATCH") return Patch(session, context, call);
      if (m == "DELETE") return ConditionalDelete(session, context, call);
      break;
    case RouteKind::kInstance:
      if (get) return Read(session, context, call);
      if (m == "PUT") return Update(session, context, call);
      if (m == "PATCH") return Patch(session, context, call);
      if (m == "DELETE") return Delete(session, context, call);
      break;
    case RouteKind::kVersion:
      if (get) return VRead(session, context, call);
      break;
    case RouteKind::kInstanceOperation:
      if (get || m == "POST") return Everything(session, context, call);
      break;
    case RouteKind::kTypeOperation:
      if (call.route.type == "Patient" && call.route.operation == "match") {
        return Match(session, context, call);
      }
      if (call.route.type == "CodeSystem" || call.route.type == "ValueSet") {
        return Terminology(context, call);
      }
      return Fail(ErrorCategory::kNotFound, "rest.unknown-operation",
                  "the server has no such operation");
    case RouteKind::kSystemOperation:
      return Fail(ErrorCategory::kNotFound, "rest.unknown-operation",
                  "the server has no such operation");
    case RouteKind::kExportStatus:
    case RouteKind::kExportFile:
      break;  // handled above
    case RouteKind::kHealth:
    case RouteKind::kMetrics:
    case RouteKind::kUnknown:
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                  "there is no FHIR endpoint at this URL");
  }
  return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
              std::string(m) + " is not allowed on " + std::string(RouteTemplate(call.route.kind)));
}

}  // namespace

Reply Dispatch(Session& session, const RequestContext& context, Call& call) {
  Result<Reply> result = [&]() -> Result<Reply> {
    if (auto checked = CheckRoute(call.route); !checked) return tl::unexpected(checked.error());
    return Run(session, context, call);
  }();
  if (result) return std::move(*result);
  Reply reply = ErrorReply(result.error());
  if (result.error().code() == "rest.method-not-allowed") {
    reply.headers.push_back({"Allow", std::string(Allowed(call.route.kind))});
  }
  return reply;
}

}  // namespace chartroom::rest
