// history of an instance, a type or the whole system (https://hl7.org/fhir/R4/http.html#history):
// a Bundle of type history, newest version first, each entry with its request (the method and
// url that wrote it) and response (status, ETag, lastModified); deletions have no resource.
// Parameters: _since, _count and the page token of a next link.

#include "core/result_macros.hpp"
#include "core/text.hpp"
#include "rest/bundle_writer.hpp"
#include "rest/interactions.hpp"
#include "rest/query_params.hpp"
#include "rest/search_bundle.hpp"

namespace chartroom::rest {
namespace {

Error BadParameter(std::string message) {
  return Error(ErrorCategory::kInvalid, "rest.bad-parameter", std::move(message));
}

Result<store::HistoryQuery> ParseHistoryQuery(const Call& call, const RequestContext& context) {
  store::HistoryQuery query;
  query.type = std::string(call.route.type);
  query.id = std::string(call.route.id);
  query.count = context.options->history_page_size;
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryParams(call.query));
  for (const QueryParam& p : params) {
    if (p.name == "_since") {
      auto since = core::ParseInstant(p.value);
      if (!since) return tl::unexpected(BadParameter("_since must be an instant with a time zone"));
      query.since = *since;
    } else if (p.name == "_count") {
      const bool digits = !p.value.empty() && p.value.size() <= 9 &&
                          p.value.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) return tl::unexpected(BadParameter("_count must be a non-negative integer"));
      query.count = static_cast<std::uint32_t>(std::stoul(p.value));
    } else if (p.name == fhir::search::kPageTokenParameter) {
      query.page_token = p.value;
    } else if (p.name == "_format" || p.name == "_pretty") {
      continue;
    } else if (context.handling == fhir::search::Handling::kStrict) {
      return Fail(ErrorCategory::kInvalid, "rest.unknown-parameter",
                  "history does not take the parameter " + core::PercentEncode(p.name));
    }
  }
  return query;
}

std::string_view MethodOf(const store::ResourceVersion& v) {
  switch (v.method) {
    case store::WriteMethod::kCreate:
      return "POST";
    case store::WriteMethod::kUpdate:
      return "PUT";
    case store::WriteMethod::kDelete:
      return "DELETE";
  }
  return "PUT";
}

}  // namespace

Result<Reply> History(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_ASSIGN_OR_RETURN(store::HistoryQuery query, ParseHistoryQuery(call, context));
  CHARTROOM_ASSIGN_OR_RETURN(store::HistoryPage page, session.History(query));

  BundleWriter writer("history", context.request_id, context.now);
  writer.SetTotal(page.total);
  std::string base = call.route.id.empty() ? TypeUrl(context, call.route.type)
                                           : ResourceUrl(context, call.route.type, call.route.id);
  base += "/_history?_count=" + std::to_string(query.count);
  if (query.since) base += "&_since=" + core::PercentEncode(core::FormatInstant(*query.since));
  std::string self = base;
  if (query.page_token) self += "&_page=" + core::PercentEncode(*query.page_token);
  writer.AddLink("self", self);
  if (page.next_page)
    writer.AddLink("next", base + "&_page=" + core::PercentEncode(*page.next_page));

  for (const store::ResourceVersion& v : page.versions) {
    const std::string full_url = ResourceUrl(context, v.type, v.id);
    const std::string_view method = MethodOf(v);
    const std::string request_url = method == "POST" ? v.type : v.type + "/" + v.id;
    const int status = v.deleted() ? 204 : (v.version == 1 ? 201 : 200);
    const std::string status_text = StatusText(status);
    const std::string etag = WeakETag(v.version);
    const std::string last_modified = core::FormatInstant(v.last_updated);
    BundleEntry entry;
    entry.full_url = full_url;
    entry.resource = v.json;
    entry.request_method = method;
    entry.request_url = request_url;
    entry.response_status = status_text;
    entry.response_etag = etag;
    entry.response_last_modified = last_modified;
    writer.AddEntry(entry);
  }
  Reply reply;
  reply.kind = BodyKind::kBundle;
  reply.body = writer.Finish();
  return reply;
}

}  // namespace chartroom::rest
