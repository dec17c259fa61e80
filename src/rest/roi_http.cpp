#include "rest/roi_http.hpp"

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "mpi/index.hpp"
#include "rest/error_response.hpp"
#include "rest/query_params.hpp"
#include "roi/amendment.hpp"
#include "roi/packet.hpp"

namespace chartroom::rest {
namespace json = boost::json;
namespace {

constexpr std::string_view kRequests = "/api/roi/requests";
constexpr std::string_view kAccounting = "/api/roi/accounting/";
constexpr std::string_view kAmendments = "/api/roi/amendments";
constexpr std::string_view kRecord = "/api/roi/record/";

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

// A request that names no patient: the patient index finds them from the identification given.
// Exactly one certain match is taken; anything else is for a person to resolve (the ids of the
// possible matches are named, nothing else of them).
Status FindPatient(const mpi::Index& index, json::object& body) {
  const json::value* id = body.if_contains("identification");
  if (id == nullptr || !id->is_object()) return Ok();  // intake says what is missing
  const json::object& given = id->get_object();
  auto text = [&](std::string_view key) {
    const json::value* v = given.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  json::object patient{{"resourceType", "Patient"},
                       {"name", json::array{json::object{{"family", text("family")},
                                                         {"given", json::array{text("given")}}}}},
                       {"birthDate", text("birth_date")}};
  if (const json::value* more = body.if_contains("patient_details");
      more != nullptr && more->is_object()) {
    for (const auto& [key, value] : more->get_object()) patient[key] = value;
  }
  const mpi::Person query = mpi::PersonFromPatient(patient);
  const auto found = index.Find(query, index.options().thresholds.review, 5);
  std::vector<std::string> certain;
  std::string possible;
  for (const mpi::Found& f : found) {
    if (f.decision == mpi::Decision::kMatch) certain.push_back(f.person.id);
    possible += (possible.empty() ? "" : ", ") + f.person.id;
  }
  if (certain.size() == 1) {
    body["patient"] = certain.front();
    return Ok();
  }
  if (found.empty()) {
    return Fail(ErrorCategory::kNotFound, "roi.unknown-patient",
                "the patient index finds no patient with this name and birth date");
  }
  return Fail(ErrorCategory::kConflict, "roi.patient-ambiguous",
              "the patient index finds no single certain match; possible: " + possible +
                  " (confirm one and give it as patient)");
}

}  // namespace

bool IsRoiPath(std::string_view path) {
  return path == kRequests || path.starts_with(std::string(kRequests) + "/") ||
         path.starts_with(kAccounting) || path == kAmendments ||
         path.starts_with(std::string(kAmendments) + "/") || path.starts_with(kRecord);
}

Reply HandleRoiEndpoint(const AccessServices& services, const roi::Settings* settings,
                        const mpi::Index* patient_index, const http::Request& request,
                        const RequestContext& context) {
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
    // `extra`: records the change writes besides its own (an amended record).
    auto within = [&](std::string detail, std::vector<std::string> extra = {}) -> roi::Within {
      audit::Event base = event;
      base.action = audit::Action::kUpdate;
      base.detail = std::move(detail);
      return [trail, base, extra](store::Transaction& tx, const roi::Request& r) -> Status {
        if (trail == nullptr) return Ok();
        audit::Event e = base;
        e.patients = {r.patient};
        e.resources = {(r.id.starts_with("A-") ? "roi-amendment/" : "roi-request/") + r.id};
        e.resources.insert(e.resources.end(), extra.begin(), extra.end());
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

    // The patient's own record, as the right of access gives it, to download.
    if (path.starts_with(kRecord)) {
      CHARTROOM_RETURN_IF_ERROR(method("GET"));
      const std::string patient(path.substr(kRecord.size()));
      const bool own = caller && HasRole(*caller, {Role::kPatient}) &&
                       caller->subject.patient == patient && !patient.empty();
      // The patient's own, only: staff release a record through a request (and its accounting).
      if (!own && caller) return tl::unexpected(Denied());
      event.detail = "roi own record";
      event.action = audit::Action::kExport;
      event.patients = {patient};
      auto download = [&]() -> Result<Reply> {
        CHARTROOM_ASSIGN_OR_RETURN(std::string format, Format(request, "pdf"));
        if (format != "pdf" && format != "bundle") {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request", "format is pdf or bundle");
        }
        roi::Request self;
        self.requester = roi::Requester::kPatient;
        self.patient = patient;
        self.requested.record_types = {"all"};
        self.purpose = roi::Purpose::kPersonal;
        self.received = roi::DayOf(context.now);
        CHARTROOM_ASSIGN_OR_RETURN(roi::Selection selection,
                                   roi::Select(store, self, self.received));
        if (selection.released.empty()) {
          return Fail(ErrorCategory::kNotFound, "roi.unknown-patient",
                      "there is no patient " + patient);
        }
        for (const store::ResourceVersion& v : selection.released) {
          event.resources.push_back(v.type + "/" + v.id + "/_history/" + std::to_string(v.version));
        }
        roi::Release release;
        release.at = core::FormatInstant(context.now);
        release.fee_basis = "none";
        release.statements = selection.statements;
        self.release = release;
        const std::string name = selection.released.front().id;
        self.requester_name = "Patient copy";
        if (format == "bundle") {
          return Binary(json::serialize(roi::PacketBundle(self, selection.released, release.at)),
                        "application/fhir+json", "record-" + patient + ".json");
        }
        return Binary(roi::PacketPdf(*settings, self, selection.released, release.at).pdf,
                      "application/pdf", "record-" + name + ".pdf");
      };
      return audited(download());
    }

    if (path == kAmendments || path.starts_with(std::string(kAmendments) + "/")) {
      std::vector<std::string_view> parts;
      for (std::string_view rest = path.substr(kAmendments.size()); !rest.empty();) {
        if (rest.front() == '/') rest.remove_prefix(1);
        const std::size_t slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
      }
      CHARTROOM_ASSIGN_OR_RETURN(json::object body, Body(request));
      auto amended = [&](Result<roi::Amendment> a, int status = 200) -> Result<Reply> {
        if (!a) return audited(tl::unexpected(a.error()));
        return JsonReply(status, a->ToJson());
      };
      auto own_patient = [&](std::string_view patient) {
        return caller && HasRole(*caller, {Role::kPatient}) && !patient.empty() &&
               caller->subject.patient == patient;
      };
      if (parts.empty()) {
        if (request.method == "POST") {
          const std::string patient = body.contains("patient") && body.at("patient").is_string()
                                          ? std::string(body.at("patient").get_string())
                                          : std::string();
          if (!works && !own_patient(patient)) return tl::unexpected(Denied());
          event.detail = "roi amendment request";
          event.patients = {patient};
          return amended(
              roi::RequestAmendment(store, body, user, context.now, within(event.detail)), 201);
        }
        CHARTROOM_RETURN_IF_ERROR(method("GET"));
        CHARTROOM_ASSIGN_OR_RETURN(auto params, ParseQueryParams(request.query()));
        std::string patient;
        for (const QueryParam& p : params) {
          if (p.name == "patient") patient = p.value;
        }
        if (patient.empty()) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request", "name the patient: ?patient=");
        }
        if (!reads && !own_patient(patient)) return tl::unexpected(Denied());
        event.detail = "roi amendments";
        event.patients = {patient};
        auto list = [&]() -> Result<Reply> {
          CHARTROOM_ASSIGN_OR_RETURN(auto all, roi::AmendmentsOf(store, patient));
          json::array items;
          for (const roi::Amendment& a : all) items.push_back(a.ToJson());
          return JsonReply(200, json::object{{"amendments", std::move(items)}});
        };
        return audited(list());
      }
      const std::string id(parts[0]);
      const std::string_view action = parts.size() > 1 ? parts[1] : std::string_view();
      event.resources = {"roi-amendment/" + id};
      CHARTROOM_ASSIGN_OR_RETURN(roi::Amendment current, roi::GetAmendment(store, id));
      event.patients = {current.patient};
      const bool own = own_patient(current.patient);
      if (action.empty() || action == "letter") {
        CHARTROOM_RETURN_IF_ERROR(method("GET"));
        if (!reads && !own) return tl::unexpected(Denied());
        if (action.empty()) {
          event.detail = "roi amendment";
          return audited(JsonReply(200, current.ToJson()));
        }
        event.detail = "roi amendment letter";
        auto letter = [&]() -> Result<Reply> {
          if (current.status != "denied") {
            return Fail(ErrorCategory::kConflict, "roi.amendment-" + current.status,
                        "only a denial has a letter");
          }
          CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion patient,
                                     store.Read("Patient", current.patient));
          return Binary(roi::AmendmentLetterPdf(*settings, current, patient,
                                                core::FormatInstant(context.now)),
                        "application/pdf", current.id + "-denial.pdf");
        };
        return audited(letter());
      }
      CHARTROOM_RETURN_IF_ERROR(method("POST"));
      const std::string text = body.contains("text") && body.at("text").is_string()
                                   ? std::string(body.at("text").get_string())
                                   : std::string();
      // The patient files their own statement of disagreement; the rest is HIM work.
      if (action == "disagreement") {
        if (!works && !own) return tl::unexpected(Denied());
        event.detail = "roi disagreement";
        return amended(
            roi::FileStatement(store, id, false, text, user, context.now, within(event.detail)));
      }
      if (!works) return tl::unexpected(Denied());
      const std::string reason = body.contains("reason") && body.at("reason").is_string()
                                     ? std::string(body.at("reason").get_string())
                                     : std::string();
      if (action == "rebuttal") {
        event.detail = "roi rebuttal";
        return amended(
            roi::FileStatement(store, id, true, text, user, context.now, within(event.detail)));
      }
      if (action == "extend") {
        event.detail = "roi amendment extend";
        return amended(
            roi::ExtendAmendment(store, id, reason, user, context.now, within(event.detail)));
      }
      if (action == "deny") {
        event.detail = "roi amendment deny";
        const std::string ground = body.contains("ground") && body.at("ground").is_string()
                                       ? std::string(body.at("ground").get_string())
                                       : std::string();
        const auto parsed = roi::ParseDenialGround(ground);
        if (!parsed) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request",
                      "ground is not-created-here, not-designated-record, not-accessible or "
                      "accurate-and-complete (45 CFR 164.526(a)(2))");
        }
        const std::string explanation =
            body.contains("explanation") && body.at("explanation").is_string()
                ? std::string(body.at("explanation").get_string())
                : std::string();
        return amended(roi::DenyAmendment(store, id, *parsed, explanation, user, context.now,
                                          within(event.detail)));
      }
      if (action == "accept") {
        event.detail = "roi amendment accept";
        const json::value* resource = body.if_contains("resource");
        if (resource == nullptr || !resource->is_object()) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request",
                      "accept takes {\"resource\": the record as amended, \"notify\": [...]}");
        }
        std::vector<std::string> notify;
        if (const json::value* n = body.if_contains("notify"); n != nullptr && n->is_array()) {
          for (const json::value& who : n->get_array()) {
            if (who.is_string()) notify.emplace_back(who.get_string());
          }
        }
        return amended(roi::AcceptAmendment(store, id, resource->get_object(), std::move(notify),
                                            user, context.now,
                                            within(event.detail, {current.record})));
      }
      if (action == "notified") {
        event.detail = "roi amendment notified";
        const json::value* index = body.if_contains("index");
        const std::string date = body.contains("date") && body.at("date").is_string()
                                     ? std::string(body.at("date").get_string())
                                     : roi::DayOf(context.now);
        if (index == nullptr || !index->is_int64() || index->get_int64() < 0) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request",
                      "notified takes {\"index\": n, \"date\": \"YYYY-MM-DD\"}");
        }
        return amended(roi::MarkNotified(store, id, static_cast<std::size_t>(index->get_int64()),
                                         date, user, context.now, within(event.detail)));
      }
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                  "amendment actions are extend, accept, notified, deny, disagreement, rebuttal, "
                  "letter");
    }

    if (!reads) return tl::unexpected(Denied());
    if (path == kRequests) {
      if (request.method == "POST") {
        if (!works) return tl::unexpected(Denied());
        CHARTROOM_ASSIGN_OR_RETURN(json::object body, Body(request));
        event.detail = "roi intake";
        if (!body.contains("patient") && patient_index != nullptr) {
          if (Status found = FindPatient(*patient_index, body); !found) {
            return audited(tl::unexpected(found.error()));  // a search of patients: audited
          }
        }
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
                                      {"overdue", item.days_left < 0},
                                      {"released", r.release ? r.release->at : ""}});
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
