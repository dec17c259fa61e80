// The FHIR terminology operations over the code sets (coding/catalog.hpp), for the systems
// Chartroom loads (ICD-10-CM, ICD-10-PCS, HCPCS, CPT):
//
//   CodeSystem/$lookup         system, code → name, version, display, designation (short
//                              title), properties parent, child, billable, valid-from/to and
//                              the tabular list's notes (excludes1, codeFirst, ...)
//   CodeSystem/$validate-code  url (the system), code → result, display, message
//   ValueSet/$expand           url (a system's implicit value set, "<system>?fhir_vs", or the
//                              system itself), filter (words, as /api/codes/search), offset,
//                              count → a ValueSet with its expansion
//   ValueSet/$validate-code    url, code (system optional) → result, display, message
//
// Parameters come from the query (GET) or a Parameters resource (POST). A header code is in its
// code system (result true) with a message that it is not billable.
// https://hl7.org/fhir/R4/codesystem-operation-lookup.html and its neighbours.

#include <algorithm>

#include <boost/json.hpp>

#include "coding/load.hpp"
#include "coding/search.hpp"
#include "core/result_macros.hpp"
#include "rest/interactions.hpp"
#include "rest/query_params.hpp"

namespace chartroom::rest {
namespace json = boost::json;
namespace {

constexpr std::int64_t kDefaultCount = 20;
constexpr std::int64_t kMaxCount = 1000;

tl::unexpected<Error> BadParameter(std::string message) {
  return Fail(ErrorCategory::kInvalid, "rest.bad-parameter", std::move(message));
}

// The operation's parameters by name, as text.
Result<std::vector<QueryParam>> ParametersOf(const Call& call) {
  if (call.method == "GET") return ParseQueryParams(call.query);
  std::vector<QueryParam> out;
  if (call.resource == nullptr || (*call.resource)["resourceType"] != "Parameters") {
    return BadParameter("the operation takes a Parameters resource by POST");
  }
  const json::value* params = call.resource->if_contains("parameter");
  if (params == nullptr || !params->is_array()) return out;
  for (const json::value& p : params->get_array()) {
    const json::object* o = p.if_object();
    const json::value* name = o != nullptr ? o->if_contains("name") : nullptr;
    if (name == nullptr || !name->is_string()) continue;
    for (const auto& [key, value] : *o) {
      if (!key.starts_with("value")) continue;
      if (value.is_string()) {
        out.push_back({std::string(name->get_string()), std::string(value.get_string())});
      } else if (value.is_int64()) {
        out.push_back({std::string(name->get_string()), std::to_string(value.get_int64())});
      } else if (value.is_bool()) {
        out.push_back({std::string(name->get_string()), value.get_bool() ? "true" : "false"});
      }
    }
  }
  return out;
}

std::string Param(const std::vector<QueryParam>& params, std::string_view name) {
  for (const QueryParam& p : params) {
    if (p.name == name) return p.value;
  }
  return "";
}

Result<std::int64_t> Number(const std::vector<QueryParam>& params, std::string_view name,
                            std::int64_t fallback, std::int64_t max) {
  const std::string text = Param(params, name);
  if (text.empty()) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || n < 0 || n > max) {
    return BadParameter(std::string(name) + " is a whole number from 0 to " + std::to_string(max));
  }
  return n;
}

// The system a value set URL names: "<system uri>?fhir_vs" or the system URI itself.
Result<coding::System> SystemOfValueSet(std::string_view url) {
  std::string_view system = url;
  if (const std::size_t q = url.find('?'); q != std::string_view::npos) {
    if (url.substr(q) != "?fhir_vs") {
      return BadParameter("only the implicit value set of a whole code system (?fhir_vs) is known");
    }
    system = url.substr(0, q);
  }
  const auto parsed = coding::ParseSystem(system);
  if (!parsed) {
    return Fail(ErrorCategory::kNotFound, "coding.unknown-system",
                "no code system " + std::string(system) + " is loaded");
  }
  return *parsed;
}

json::object Parameter(std::string_view name, std::string_view type, json::value value) {
  json::object p;
  p["name"] = name;
  p[std::string("value") + std::string(type)] = std::move(value);
  return p;
}

json::object Property(std::string_view code, std::string_view type, json::value value) {
  json::object p;
  p["name"] = "property";
  p["part"] = json::array{Parameter("code", "Code", json::string(code)),
                          Parameter("value", type, std::move(value))};
  return p;
}

Reply ParametersReply(json::array parameters) {
  json::object body;
  body["resourceType"] = "Parameters";
  body["parameter"] = std::move(parameters);
  Reply reply;
  reply.kind = BodyKind::kResource;
  reply.body = json::serialize(body);
  return reply;
}

Result<Reply> Lookup(const coding::Catalog& catalog, const std::vector<QueryParam>& params) {
  const std::string system_uri = Param(params, "system");
  const std::string code = coding::Normalize(Param(params, "code"));
  if (system_uri.empty() || code.empty()) return BadParameter("$lookup takes system and code");
  const auto system = coding::ParseSystem(system_uri);
  if (!system) {
    return Fail(ErrorCategory::kNotFound, "coding.unknown-system",
                "no code system " + system_uri + " is loaded");
  }
  const coding::Concept* c = catalog.Find(*system, code);
  if (c == nullptr) {
    return Fail(ErrorCategory::kNotFound, "coding.unknown-code",
                coding::Display(*system, code) + " is not a code of " +
                    std::string(coding::SystemTitle(*system)));
  }
  json::array out;
  out.push_back(Parameter("name", "String", json::string(coding::SystemTitle(*system))));
  out.push_back(Parameter("display", "String", json::string(c->title)));
  if (!c->short_title.empty()) {
    json::object designation;
    designation["name"] = "designation";
    designation["part"] = json::array{Parameter("value", "String", json::string(c->short_title))};
    out.push_back(std::move(designation));
  }
  out.push_back(Property("billable", "Boolean", c->billable));
  if (c->valid_from != 0) {
    out.push_back(
        Property("valid-from", "DateTime", json::string(coding::FormatDate(c->valid_from))));
  }
  if (c->valid_to != 0) {
    out.push_back(Property("valid-to", "DateTime", json::string(coding::FormatDate(c->valid_to))));
  }
  if (const coding::Concept* parent =
          c->parent.empty() ? nullptr : catalog.Find(*system, c->parent)) {
    out.push_back(Property("parent", "Code", json::string(coding::Display(*system, parent->code))));
  }
  for (const std::string& child : c->children) {
    out.push_back(Property("child", "Code", json::string(coding::Display(*system, child))));
  }
  for (const coding::Note& note : c->notes) {
    out.push_back(Property(coding::NoteKindName(note.kind), "String", json::string(note.text)));
  }
  return ParametersReply(std::move(out));
}

Result<Reply> ValidateCode(const coding::Catalog& catalog, const std::vector<QueryParam>& params,
                           bool value_set) {
  const std::string url = Param(params, "url");
  const std::string system_param = Param(params, "system");
  const std::string code = coding::Normalize(Param(params, "code"));
  if (code.empty() || (url.empty() && system_param.empty())) {
    return BadParameter("$validate-code takes a code and the url (or system) to check it in");
  }
  coding::System system{};
  if (!url.empty()) {
    if (value_set) {
      CHARTROOM_ASSIGN_OR_RETURN(system, SystemOfValueSet(url));
    } else {
      const auto parsed = coding::ParseSystem(url);
      if (!parsed) {
        return Fail(ErrorCategory::kNotFound, "coding.unknown-system",
                    "no code system " + url + " is loaded");
      }
      system = *parsed;
    }
  } else {
    const auto parsed = coding::ParseSystem(system_param);
    if (!parsed) {
      return Fail(ErrorCategory::kNotFound, "coding.unknown-system",
                  "no code system " + system_param + " is loaded");
    }
    system = *parsed;
  }
  if (!system_param.empty() && coding::ParseSystem(system_param) != system) {
    return ParametersReply(json::array{
        Parameter("result", "Boolean", false),
        Parameter("message", "String", json::string("the code's system is not the value set's"))});
  }
  const coding::Concept* c = catalog.Find(system, code);
  json::array out;
  out.push_back(Parameter("result", "Boolean", c != nullptr));
  const std::string shown = coding::Display(system, code);
  if (c == nullptr) {
    out.push_back(Parameter(
        "message", "String",
        json::string(shown + " is not a code of " + std::string(coding::SystemTitle(system)))));
  } else {
    out.push_back(Parameter("display", "String", json::string(c->title)));
    if (!c->billable) {
      out.push_back(Parameter(
          "message", "String",
          json::string(shown + " is a header, not a billable code: code to full specificity")));
    }
  }
  return ParametersReply(std::move(out));
}

Result<Reply> Expand(const coding::Catalog& catalog, const std::vector<QueryParam>& params,
                     const RequestContext& context) {
  const std::string url = Param(params, "url");
  if (url.empty()) return BadParameter("$expand takes the url of the value set");
  CHARTROOM_ASSIGN_OR_RETURN(coding::System system, SystemOfValueSet(url));
  CHARTROOM_ASSIGN_OR_RETURN(std::int64_t offset, Number(params, "offset", 0, 1'000'000));
  CHARTROOM_ASSIGN_OR_RETURN(std::int64_t count, Number(params, "count", kDefaultCount, kMaxCount));
  const std::string filter = Param(params, "filter");
  std::vector<const coding::Concept*> codes;
  std::int64_t total = 0;
  if (!filter.empty()) {
    const auto hits =
        catalog.search()->Search({filter, system, false, static_cast<std::size_t>(offset + count)});
    for (const coding::SearchHit& h : hits) codes.push_back(h.concept_);
    total = static_cast<std::int64_t>(codes.size());
    codes.erase(codes.begin(), codes.begin() + std::min<std::int64_t>(offset, total));
  } else {
    std::vector<const coding::Concept*> all;
    for (const auto& [code, node] : catalog.concepts(system)) {
      if (!node.header_node) all.push_back(&node);
    }
    std::sort(all.begin(), all.end(),
              [](const coding::Concept* a, const coding::Concept* b) { return a->code < b->code; });
    total = static_cast<std::int64_t>(all.size());
    const auto from = std::min<std::int64_t>(offset, total);
    const auto to = std::min<std::int64_t>(offset + count, total);
    codes.assign(all.begin() + from, all.begin() + to);
  }
  json::array contains;
  for (const coding::Concept* c : codes) {
    if (static_cast<std::int64_t>(contains.size()) == count) break;
    json::object item{{"system", coding::SystemUri(system)},
                      {"code", coding::Display(system, c->code)},
                      {"display", c->title}};
    if (!c->billable) item["abstract"] = true;
    contains.push_back(std::move(item));
  }
  json::object expansion;
  expansion["identifier"] = "urn:chartroom:expansion:" + context.request_id;
  expansion["timestamp"] = core::FormatInstant(context.now);
  if (filter.empty()) expansion["total"] = total;
  expansion["offset"] = offset;
  json::array parameters;
  if (!filter.empty())
    parameters.push_back(json::object{{"name", "filter"}, {"valueString", filter}});
  parameters.push_back(json::object{{"name", "count"}, {"valueInteger", count}});
  expansion["parameter"] = std::move(parameters);
  expansion["contains"] = std::move(contains);
  json::object body;
  body["resourceType"] = "ValueSet";
  body["url"] = url;
  body["status"] = "active";
  body["name"] = coding::SystemTitle(system);
  body["expansion"] = std::move(expansion);
  Reply reply;
  reply.kind = BodyKind::kResource;
  reply.body = json::serialize(body);
  return reply;
}

}  // namespace

Result<Reply> Terminology(const RequestContext& context, const Call& call) {
  const std::string_view type = call.route.type;
  const std::string_view op = call.route.operation;
  const bool known = (type == "CodeSystem" && (op == "lookup" || op == "validate-code")) ||
                     (type == "ValueSet" && (op == "expand" || op == "validate-code"));
  if (!known) {
    return Fail(ErrorCategory::kNotFound, "rest.unknown-operation",
                "the server has no such operation");
  }
  if (call.method != "GET" && call.method != "POST") {
    return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                std::string(type) + "/$" + std::string(op) + " takes GET or POST");
  }
  if (context.code_sets == nullptr) {
    return Fail(ErrorCategory::kUnavailable, "coding.no-code-sets",
                "the code sets are not loaded on this server");
  }
  CHARTROOM_ASSIGN_OR_RETURN(auto params, ParametersOf(call));
  CHARTROOM_ASSIGN_OR_RETURN(auto catalog, context.code_sets->Get());
  if (op == "lookup") return Lookup(*catalog, params);
  if (op == "expand") return Expand(*catalog, params, context);
  return ValidateCode(*catalog, params, type == "ValueSet");
}

}  // namespace chartroom::rest
