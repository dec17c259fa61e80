// search (https://hl7.org/fhir/R4/search.html, http.html#search): GET [type]?..., POST
// [type]/_search with a form body, and system search. The answer is a searchset Bundle whose
// stored resources are spliced in as text (re-serialized only when _summary/_elements reduce
// them), with links self/next/previous built from the store's page tokens, and an outcome entry
// naming parameters that lenient handling ignored. Also the search half of the conditional
// operations.

#include <boost/json/serialize.hpp>

#include "core/result_macros.hpp"
#include "core/text.hpp"
#include "fhir/operation_outcome.hpp"
#include "rest/bundle_writer.hpp"
#include "rest/error_response.hpp"
#include "rest/interactions.hpp"
#include "rest/query_params.hpp"
#include "rest/search_bundle.hpp"
#include "rest/subset.hpp"

namespace chartroom::rest {

namespace fs = fhir::search;

std::string TypeUrl(const RequestContext& context, std::string_view type) {
  std::string url = context.base_url;
  if (!type.empty()) {
    url += '/';
    url += type;
  }
  return url;
}

std::string ResourceUrl(const RequestContext& context, std::string_view type, std::string_view id) {
  std::string url = context.base_url;
  url += '/';
  url += type;
  url += '/';
  url += id;
  return url;
}

void AddSearchEntries(BundleWriter& writer, const RequestContext& context,
                      const std::vector<store::ResourceVersion>& versions,
                      const Subsetting& subsetting, std::string_view mode) {
  for (const store::ResourceVersion& v : versions) {
    const std::string url = ResourceUrl(context, v.type, v.id);
    BundleEntry entry;
    entry.full_url = url;
    entry.search_mode = mode;
    std::string reduced;
    if (subsetting.active()) {
      reduced = SubsetJson(v.json, subsetting);
      entry.resource = reduced;
    } else {
      entry.resource = v.json;
    }
    writer.AddEntry(entry);
  }
}

Result<Reply> Search(Session& session, const RequestContext& context, const Call& call) {
  const std::string_view type = call.route.type;
  CHARTROOM_ASSIGN_OR_RETURN(fs::SearchQuery query,
                             fs::ParseSearchQuery(type, call.query, context.handling));
  CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, session.Search(query));

  BundleWriter writer("searchset", context.request_id, context.now);
  if (page.total) {
    writer.SetTotal(*page.total);
  } else if (!page.next_page && !page.previous_page && !query.page_token) {
    writer.SetTotal(static_cast<std::int64_t>(page.matches.size()));  // the only page
  }
  const std::string canonical = fs::CanonicalQueryString(query);
  const std::string base = TypeUrl(context, type);
  auto link = [&](std::optional<std::string_view> token) {
    std::string url = base;
    if (!canonical.empty() || token) url += '?';
    url += canonical;
    if (token) {
      if (!canonical.empty()) url += '&';
      url += fs::kPageTokenParameter;
      url += '=';
      url += core::PercentEncode(*token);
    }
    return url;
  };
  writer.AddLink("self", link(query.page_token ? std::optional<std::string_view>(*query.page_token)
                                               : std::nullopt));
  if (page.next_page) writer.AddLink("next", link(*page.next_page));
  if (page.previous_page) writer.AddLink("previous", link(*page.previous_page));

  const Subsetting subsetting{query.summary, query.elements};
  AddSearchEntries(writer, context, page.matches, subsetting, "match");
  AddSearchEntries(writer, context, page.included, subsetting, "include");
  if (!query.ignored.empty()) {
    fhir::OperationOutcome outcome;
    for (const std::string& name : query.ignored) {
      outcome.AddIssue(MakeIssue(
          fhir::IssueSeverity::kWarning, fhir::IssueType::kNotSupported, "rest.ignored-parameter",
          "the search parameter " + core::PercentEncode(name) + " is not known and was ignored"));
    }
    const std::string text = boost::json::serialize(fhir::ToJson(outcome));
    BundleEntry entry;
    entry.resource = text;
    entry.search_mode = "outcome";
    writer.AddEntry(entry);
  }
  Reply reply;
  reply.status = 200;
  reply.kind = BodyKind::kBundle;
  reply.body = writer.Finish();
  return reply;
}

Result<fs::SearchQuery> ParseConditionalQuery(std::string_view type, std::string_view query) {
  CHARTROOM_ASSIGN_OR_RETURN(fs::SearchQuery parsed,
                             fs::ParseSearchQuery(type, query, fs::Handling::kStrict));
  if (parsed.criteria.empty()) {
    return Fail(ErrorCategory::kInvalid, "rest.conditional-without-criteria",
                "a conditional operation needs at least one search criterion");
  }
  return parsed;
}

fs::SearchQuery AsConditional(fs::SearchQuery query) {
  // Only the criteria count: two matches are enough to tell "many" from "one".
  query.count = 2;
  query.includes.clear();
  query.sort.clear();
  query.total = fs::TotalMode::kNone;
  query.summary = fs::SummaryMode::kFalse;
  query.elements.clear();
  query.page_token.reset();
  return query;
}

Result<std::vector<store::ResourceVersion>> ConditionalMatches(store::Transaction& tx,
                                                               const fs::SearchQuery& query) {
  CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, tx.Search(AsConditional(query)));
  return std::move(page.matches);
}

}  // namespace chartroom::rest
