#include "rest/coding_http.hpp"

#include <boost/json.hpp>

#include "coding/cac.hpp"
#include "coding/edits.hpp"
#include "coding/search.hpp"
#include "coding/workqueue.hpp"
#include "core/result_macros.hpp"
#include "rest/error_response.hpp"
#include "rest/query_params.hpp"

namespace chartroom::rest {
namespace json = boost::json;
namespace {

constexpr std::string_view kCheck = "/api/coding/check";
constexpr std::string_view kQueue = "/api/coding/queue";
constexpr std::string_view kSuggest = "/api/coding/suggest";
constexpr std::string_view kStats = "/api/coding/stats";
constexpr std::string_view kCases = "/api/coding/cases/";
constexpr std::string_view kCodes = "/api/codes/";
constexpr std::string_view kSearch = "/api/codes/search";
constexpr std::size_t kMaxCount = 200;

bool MayCode(const access::Caller& caller) {
  for (access::Role r : caller.subject.roles) {
    if (r == access::Role::kCoder || r == access::Role::kCdiSpecialist ||
        r == access::Role::kHimTechnician || r == access::Role::kHimDirector ||
        r == access::Role::kAdmin) {
      return true;
    }
  }
  return false;
}

Result<Reply> CheckCodes(const coding::Catalog& catalog, const http::Request& request) {
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  if (ec) {
    return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                "the request body is not JSON: " + ec.message());
  }
  CHARTROOM_ASSIGN_OR_RETURN(coding::CheckRequest parsed, coding::ParseCheckRequest(body));
  return JsonReply(200, coding::EditsToJson(coding::Check(catalog, parsed)));
}

json::object ConceptJson(const coding::Catalog& catalog, coding::System system,
                         const coding::Concept& c) {
  json::object o;
  o["system"] = coding::SystemUri(system);
  o["code"] = coding::Display(system, c.code);
  o["title"] = c.title;
  if (!c.short_title.empty()) o["short_title"] = c.short_title;
  o["billable"] = c.billable;
  o["valid_from"] = coding::FormatDate(c.valid_from);
  if (c.valid_to != 0) o["valid_to"] = coding::FormatDate(c.valid_to);
  json::array lineage;
  const auto nodes = catalog.Lineage(system, c.code);
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    const coding::Concept* n = nodes[i];
    lineage.push_back(
        json::object{{"code", n->header_node ? n->code : coding::Display(system, n->code)},
                     {"title", n->title}});
  }
  o["ancestors"] = std::move(lineage);
  json::array children;
  for (const std::string& child : c.children) {
    const coding::Concept* k = catalog.Find(system, child);
    if (k == nullptr) continue;
    children.push_back(json::object{
        {"code", coding::Display(system, child)}, {"title", k->title}, {"billable", k->billable}});
  }
  o["children"] = std::move(children);
  // The notes of the code and those it inherits from above, nearest first.
  json::array notes;
  for (const coding::Concept* n : nodes) {
    for (const coding::Note& note : n->notes) {
      json::object item{{"kind", coding::NoteKindName(note.kind)}, {"text", note.text}};
      if (n != &c) item["from"] = n->header_node ? n->code : coding::Display(system, n->code);
      notes.push_back(std::move(item));
    }
  }
  o["notes"] = std::move(notes);
  return o;
}

Result<Reply> LookUp(const coding::Catalog& catalog, std::string_view rest) {
  const std::size_t slash = rest.find('/');
  const auto system = coding::ParseSystem(rest.substr(0, slash));
  if (!system || slash == std::string_view::npos || slash + 1 >= rest.size()) {
    return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                "codes are at /api/codes/{icd10cm|icd10pcs|hcpcs|cpt}/{code}");
  }
  const std::string code = coding::Normalize(rest.substr(slash + 1));
  const coding::Concept* c = catalog.Find(*system, code);
  if (c == nullptr) {
    return Fail(ErrorCategory::kNotFound, "coding.unknown-code",
                coding::Display(*system, code) + " is not a code of " +
                    std::string(coding::SystemTitle(*system)));
  }
  return JsonReply(200, ConceptJson(catalog, *system, *c));
}

Result<Reply> SearchCodes(const coding::Catalog& catalog, const http::Request& request) {
  CHARTROOM_ASSIGN_OR_RETURN(auto params, ParseQueryParams(request.query()));
  coding::SearchQuery query;
  for (const QueryParam& p : params) {
    if (p.name == "q") {
      query.text = p.value;
    } else if (p.name == "system") {
      query.system = coding::ParseSystem(p.value);
      if (!query.system) {
        return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                    "system is icd10cm, icd10pcs, hcpcs or cpt");
      }
    } else if (p.name == "billable") {
      if (p.value != "true" && p.value != "false") {
        return Fail(ErrorCategory::kInvalid, "coding.bad-request", "billable is true or false");
      }
      query.billable_only = p.value == "true";
    } else if (p.name == "count") {
      char* end = nullptr;
      const long n = std::strtol(p.value.c_str(), &end, 10);
      if (end == p.value.c_str() || *end != '\0' || n < 1 || n > static_cast<long>(kMaxCount)) {
        return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                    "count is a whole number from 1 to " + std::to_string(kMaxCount));
      }
      query.limit = static_cast<std::size_t>(n);
    } else {
      return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                  "the search takes q, system, billable and count, not " + p.name);
    }
  }
  if (query.text.empty()) {
    return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                "q, the words to search, is required");
  }
  json::array results;
  for (const coding::SearchHit& hit : catalog.search()->Search(query)) {
    results.push_back(json::object{{"system", coding::SystemUri(hit.system)},
                                   {"code", coding::Display(hit.system, hit.concept_->code)},
                                   {"title", hit.concept_->title},
                                   {"billable", hit.concept_->billable},
                                   {"score", hit.score}});
  }
  json::object body;
  body["results"] = std::move(results);
  return JsonReply(200, body);
}

Result<Reply> Suggest(const coding::Catalog& catalog, const http::Request& request) {
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  const json::value* text =
      !ec && body.is_object() ? body.get_object().if_contains("text") : nullptr;
  if (text == nullptr || !text->is_string()) {
    return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                "the request is {\"text\": \"the note\"}");
  }
  return JsonReply(200, coding::SuggestionsToJson(catalog.suggester()->Suggest(text->get_string()),
                                                  text->get_string()));
}

std::string Param(const std::vector<QueryParam>& params, std::string_view name) {
  for (const QueryParam& p : params) {
    if (p.name == name) return p.value;
  }
  return "";
}

// A v3 ActCode class (IMP, AMB, EMER ...): letters only.
Result<std::string> ClassParam(const std::vector<QueryParam>& params) {
  std::string c = Param(params, "class");
  for (char ch : c) {
    if (!(ch >= 'A' && ch <= 'Z')) {
      return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                  "class is an encounter class code such as IMP, AMB or EMER");
    }
  }
  return c;
}

Result<Reply> Queue(store::ResourceStore& store, const http::Request& request,
                    core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(auto params, ParseQueryParams(request.query()));
  coding::QueueQuery query;
  CHARTROOM_ASSIGN_OR_RETURN(query.encounter_class, ClassParam(params));
  query.page = Param(params, "page");
  if (const std::string count = Param(params, "count"); !count.empty()) {
    char* end = nullptr;
    const long n = std::strtol(count.c_str(), &end, 10);
    if (end == count.c_str() || *end != '\0' || n < 1 || n > static_cast<long>(kMaxCount)) {
      return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                  "count is a whole number from 1 to " + std::to_string(kMaxCount));
    }
    query.count = static_cast<std::size_t>(n);
  }
  CHARTROOM_ASSIGN_OR_RETURN(auto page, coding::ListQueue(store, now, query));
  json::array cases;
  for (const coding::QueueItem& item : page.items) {
    json::object o{{"encounter", item.encounter},   {"patient", item.patient},
                   {"class", item.encounter_class}, {"discharged", item.discharged},
                   {"age_days", item.age_days},     {"status", item.status}};
    if (!item.coder.empty()) o["coder"] = item.coder;
    cases.push_back(std::move(o));
  }
  json::object body;
  body["cases"] = std::move(cases);
  if (!page.next_page.empty()) body["next_page"] = page.next_page;
  return JsonReply(200, body);
}

// PUT body: {"diagnoses": [{"code", "poa"}], "procedures": [{"code"}]}.
Result<std::pair<std::vector<coding::CodedItem>, std::vector<coding::CodedItem>>> CodesOf(
    const http::Request& request) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) {
    return Fail(ErrorCategory::kInvalid, "coding.bad-request",
                "the codes are a JSON object: {\"diagnoses\": [...], \"procedures\": [...]}");
  }
  if (!body.get_object().contains("diagnoses")) body.get_object()["diagnoses"] = json::array();
  CHARTROOM_ASSIGN_OR_RETURN(coding::CheckRequest parsed, coding::ParseCheckRequest(body));
  return std::make_pair(std::move(parsed.diagnoses), std::move(parsed.procedures));
}

}  // namespace

bool IsCodingPath(std::string_view path) {
  return path == kCheck || path == kSuggest || path == kQueue || path == kStats ||
         path.starts_with(kCases) || path.starts_with(kCodes);
}

Reply HandleCodingEndpoint(const AccessServices& services, coding::CatalogSource* code_sets,
                           const http::Request& request, const RequestContext& context) {
  auto answer = [&]() -> Result<Reply> {
    if (code_sets == nullptr) {
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                  "the code sets are not loaded on this server");
    }
    std::optional<access::Caller> caller;
    if (services.identity != nullptr) {
      CHARTROOM_ASSIGN_OR_RETURN(caller, AuthenticateRequest(*services.identity, request));
      if (!MayCode(*caller)) {
        return Fail(ErrorCategory::kForbidden, "access.denied",
                    "the request is not permitted for this user, role and purpose of use");
      }
    }
    const std::string_view path = request.path();
    const std::string coder = caller ? caller->subject.id : std::string("trusted");
    audit::Event event = EventFor(caller ? &*caller : nullptr, request, context);
    event.action = audit::Action::kRead;
    auto audited = [&](Result<Reply> reply) -> Result<Reply> {
      event.outcome = reply                                                  ? "success"
                      : reply.error().category() == ErrorCategory::kNotFound ? "not-found"
                                                                             : "invalid";
      if (services.trail != nullptr) services.trail->Record(std::move(event));
      return reply;
    };
    auto method = [&](std::string_view want) -> Status {
      if (request.method == want) return Ok();
      return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                  std::string(path) + " takes " + std::string(want));
    };
    CHARTROOM_ASSIGN_OR_RETURN(auto catalog, code_sets->Get());
    if (path == kQueue || path == kStats) {
      CHARTROOM_RETURN_IF_ERROR(method("GET"));
      event.detail = path == kQueue ? "coding queue" : "coding stats";
      if (path == kQueue) return audited(Queue(*context.store, request, context.now));
      auto stats = [&]() -> Result<Reply> {
        CHARTROOM_ASSIGN_OR_RETURN(auto params, ParseQueryParams(request.query()));
        CHARTROOM_ASSIGN_OR_RETURN(std::string encounter_class, ClassParam(params));
        CHARTROOM_ASSIGN_OR_RETURN(auto s,
                                   coding::Stats(*context.store, context.now, encounter_class));
        return JsonReply(200, s.ToJson());
      };
      return audited(stats());
    }
    if (path.starts_with(kCases)) {
      std::string_view rest = path.substr(kCases.size());
      std::string_view action;
      if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
        action = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
      }
      const std::string encounter(rest);
      if (encounter.empty() || (!action.empty() && action != "claim" && action != "finalize")) {
        return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                    "cases are at /api/coding/cases/{encounter}[/claim|/finalize]");
      }
      event.resources.push_back("Encounter/" + encounter);
      auto respond = [&](Result<coding::CodingCase> c) -> Result<Reply> {
        if (!c) return tl::unexpected(c.error());
        if (!c->patient.empty()) event.patients.push_back(c->patient);
        return JsonReply(200, c->ToJson());
      };
      if (action.empty() && request.method == "GET") {
        event.detail = "coding case";
        return audited(respond(coding::GetCase(*context.store, *catalog, encounter)));
      }
      if (action.empty()) {
        CHARTROOM_RETURN_IF_ERROR(method("PUT"));
        event.action = audit::Action::kUpdate;
        event.detail = "coding save";
        auto codes = CodesOf(request);
        if (!codes) return audited(tl::unexpected(codes.error()));
        return audited(respond(coding::SaveCase(*context.store, *catalog, encounter, coder,
                                                std::move(codes->first), std::move(codes->second),
                                                context.now)));
      }
      CHARTROOM_RETURN_IF_ERROR(method("POST"));
      event.action = audit::Action::kUpdate;
      if (action == "claim") {
        event.detail = "coding claim";
        return audited(
            respond(coding::ClaimCase(*context.store, *catalog, encounter, coder, context.now)));
      }
      event.detail = "coding finalize";
      // The final codes, their Claim and Provenance and this audit entry commit together.
      audit::Trail* trail = services.trail;
      const audit::Event base = event;
      auto finalized = coding::FinalizeCase(
          *context.store, *catalog, encounter, coder, context.now,
          [trail, base](store::Transaction& tx, const coding::CodingCase& c) -> Status {
            if (trail == nullptr) return Ok();
            audit::Event e = base;
            e.patients = {c.patient};
            e.resources.push_back("Claim/" + c.claim);
            return trail->RecordIn(tx, e);
          });
      if (finalized) {
        if (!finalized->patient.empty()) event.patients.push_back(finalized->patient);
        return JsonReply(200, finalized->ToJson());
      }
      return audited(tl::unexpected(finalized.error()));
    }
    if (path == kSuggest) {
      CHARTROOM_RETURN_IF_ERROR(method("POST"));
      event.detail = "coding suggest";
      return audited(Suggest(*catalog, request));
    }
    const bool check = path == kCheck;
    if ((check && request.method != "POST") || (!check && request.method != "GET")) {
      return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                  check ? "/api/coding/check takes POST" : "/api/codes takes GET");
    }
    event.detail = check ? "coding check" : path == kSearch ? "code search" : "code lookup";
    return audited(check             ? CheckCodes(*catalog, request)
                   : path == kSearch ? SearchCodes(*catalog, request)
                                     : LookUp(*catalog, path.substr(kCodes.size())));
  };
  auto reply = answer();
  if (reply) return std::move(*reply);
  return ErrorReply(reply.error());
}

}  // namespace chartroom::rest
