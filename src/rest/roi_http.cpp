#include "rest/roi_http.hpp"

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "rest/error_response.hpp"
#include "rest/query_params.hpp"
#include "roi/packet.hpp"

namespace chartroom::rest {
namespace json = boost::json;
namespace {

constexpr std::string_view kRequests = "/api/roi/requests";
constexpr std::string_view kAccounting = "/api/roi/accounting/";

bool HasRole(const access::Caller& caller, std::initializer_list<access::Role> roles) {
  for (access::Role r : caller.subject.roles) {
    for (access::Role want : roles) {
      if (r == want) return true;
    }
  }
  return false;
}

Error Denied() {
  return Error(ErrorCategory::kForbidden, "access.denied",
               "the request is not permitted for this user, role and purpose of use");
}

Result<json::object> Body(const http::Request& request) {
  if (request.body.empty()) return json::object();
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInvalid, "roi.bad-request", "the body is a JSON object");
  }
  return std::move(v.get_object());
}

json::object WithChecklists(const roi::Request& r, std::string_view today) {
  json::object o = r.ToJson();
  json::array checklists;
  for (const roi::Authorization& a : r.authorizations) {
    checklists.push_back(roi::Check(a, today).ToJson());
  }
  o["checklists"] = std::move(checklists);
  return o;
}

Reply Binary(std::string body, std::string content_type, std::string filename) {
  Reply reply;
  reply.kind = BodyKind::kText;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  reply.headers.push_back(
      {"Content-Disposition", "attachment; filename=\"" + std::move(filename) + "\""});
  reply.headers.push_back({"Cache-Control", "no-store"});
  return reply;
}

Result<std::string> Format(const http::Request& request, std::string_view fallback) {
  CHARTROOM_ASSIGN_OR_RETURN(auto params, ParseQueryParams(request.query()));
  std::string format(fallback);
  for (const QueryParam& p : params) {
    if (p.name == "format") format = p.value;
  }
  return format;
}

}  // namespace

bool IsRoiPath(std::string_view path) {
  return path == kRequests || path.starts_with(std::string(kRequests) + "/") ||
         path.starts_with(kAccounting);
}

Reply HandleRoiEndpoint(const AccessServices& services, const roi::Settings* settings,
                        const http::Request& request, const RequestContext& context) {
  auto answer = [&]() -> Result<Reply> {
    if (settings == nullptr) {
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                  "release of information is not served here");
    }
    std::optional<access::Caller> caller;
    if (services.identity != nullptr) {
      CHARTROOM_ASSIGN_OR_RETURN(caller, AuthenticateRequest(*services.identity, request));
    }
    using access::Role;
    const bool works = !caller || HasRole(*caller, {Role::kHimTechnician, Role::kHimDirector});
    const bool reads = works || HasRole(*caller, {Role::kPrivacyOfficer});
    const std::string user = caller ? caller->subject.id : std::string("trusted");
    store::ResourceStore& store = *context.store;
    const std::string_view path = request.path();
    audit::Event event = EventFor(caller ? &*caller : nullptr, request, context);
    event.action = audit::Action::kRead;
    auto audited = [&](Result<Reply> reply) -> Result<Reply> {
      event.outcome = reply                                                   ? "success"
                      : reply.error().category() == ErrorCategory::kNotFound  ? "not-found"
                      : reply.error().category() == ErrorCategory::kForbidden ? "denied"
                                                                              : "invalid";
      if (services.trail != nullptr) services.trail->Record(std::move(event));
      return reply;
    };
    // A change: its audit entry commits with it.
    audit::Trail* trail = services.trail;
    auto within = [&](std::string detail) -> roi::Within {
      audit::Event base = event;
      base.action = audit::Action::kUpdate;
      base.detail = std::move(detail);
      return [trail, base](store::Transaction& tx, const roi::Request& r) -> Status {
        if (trail == nullptr) return Ok();
        audit::Event e = base;
        e.patients = {r.patient};
        e.resources = {"roi-request/" + r.id};
        if (r.release && base.detail == "roi fulfil") {
          for (const std::string& ref : r.release->resources) e.resources.push_back(ref);
        }
        return trail->RecordIn(tx, e);
      };
    };
    auto changed = [&](Result<roi::Request> r, int status = 200) -> Result<Reply> {
      if (!r) return audited(tl::unexpected(r.error()));  // nothing written: audit the attempt
      return JsonReply(status, WithChecklists(*r, roi::DayOf(context.now)));
    };
    auto method = [&](std::string_view want) -> Status {
      if (request.method == want) return Ok();
      return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                  std::string(path) + " takes " + std::string(want));
    };

    if (path.starts_with(kAccounting)) {
      CHARTROOM_RETURN_IF_ERROR(method("GET"));
      const std::string patient(path.substr(kAccounting.size()));
      const bool own = caller && HasRole(*caller, {Role::kPatient}) &&
                       caller->subject.patient == patient && !patient.empty();
      if (!reads && !own) return tl::unexpected(Denied());
      event.detail = "roi accounting";
      event.patients = {patient};
      auto report = [&]() -> Result<Reply> {
        CHARTROOM_ASSIGN_OR_RETURN(std::string format, Format(request, "json"));
        auto chart = store.Read("Patient", patient);
        if (!chart) {
          return Fail(ErrorCategory::kNotFound, "roi.unknown-patient",
                      "there is no patient " + patient);
        }
        CHARTROOM_ASSIGN_OR_RETURN(auto list, roi::Accounting(store, patient, context.now));
        if (format == "pdf") {
          return Binary(
              roi::AccountingPdf(*settings, *chart, list, core::FormatInstant(context.now)),
              "application/pdf", "accounting-" + patient + ".pdf");
        }
        if (format != "json") {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request", "format is json or pdf");
        }
        return JsonReply(200, roi::AccountingToJson(patient, list));
      };
      return audited(report());
    }

    if (!reads) return tl::unexpected(Denied());
    if (path == kRequests) {
      if (request.method == "POST") {
        if (!works) return tl::unexpected(Denied());
        CHARTROOM_ASSIGN_OR_RETURN(json::object body, Body(request));
        event.detail = "roi intake";
        if (const json::value* p = body.if_contains("patient"); p != nullptr && p->is_string()) {
          event.patients = {std::string(p->get_string())};
        }
        return changed(roi::Intake(store, *settings, body, user, context.now, within("roi intake")),
                       201);
      }
      CHARTROOM_RETURN_IF_ERROR(method("GET"));
      event.detail = "roi queue";
      auto queue = [&]() -> Result<Reply> {
        CHARTROOM_ASSIGN_OR_RETURN(auto params, ParseQueryParams(request.query()));
        std::optional<roi::RequestStatus> status;
        for (const QueryParam& p : params) {
          if (p.name != "status") continue;
          status = roi::ParseStatus(p.value);
          if (!status) {
            return Fail(ErrorCategory::kInvalid, "roi.bad-request",
                        "status is received, pending-authorization, in-review, fulfilled, "
                        "denied or cancelled");
          }
        }
        CHARTROOM_ASSIGN_OR_RETURN(auto items, roi::Queue(store, status, context.now));
        json::array list;
        for (const roi::QueueItem& item : items) {
          const roi::Request& r = item.request;
          list.push_back(json::object{{"id", r.id},
                                      {"patient", r.patient},
                                      {"requester", roi::RequesterName(r.requester)},
                                      {"requester_name", r.requester_name},
                                      {"purpose", roi::PurposeName(r.purpose)},
                                      {"basis", roi::BasisName(roi::BasisOf(r))},
                                      {"status", roi::StatusName(r.status)},
                                      {"received", r.received},
                                      {"due", r.due},
                                      {"extended", !r.extension_reason.empty()},
                                      {"age_days", item.age_days},
                                      {"days_left", item.days_left},
                                      {"overdue", item.days_left < 0}});
          event.patients.push_back(r.patient);
        }
        return JsonReply(200, json::object{{"requests", std::move(list)}});
      };
      return audited(queue());
    }

    // /api/roi/requests/{id}[/action[/n/revoke]]
    std::string_view rest = path.substr(kRequests.size() + 1);
    std::vector<std::string_view> parts;
    while (!rest.empty()) {
      const std::size_t slash = rest.find('/');
      parts.push_back(rest.substr(0, slash));
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    if (parts.empty() || parts[0].empty()) {
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route", "no request id in the URL");
    }
    const std::string id(parts[0]);
    const std::string_view action = parts.size() > 1 ? parts[1] : std::string_view();
    event.resources = {"roi-request/" + id};
    CHARTROOM_ASSIGN_OR_RETURN(roi::Request current, roi::GetRequest(store, id));
    event.patients = {current.patient};

    if (action.empty() || action == "packet") {
      CHARTROOM_RETURN_IF_ERROR(method("GET"));
      if (action.empty()) {
        event.detail = "roi request";
        return audited(JsonReply(200, WithChecklists(current, roi::DayOf(context.now))));
      }
      event.detail = "roi packet";
      event.action = audit::Action::kExport;
      auto packet = [&]() -> Result<Reply> {
        CHARTROOM_ASSIGN_OR_RETURN(std::string format, Format(request, "pdf"));
        CHARTROOM_ASSIGN_OR_RETURN(auto released, roi::Released(store, current));
        const std::string printed = current.release->at;
        if (format == "pdf") {
          roi::Packet p = roi::PacketPdf(*settings, current, released, printed);
          return Binary(std::move(p.pdf), "application/pdf", current.id + ".pdf");
        }
        if (format != "bundle") {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request", "format is pdf or bundle");
        }
        Reply reply = Binary(json::serialize(roi::PacketBundle(current, released, printed)),
                             "application/fhir+json", current.id + ".json");
        return reply;
      };
      return audited(packet());
    }
    if (!works) return tl::unexpected(Denied());
    CHARTROOM_RETURN_IF_ERROR(method("POST"));
    CHARTROOM_ASSIGN_OR_RETURN(json::object body, Body(request));
    const std::string reason = body.contains("reason") && body.at("reason").is_string()
                                   ? std::string(body.at("reason").get_string())
                                   : std::string();
    if (action == "authorizations" && parts.size() == 2) {
      event.detail = "roi authorization";
      auto added = roi::Authorization::FromJson(body);
      if (!added) return audited(tl::unexpected(added.error()));
      return changed(roi::AddAuthorization(store, id, std::move(*added), user, context.now,
                                           within("roi authorization")));
    }
    if (action == "authorizations" && parts.size() == 4 && parts[3] == "revoke") {
      event.detail = "roi revoke";
      const std::string date = body.contains("date") && body.at("date").is_string()
                                   ? std::string(body.at("date").get_string())
                                   : roi::DayOf(context.now);
      const std::string index(parts[2]);
      if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos ||
          index.size() > 4) {
        return Fail(ErrorCategory::kNotFound, "roi.unknown-authorization",
                    "authorizations are numbered from 0");
      }
      return changed(roi::RevokeAuthorization(store, id, std::stoul(index), date, user, context.now,
                                              within("roi revoke")));
    }
    if (parts.size() != 2) {
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                  "request actions are authorizations, extend, deny, cancel, fulfil, deliver");
    }
    if (action == "extend") {
      event.detail = "roi extend";
      return changed(
          roi::Extend(store, *settings, id, reason, user, context.now, within("roi extend")));
    }
    if (action == "deny" || action == "cancel") {
      event.detail = "roi " + std::string(action);
      return changed(
          roi::Close(store, id, action == "deny", reason, user, context.now, within(event.detail)));
    }
    if (action == "fulfil") {
      event.detail = "roi fulfil";
      const roi::Settings& s = *settings;
      auto pages = [&s](const roi::Request& r, const std::vector<store::ResourceVersion>& released)
          -> Result<std::size_t> { return roi::PacketPdf(s, r, released, r.release->at).pages; };
      return changed(
          roi::Fulfil(store, *settings, id, user, context.now, pages, within("roi fulfil")));
    }
    if (action == "deliver") {
      event.detail = "roi deliver";
      return changed(roi::Deliver(store, id, user, context.now, within("roi deliver")));
    }
    return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                "request actions are authorizations, extend, deny, cancel, fulfil, deliver");
  };
  auto reply = answer();
  if (reply) return std::move(*reply);
  return ErrorReply(reply.error());
}

}  // namespace chartroom::rest
