#include "rest/access_http.hpp"

#include <algorithm>
#include <deque>

#include <boost/json.hpp>

#include "access/json_fields.hpp"
#include "core/result_macros.hpp"
#include "rest/bundle_writer.hpp"
#include "rest/error_response.hpp"
#include "rest/query_params.hpp"

namespace chartroom::rest {
namespace json = boost::json;

Reply JsonReply(int status, const json::object& body) {
  Reply reply;
  reply.status = status;
  reply.kind = BodyKind::kText;
  reply.content_type = "application/json";
  reply.body = json::serialize(body);
  reply.headers.push_back({"Cache-Control", "no-store"});
  return reply;
}

Result<json::object> JsonBody(const http::Request& request) {
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInvalid, "access.bad-request", "the body must be a JSON object");
  }
  return std::move(v.get_object());
}

namespace {

constexpr std::string_view kBearer = "Bearer ";

std::string_view HeaderOf(const http::Request& request, std::string_view name) {
  const http::Header* h = request.header(name);
  return h == nullptr ? std::string_view() : std::string_view(h->value);
}

json::object TokenJson(const access::TokenPair& pair) {
  json::object o;
  o["access_token"] = pair.access_token;
  o["token_type"] = "Bearer";
  o["expires_in"] = pair.expires_in;
  if (!pair.refresh_token.empty()) o["refresh_token"] = pair.refresh_token;
  return o;
}

bool Has(const access::Caller& caller, access::Role role) {
  return std::find(caller.subject.roles.begin(), caller.subject.roles.end(), role) !=
         caller.subject.roles.end();
}

Error Denied() {
  return Error(ErrorCategory::kForbidden, "access.denied",
               "the request is not permitted for this user, role and purpose of use");
}

void Audit(const AccessServices& s, audit::Event event) {
  if (s.trail != nullptr) s.trail->Record(std::move(event));
}

Result<Reply> Login(const AccessServices& s, const http::Request& request,
                    const RequestContext& context) {
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  audit::Event event = EventFor(nullptr, request, context);
  event.action = audit::Action::kLogin;
  event.user = access::StringField(body, "username");
  event.purpose = access::StringField(body, "purpose");
  std::string why;
  auto pair = s.identity->Login(event.user, access::StringField(body, "password"),
                                access::StringField(body, "totp"), event.purpose, &why);
  event.outcome = pair ? "success" : (why.empty() ? "error" : why);
  Audit(s, event);
  if (!pair) return tl::unexpected(pair.error());
  return JsonReply(200, TokenJson(*pair));
}

Result<Reply> Refresh(const AccessServices& s, const http::Request& request) {
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  CHARTROOM_ASSIGN_OR_RETURN(access::TokenPair pair,
                             s.identity->Refresh(access::StringField(body, "refresh_token")));
  return JsonReply(200, TokenJson(pair));
}

// OAuth errors (RFC 6749 section 5.2) for the token endpoint, which OAuth clients read.
Reply OAuthError(int status, std::string_view error) {
  json::object o;
  o["error"] = error;
  return JsonReply(status, o);
}

// The token endpoint of SMART Backend Services: client_credentials with a private_key_jwt
// assertion, form-encoded.
Result<Reply> ClientToken(const AccessServices& s, const http::Request& request,
                          const RequestContext& context) {
  auto params = ParseQueryParams(request.body);
  if (!params) return OAuthError(400, "invalid_request");
  std::string grant, assertion_type, assertion, scope;
  for (const QueryParam& p : *params) {
    if (p.name == "grant_type") grant = p.value;
    if (p.name == "client_assertion_type") assertion_type = p.value;
    if (p.name == "client_assertion") assertion = p.value;
    if (p.name == "scope") scope = p.value;
  }
  if (grant != "client_credentials") return OAuthError(400, "unsupported_grant_type");
  if (assertion_type != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
      assertion.empty()) {
    return OAuthError(400, "invalid_request");
  }
  audit::Event event = EventFor(nullptr, request, context);
  event.action = audit::Action::kLogin;
  event.detail = "client credentials";
  std::string why;
  auto pair = s.identity->ClientToken(assertion, scope, TokenUrl(context), &why);
  event.outcome = pair ? "success" : (why.empty() ? "invalid-scope" : why);
  Audit(s, event);
  if (!pair) {
    return pair.error().code() == "access.invalid-scope" ? OAuthError(400, "invalid_scope")
                                                         : OAuthError(401, "invalid_client");
  }
  json::object o;
  o["access_token"] = pair->access_token;
  o["token_type"] = "bearer";
  o["expires_in"] = pair->expires_in;
  o["scope"] = pair->scope;
  return JsonReply(200, o);
}

// The AuditEvents a privacy query found as a searchset, the query itself audited as a
// disclosure (`detail`, about `patient` when it names one).
template <typename Events>
Reply AuditEventsReply(const AccessServices& s, const access::Caller& caller,
                       const http::Request& request, const RequestContext& context,
                       const Events& events, std::string detail, const std::string& patient) {
  BundleWriter writer("searchset", context.request_id, context.now);
  writer.SetTotal(static_cast<std::int64_t>(events.size()));
  for (const std::string& resource : events) {
    BundleEntry entry;
    entry.resource = resource;  // viewed: `events` outlives the writer's AddEntry
    entry.search_mode = "match";
    writer.AddEntry(entry);
  }
  audit::Event event = EventFor(&caller, request, context);
  event.action = audit::Action::kDisclosure;
  event.detail = std::move(detail);
  if (!patient.empty()) event.patients = {patient};
  Audit(s, event);
  Reply reply;
  reply.kind = BodyKind::kBundle;
  reply.body = writer.Finish();
  return reply;
}

// GET /privacy/audit: the privacy officer's search of the trail. Every criterion is optional:
// user, patient, since and until (instants or dates, UTC), outcome (success or failure), detail
// (words of the operation, "roi fulfil"); the latest `count` (200, at most 1000) first.
Result<Reply> AuditSearch(const AccessServices& s, const access::Caller& caller,
                          const http::Request& request, const RequestContext& context) {
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryParams(request.query()));
  std::string user, patient, outcome, detail;
  std::optional<core::Timestamp> since, until;
  std::size_t count = 200;
  auto instant = [](const std::string& v, bool end) -> std::optional<core::Timestamp> {
    const std::string text = v.size() == 10 ? v + (end ? "T23:59:59Z" : "T00:00:00Z") : v;
    auto parsed = core::ParseInstant(text);
    return parsed ? std::optional<core::Timestamp>(*parsed) : std::nullopt;
  };
  for (const QueryParam& p : params) {
    if (p.name == "user") {
      user = p.value;
    } else if (p.name == "patient") {
      patient = p.value;
    } else if (p.name == "outcome" && (p.value == "success" || p.value == "failure")) {
      outcome = p.value;
    } else if (p.name == "detail") {
      detail = p.value;
    } else if (p.name == "since" || p.name == "until") {
      auto t = instant(p.value, p.name == "until");
      if (!t) {
        return Fail(ErrorCategory::kInvalid, "access.bad-request",
                    p.name + " is a date (YYYY-MM-DD) or an instant with a time zone");
      }
      (p.name == "since" ? since : until) = *t;
    } else if (p.name == "count") {
      const long n = std::atol(p.value.c_str());
      if (n < 1 || n > 1000) {
        return Fail(ErrorCategory::kInvalid, "access.bad-request", "count is 1 to 1000");
      }
      count = static_cast<std::size_t>(n);
    } else {
      return Fail(ErrorCategory::kInvalid, "access.bad-request",
                  "the audit search takes user, patient, since, until, outcome (success or "
                  "failure), detail and count");
    }
  }
  if (!s.audit_key) {
    return Fail(ErrorCategory::kUnavailable, "access.no-audit", "the audit trail is not open");
  }
  CHARTROOM_RETURN_IF_ERROR(s.trail->Flush());
  std::deque<std::string> found;  // the latest `count`
  CHARTROOM_RETURN_IF_ERROR(audit::ForEachEvent(
      *context.store, *s.audit_key, 1, [&](std::string_view id, const audit::Event& e) {
        const bool ok = e.outcome == "success";
        if ((!user.empty() && e.user != user) ||
            (!patient.empty() &&
             std::find(e.patients.begin(), e.patients.end(), patient) == e.patients.end()) ||
            (since && e.time < *since) || (until && e.time > *until) ||
            (outcome == "success" && !ok) || (outcome == "failure" && ok) ||
            (!detail.empty() && e.detail.find(detail) == std::string::npos)) {
          return true;
        }
        found.push_front(audit::ToAuditEvent(id, e));
        if (found.size() > count) found.pop_back();
        return true;
      }));
  return AuditEventsReply(s, caller, request, context, found, "audit search", patient);
}

Result<Reply> AccessReport(const AccessServices& s, const access::Caller& caller,
                           const http::Request& request, const RequestContext& context) {
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryParams(request.query()));
  std::string patient;
  std::string user;
  for (const QueryParam& p : params) {
    if (p.name == "patient") patient = p.value;
    if (p.name == "user") user = p.value;
  }
  if (patient.empty() == user.empty()) {
    return Fail(ErrorCategory::kInvalid, "access.bad-request",
                "an access report is for one patient or one user");
  }
  const bool officer = Has(caller, access::Role::kPrivacyOfficer);
  const bool own = Has(caller, access::Role::kPatient) && !caller.subject.patient.empty() &&
                   patient == caller.subject.patient;
  if (!officer && !own) return tl::unexpected(Denied());
  if (!s.audit_key) {
    return Fail(ErrorCategory::kUnavailable, "access.no-audit", "the audit trail is not open");
  }
  CHARTROOM_RETURN_IF_ERROR(s.trail->Flush());
  // The matching events first: the Bundle's total comes before its entries.
  std::vector<std::string> events;
  CHARTROOM_RETURN_IF_ERROR(audit::ForEachEvent(
      *context.store, *s.audit_key, 1, [&](std::string_view id, const audit::Event& e) {
        const bool match = !patient.empty() ? std::find(e.patients.begin(), e.patients.end(),
                                                        patient) != e.patients.end()
                                            : e.user == user;
        if (match) events.push_back(audit::ToAuditEvent(id, e));
        return true;
      }));
  return AuditEventsReply(s, caller, request, context, events,
                          patient.empty() ? "access report by user" : "access report by patient",
                          patient);
}

Result<Reply> Answer(const AccessServices& s, const http::Request& request,
                     const RequestContext& context) {
  const std::string_view path = request.path();
  const std::string_view method = request.method;
  if (path == "/auth/login" && method == "POST") return Login(s, request, context);
  if (path == "/auth/refresh" && method == "POST") return Refresh(s, request);
  if (path == "/auth/token" && method == "POST") return ClientToken(s, request, context);
  CHARTROOM_ASSIGN_OR_RETURN(access::Caller caller, AuthenticateRequest(*s.identity, request));
  audit::Event event = EventFor(&caller, request, context);
  if (path == "/auth/logout" && method == "POST") {
    CHARTROOM_RETURN_IF_ERROR(s.identity->Logout(caller));
    event.action = audit::Action::kLogout;
    Audit(s, event);
    json::object done;
    done["revoked"] = true;
    return JsonReply(200, done);
  }
  if (path == "/auth/break-glass" && method == "POST") {
    CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
    const json::value* minutes = body.if_contains("minutes");
    const int m = minutes != nullptr && minutes->is_int64()
                      ? static_cast<int>(std::clamp<std::int64_t>(minutes->get_int64(), 0, 1000))
                      : 60;
    auto grant = s.identity->ClaimBreakGlass(caller, access::StringField(body, "patient"),
                                             access::StringField(body, "reason"), m);
    event.action = audit::Action::kBreakGlass;
    event.purpose = "ETREAT";
    event.patients = {access::StringField(body, "patient")};
    event.detail =
        grant ? "start " + grant->id + ": " + access::StringField(body, "reason") : "refused";
    event.outcome = grant ? "success" : "denied";
    Audit(s, event);
    if (!grant) return tl::unexpected(grant.error());
    return JsonReply(201, grant->ToJson());
  }
  if (path.starts_with("/privacy/")) {
    if (path == "/privacy/access-report" && method == "GET") {
      return AccessReport(s, caller, request, context);
    }
    if (!Has(caller, access::Role::kPrivacyOfficer)) return tl::unexpected(Denied());
    if (path == "/privacy/audit" && method == "GET") {
      return AuditSearch(s, caller, request, context);
    }
    if (path == "/privacy/break-glass" && method == "GET") {
      const bool all = request.query().find("all=true") != std::string_view::npos;
      CHARTROOM_ASSIGN_OR_RETURN(auto grants, s.identity->BreakGlassGrants(!all));
      json::array list;
      for (const auto& g : grants) list.push_back(g.ToJson());
      json::object out;
      out["grants"] = std::move(list);
      return JsonReply(200, out);
    }
    if (path == "/privacy/reviews" && method == "GET" && s.monitor != nullptr) {
      const bool all = request.query().find("all=true") != std::string_view::npos;
      CHARTROOM_ASSIGN_OR_RETURN(auto items, s.monitor->Reviews(!all));
      json::array list;
      for (const auto& item : items) list.push_back(item.ToJson());
      json::object out;
      out["reviews"] = std::move(list);
      return JsonReply(200, out);
    }
    constexpr std::string_view kItem = "/privacy/reviews/";
    if (path.starts_with(kItem) && method == "POST" && s.monitor != nullptr) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
      CHARTROOM_ASSIGN_OR_RETURN(auto item,
                                 s.monitor->Review(path.substr(kItem.size()), caller.subject.id,
                                                   access::StringField(body, "decision"),
                                                   access::StringField(body, "note")));
      event.action = audit::Action::kAdministration;
      if (!item.patient.empty()) event.patients = {item.patient};
      event.detail = "review " + item.id + " (" + item.rule + "): " + item.decision;
      Audit(s, event);
      return JsonReply(200, item.ToJson());
    }
    constexpr std::string_view kReview = "/privacy/break-glass/";
    if (path.starts_with(kReview) && method == "POST") {
      CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
      CHARTROOM_ASSIGN_OR_RETURN(
          auto grant, s.identity->ReviewBreakGlass(path.substr(kReview.size()), caller.subject.id,
                                                   access::StringField(body, "decision"),
                                                   access::StringField(body, "note")));
      event.action = audit::Action::kBreakGlass;
      event.patients = {grant.patient};
      event.detail = "review " + grant.id + ": " + grant.decision;
      Audit(s, event);
      return JsonReply(200, grant.ToJson());
    }
  }
  return Fail(ErrorCategory::kNotFound, "rest.unknown-route", "there is no endpoint at this URL");
}

}  // namespace

std::string TokenUrl(const RequestContext& context) {
  std::string_view base = context.base_url;
  constexpr std::string_view kFhir = "/fhir";
  if (base.ends_with(kFhir)) base.remove_suffix(kFhir.size());
  return std::string(base) + "/auth/token";
}

Reply SmartConfiguration(const RequestContext& context) {
  json::object o;
  o["token_endpoint"] = TokenUrl(context);
  o["grant_types_supported"] = json::array{"client_credentials"};
  o["token_endpoint_auth_methods_supported"] = json::array{"private_key_jwt"};
  o["token_endpoint_auth_signing_alg_values_supported"] = json::array{"RS384", "ES384"};
  o["scopes_supported"] = json::array{"system/*.rs", "system/*.cruds", "system/*.read"};
  o["capabilities"] = json::array{"client-confidential-asymmetric"};
  Reply reply = JsonReply(200, o);
  reply.headers.clear();
  return reply;
}

bool IsAccessPath(std::string_view path) {
  return path.starts_with("/auth/") || path.starts_with("/privacy/");
}

Reply HandleAccessEndpoint(const AccessServices& services, const http::Request& request,
                           const RequestContext& context) {
  if (services.identity == nullptr) {
    return ErrorReply(Error(ErrorCategory::kNotFound, "rest.unknown-route",
                            "access control is not configured on this server"));
  }
  auto reply = Answer(services, request, context);
  if (reply) return std::move(*reply);
  return ErrorReply(reply.error());
}

Result<access::Caller> AuthenticateRequest(access::Identity& identity,
                                           const http::Request& request) {
  const std::string_view authorization = HeaderOf(request, "Authorization");
  if (authorization.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return Fail(ErrorCategory::kUnauthenticated, "access.no-token",
                "this server needs a bearer token (Authorization: Bearer ...)");
  }
  CHARTROOM_ASSIGN_OR_RETURN(access::Caller caller,
                             identity.Authenticate(authorization.substr(kBearer.size()),
                                                   HeaderOf(request, "X-Purpose-Of-Use")));
  CHARTROOM_RETURN_IF_ERROR(access::CheckPurpose(caller.subject));
  return caller;
}

audit::Event EventFor(const access::Caller* caller, const http::Request& request,
                      const RequestContext& context) {
  audit::Event event;
  event.time = context.now;
  event.client_address = request.remote_address;
  event.request_id = context.request_id;
  if (caller != nullptr) {
    event.user = caller->subject.id;
    for (access::Role r : caller->subject.roles) event.roles.emplace_back(access::RoleName(r));
    event.purpose = caller->subject.purpose;
  }
  return event;
}

}  // namespace chartroom::rest
