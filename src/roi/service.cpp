#include "roi/service.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

#include <boost/json.hpp>

#include "access/gate.hpp"
#include "access/policy.hpp"
#include "core/result_macros.hpp"
#include "fhir/search/query.hpp"
#include "roi/amendment.hpp"
#include "roi/fields.hpp"

namespace chartroom::roi {
namespace json = boost::json;
namespace {

Result<Request> Load(store::Transaction& tx, std::string_view id) {
  CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kRequestKind, id));
  if (!record) {
    return Fail(ErrorCategory::kNotFound, "roi.unknown-request",
                "there is no release request " + std::string(id));
  }
  CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(record->value));
  return Request::FromJson(o);
}

Status Save(store::Transaction& tx, const Request& r) {
  return tx.PutRecord(kRequestKind, r.id, json::serialize(r.ToJson()));
}

void Note(Request& r, std::string_view user, core::Timestamp now, std::string note) {
  r.history.push_back({core::FormatInstant(now), std::string(StatusName(r.status)),
                       std::string(user), std::move(note)});
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Whether the Patient agrees with how the requester identified them.
bool Identifies(const json::object& patient, const Identification& id) {
  if (Text(patient, "birthDate") != id.birth_date) return false;
  const json::value* names = patient.if_contains("name");
  if (names == nullptr || !names->is_array()) return false;
  for (const json::value& n : names->get_array()) {
    const json::object* name = n.if_object();
    if (name == nullptr || Lower(Text(*name, "family")) != Lower(id.family)) continue;
    if (const json::value* given = name->if_contains("given");
        given != nullptr && given->is_array()) {
      for (const json::value& g : given->get_array()) {
        if (g.is_string() && Lower(g.get_string()) == Lower(id.given)) return true;
      }
    }
  }
  return false;
}

Status CheckAuthorized(const Request& r, std::string_view today) {
  if (BasisOf(r) != Basis::kAuthorization) return Ok();
  if (ValidAuthorization(r, AuthorizationKind::kHipaa, today) != nullptr) return Ok();
  std::string why;
  for (const Authorization& a : r.authorizations) {
    if (a.kind != AuthorizationKind::kHipaa) continue;
    const Checklist c = Check(a, today);
    if (c.expired) why += "; expired on " + a.expires;
    if (c.revoked) why += "; revoked on " + a.revoked_on;
    if (!ForRecipient(a, r)) why += "; made out to another recipient";
    for (const ChecklistItem& i : c.items) {
      if (!i.met) why += "; missing " + i.element + " (" + i.citation + ")";
    }
  }
  if (why.empty()) why = "; none was presented";
  return Fail(ErrorCategory::kForbidden, "roi.authorization-required",
              "a " + std::string(RequesterName(r.requester)) + " request for " +
                  std::string(PurposeName(r.purpose)) +
                  " needs a valid HIPAA authorization (45 CFR 164.508)" + why);
}

Status Settle(Request& r, std::string_view today) {
  if (r.status == RequestStatus::kReceived || r.status == RequestStatus::kPendingAuthorization ||
      r.status == RequestStatus::kInReview) {
    r.status =
        CheckAuthorized(r, today) ? RequestStatus::kInReview : RequestStatus::kPendingAuthorization;
  }
  return Ok();
}

// Reads, changes and saves one request in one transaction.
Result<Request> Change(store::ResourceStore& store, std::string_view id,
                       const std::function<Status(store::Transaction&, Request&)>& change,
                       const Within& within) {
  Request out;
  const Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(Request r, Load(tx, id));
    CHARTROOM_RETURN_IF_ERROR(change(tx, r));
    CHARTROOM_RETURN_IF_ERROR(Save(tx, r));
    if (within) CHARTROOM_RETURN_IF_ERROR(within(tx, r));
    out = std::move(r);
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return out;
}

Status MustBeOpen(const Request& r) {
  if (Open(r.status)) return Ok();
  return Fail(ErrorCategory::kConflict, "roi.closed",
              "request " + r.id + " is " + std::string(StatusName(r.status)));
}

// The date a resource is about (for the requested date range): the first of the usual clinical
// date elements, as YYYY-MM-DD; "" when it has none.
std::string ClinicalDate(const json::object& resource) {
  static constexpr std::pair<std::string_view, std::string_view> kPaths[] = {
      {"period", "start"},
      {"effectiveDateTime", ""},
      {"effectivePeriod", "start"},
      {"performedDateTime", ""},
      {"performedPeriod", "start"},
      {"onsetDateTime", ""},
      {"recordedDate", ""},
      {"authoredOn", ""},
      {"occurrenceDateTime", ""},
      {"issued", ""},
      {"started", ""},
      {"billablePeriod", "start"},
      {"date", ""},
      {"created", ""}};
  for (const auto& [first, second] : kPaths) {
    const json::value* v = resource.if_contains(first);
    if (v != nullptr && !second.empty()) {
      v = v->is_object() ? v->get_object().if_contains(second) : nullptr;
    }
    if (v != nullptr && v->is_string() && v->get_string().size() >= 10) {
      return std::string(v->get_string().subview(0, 10));
    }
  }
  return "";
}

Result<std::vector<access::ConsentRule>> ConsentOf(store::ResourceStore& store,
                                                   std::string_view patient) {
  CHARTROOM_ASSIGN_OR_RETURN(
      fhir::search::SearchQuery query,
      fhir::search::ParseSearchQuery(
          "Consent", "patient=Patient/" + std::string(patient) + "&status=active&_count=100",
          fhir::search::Handling::kStrict));
  CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, store.Search(query));
  std::vector<access::ConsentRule> rules;
  for (const store::ResourceVersion& v : page.matches) {
    CHARTROOM_ASSIGN_OR_RETURN(json::object consent, ParseObject(v.json));
    for (access::ConsentRule& r : access::ConsentRules(consent)) rules.push_back(std::move(r));
  }
  return rules;
}

std::string Reference(const store::ResourceVersion& v) {
  return v.type + "/" + v.id + "/_history/" + std::to_string(v.version);
}

std::string RecipientOf(const Request& r) {
  std::string out = r.requester_name;
  if (!r.requester_organization.empty()) out += ", " + r.requester_organization;
  if (!r.requester_address.empty()) out += ", " + r.requester_address;
  return out;
}

std::string DescriptionOf(const Request& r) {
  std::string out;
  for (const std::string& t : r.requested.record_types) {
    out += (out.empty() ? "" : ", ") + (t == "all" ? std::string("all records") : t);
  }
  if (!r.requested.from.empty() || !r.requested.to.empty()) {
    out += " (" + (r.requested.from.empty() ? std::string("the beginning") : r.requested.from) +
           " to " + (r.requested.to.empty() ? std::string("the present") : r.requested.to) + ")";
  }
  return out;
}

}  // namespace

// Whether `a` is made out to the request's requester: its recipient names them or their
// organization (or the other way round), ignoring case.
bool ForRecipient(const Authorization& a, const Request& r) {
  const std::string to = Lower(a.recipient);
  for (const std::string* who : {&r.requester_name, &r.requester_organization}) {
    const std::string name = Lower(*who);
    if (!name.empty() && !to.empty() &&
        (to.find(name) != std::string::npos || name.find(to) != std::string::npos)) {
      return true;
    }
  }
  return false;
}

const Authorization* ValidAuthorization(const Request& r, AuthorizationKind kind,
                                        std::string_view date) {
  for (const Authorization& a : r.authorizations) {
    if (a.kind == kind && Check(a, date).valid() && ForRecipient(a, r)) return &a;
  }
  return nullptr;
}

std::string DayOf(core::Timestamp t) { return core::FormatInstant(t).substr(0, 10); }

Result<Request> GetRequest(store::ResourceStore& store, std::string_view id) {
  Result<Request> out = Fail(ErrorCategory::kInternal, "roi.unread", "");
  const Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    out = Load(tx, id);
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return out;
}

Result<Request> Intake(store::ResourceStore& store, const Settings& settings,
                       const json::object& body, std::string_view user, core::Timestamp now,
                       const Within& within) {
  const std::string today = DayOf(now);
  CHARTROOM_ASSIGN_OR_RETURN(Request r, ParseIntake(body, today));
  auto patient = store.Read("Patient", r.patient);
  if (!patient) {
    if (patient.error().category() == ErrorCategory::kNotFound ||
        patient.error().category() == ErrorCategory::kGone) {
      return Fail(ErrorCategory::kNotFound, "roi.unknown-patient",
                  "there is no patient " + r.patient);
    }
    return tl::unexpected(patient.error());
  }
  CHARTROOM_ASSIGN_OR_RETURN(json::object chart, ParseObject(patient->json));
  if (!Identifies(chart, r.identification)) {
    return Fail(ErrorCategory::kConflict, "roi.identity-mismatch",
                "the name and birth date the requester gave do not match patient " + r.patient +
                    ": confirm the patient through the patient index");
  }
  r.due = AddDays(r.received, settings.due_days[static_cast<std::size_t>(r.requester)]);
  r.status = RequestStatus::kReceived;
  Note(r, user, now, "received");
  CHARTROOM_RETURN_IF_ERROR(Settle(r, today));
  if (r.status == RequestStatus::kPendingAuthorization)
    Note(r, user, now, "waiting for authorization");
  const Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(r.id, NextNumber(tx, "request", "R-"));
    CHARTROOM_RETURN_IF_ERROR(Save(tx, r));
    if (within) CHARTROOM_RETURN_IF_ERROR(within(tx, r));
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return r;
}

Result<Request> AddAuthorization(store::ResourceStore& store, std::string_view id,
                                 Authorization authorization, std::string_view user,
                                 core::Timestamp now, const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Request& r) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBeOpen(r));
        const Checklist c = Check(authorization, DayOf(now));
        r.authorizations.push_back(authorization);
        const RequestStatus before = r.status;
        CHARTROOM_RETURN_IF_ERROR(Settle(r, DayOf(now)));
        Note(r, user, now,
             std::string(AuthorizationKindName(authorization.kind)) + " authorization added" +
                 (c.valid() ? "" : " (incomplete)") +
                 (before != r.status ? "; now " + std::string(StatusName(r.status)) : ""));
        return Ok();
      },
      within);
}

Result<Request> RevokeAuthorization(store::ResourceStore& store, std::string_view id,
                                    std::size_t index, std::string_view date, std::string_view user,
                                    core::Timestamp now, const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Request& r) -> Status {
        if (index >= r.authorizations.size()) {
          return Fail(ErrorCategory::kNotFound, "roi.unknown-authorization",
                      "request " + r.id + " has no authorization " + std::to_string(index));
        }
        if (!ValidDate(date)) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request", "date is YYYY-MM-DD");
        }
        r.authorizations[index].revoked_on = std::string(date);
        CHARTROOM_RETURN_IF_ERROR(Settle(r, DayOf(now)));
        Note(r, user, now, "authorization " + std::to_string(index) + " revoked");
        return Ok();
      },
      within);
}

Result<Request> Extend(store::ResourceStore& store, const Settings& settings, std::string_view id,
                       std::string_view reason, std::string_view user, core::Timestamp now,
                       const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Request& r) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBeOpen(r));
        if (!r.extension_reason.empty()) {
          return Fail(ErrorCategory::kConflict, "roi.extended",
                      "request " + r.id + " has had its one extension");
        }
        if (DayOf(now) > r.due) {
          return Fail(ErrorCategory::kConflict, "roi.overdue",
                      "request " + r.id + " was due on " + r.due +
                          ": an extension is given within the first period");
        }
        if (reason.empty()) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request",
                      "an extension needs its reason, which the requester is told");
        }
        r.extension_reason = std::string(reason);
        r.due = AddDays(r.due, static_cast<int>(settings.extension_days));
        Note(r, user, now, "extended to " + r.due);
        return Ok();
      },
      within);
}

Result<Request> Close(store::ResourceStore& store, std::string_view id, bool denied,
                      std::string_view reason, std::string_view user, core::Timestamp now,
                      const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Request& r) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBeOpen(r));
        if (reason.empty()) {
          return Fail(ErrorCategory::kInvalid, "roi.bad-request",
                      std::string(denied ? "a denial" : "a cancellation") + " needs its reason");
        }
        r.status = denied ? RequestStatus::kDenied : RequestStatus::kCancelled;
        if (denied) r.denial_reason = std::string(reason);
        Note(r, user, now, std::string(reason));
        return Ok();
      },
      within);
}

Result<Selection> Select(store::ResourceStore& store, const Request& request,
                         std::string_view today) {
  // What may go: the requested kinds and dates, then the decision point.
  access::Disclosure disclosure;
  disclosure.purpose = std::string(PurposeOfUse(request.purpose));
  disclosure.recipient =
      request.requester_identifier.empty() ? request.requester_name : request.requester_identifier;
  const Basis basis = BasisOf(request);
  disclosure.to_patient = basis == Basis::kRightOfAccess;
  disclosure.part2_consent =
      ValidAuthorization(request, AuthorizationKind::kPart2, today) != nullptr;
  disclosure.psychotherapy_authorized =
      ValidAuthorization(request, AuthorizationKind::kPsychotherapy, today) != nullptr;
  if (basis == Basis::kAuthorization) {
    disclosure.by_authorization = true;
    for (const Authorization& a : request.authorizations) {
      if (!Check(a, today).valid()) continue;
      for (const std::string& l : a.sensitive) disclosure.sensitive_named.push_back(l);
    }
  }
  std::vector<std::string> types;
  bool all = false;
  for (const std::string& t : request.requested.record_types) {
    const auto fhir_types = FhirTypesOf(t);
    if (fhir_types && fhir_types->empty()) all = true;
    if (fhir_types) types.insert(types.end(), fhir_types->begin(), fhir_types->end());
  }
  CHARTROOM_ASSIGN_OR_RETURN(auto consent, ConsentOf(store, request.patient));
  CHARTROOM_ASSIGN_OR_RETURN(auto everything, store.Everything(request.patient, {}, std::nullopt));
  std::vector<store::ResourceVersion> released;
  std::map<std::string, std::int64_t> withheld;
  bool part2 = false;
  const bool dated = !request.requested.from.empty() || !request.requested.to.empty();
  for (store::ResourceVersion& v : everything) {
    if (v.type == "Patient") {
      if (v.id == request.patient) released.insert(released.begin(), std::move(v));
      continue;
    }
    if (!all && std::find(types.begin(), types.end(), v.type) == types.end()) continue;
    CHARTROOM_ASSIGN_OR_RETURN(json::object resource, ParseObject(v.json));
    // The compartment also holds what the patient only took part in (a condition they asserted
    // about their child, a coverage they subscribe to): only their own records go.
    if (PatientOf(resource) != request.patient) continue;
    if (dated) {
      const std::string date = ClinicalDate(resource);
      if (date.empty() || (!request.requested.from.empty() && date < request.requested.from) ||
          (!request.requested.to.empty() && date > request.requested.to)) {
        continue;
      }
    }
    const access::ResourceFacts facts{v.type, request.patient, access::SecurityLabels(resource)};
    const access::Decision d = access::DecideDisclosure(disclosure, facts, consent);
    if (d.effect != access::Effect::kAllow) {
      ++withheld[std::string(d.rule)];
      continue;
    }
    // Part 2 records to anyone but the patient carry the 42 CFR 2.32 notice.
    if (!disclosure.to_patient &&
        std::find(facts.labels.begin(), facts.labels.end(), "SUD") != facts.labels.end()) {
      part2 = true;
    }
    released.push_back(std::move(v));
  }
  if (released.empty() || released.front().type != "Patient") {
    return Fail(ErrorCategory::kNotFound, "roi.unknown-patient",
                "patient " + request.patient + " is no longer in the record");
  }

  // Statements of disagreement (and rebuttals) go with the records they dispute.
  std::vector<std::string> records;
  for (const store::ResourceVersion& v : released) records.push_back(v.type + "/" + v.id);
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<std::string> statements,
                             StatementsFor(store, request.patient, records));
  for (const std::string& statement : statements) {
    if (std::find(records.begin(), records.end(), statement) != records.end()) continue;
    CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion v,
                               store.Read("DocumentReference", statement.substr(18)));
    released.push_back(std::move(v));
  }

  Selection out;
  out.released = std::move(released);
  for (const auto& [rule, n] : withheld) out.withheld.emplace_back(rule, n);
  out.part2 = part2;
  out.statements = std::move(statements);
  return out;
}

Result<Request> Fulfil(store::ResourceStore& store, const Settings& settings, std::string_view id,
                       std::string_view user, core::Timestamp now, const PageCounter& pages,
                       const Within& within) {
  const std::string today = DayOf(now);
  CHARTROOM_ASSIGN_OR_RETURN(Request request, GetRequest(store, id));
  CHARTROOM_RETURN_IF_ERROR(MustBeOpen(request));
  CHARTROOM_RETURN_IF_ERROR(CheckAuthorized(request, today));

  CHARTROOM_ASSIGN_OR_RETURN(Selection selection, Select(store, request, today));
  // The Patient alone is nothing to release.
  if (selection.released.size() - selection.statements.size() <= 1) {
    return Fail(
        ErrorCategory::kConflict, "roi.nothing-to-release",
        "no record of the kinds and dates requested may be released for request " + request.id);
  }
  std::vector<store::ResourceVersion>& released = selection.released;
  const Basis basis = BasisOf(request);

  Release release;
  release.at = core::FormatInstant(now);
  release.statements = selection.statements;
  for (const store::ResourceVersion& v : released) release.resources.push_back(Reference(v));
  release.withheld = selection.withheld;
  release.part2 = selection.part2;
  Request draft = request;
  draft.release = release;
  draft.status = RequestStatus::kFulfilled;
  CHARTROOM_ASSIGN_OR_RETURN(release.pages, pages(draft, released));
  switch (basis) {
    case Basis::kRightOfAccess:
      if (request.electronic) {
        release.fee_basis = "flat-electronic";
        release.fee_cents = settings.electronic_flat_cents;
      } else {
        release.fee_basis = "per-page";
        release.fee_cents =
            settings.patient_per_page_cents * static_cast<std::int64_t>(release.pages);
      }
      break;
    case Basis::kAuthorization:
    case Basis::kSubpoena:
      release.fee_basis = "third-party";
      release.fee_cents = settings.retrieval_cents +
                          settings.per_page_cents * static_cast<std::int64_t>(release.pages);
      break;
    default:
      release.fee_basis = "none";
      break;
  }

  return Change(
      store, id,
      [&](store::Transaction& tx, Request& r) -> Status {
        // Changed since it was read (an authorization revoked, another fulfilment): the
        // selection may no longer hold.
        CHARTROOM_RETURN_IF_ERROR(MustBeOpen(r));
        if (r.history.size() != request.history.size()) {
          return Fail(ErrorCategory::kConflict, "roi.changed",
                      "request " + r.id + " changed while it was being fulfilled: try again");
        }
        CHARTROOM_RETURN_IF_ERROR(CheckAuthorized(r, today));
        r.release = release;
        r.status = RequestStatus::kFulfilled;
        Note(r, user, now,
             "released " + std::to_string(release.resources.size()) + " records, " +
                 std::to_string(release.pages) + " pages");
        if (Accountable(basis)) {
          json::object entry{{"date", today},
                             {"recipient", RecipientOf(r)},
                             {"description", DescriptionOf(r)},
                             {"purpose", std::string(PurposeName(r.purpose)) + " (" +
                                             std::string(BasisCitation(basis)) + ")"},
                             {"request", r.id}};
          CHARTROOM_RETURN_IF_ERROR(tx.PutRecord(
              kAccountingKind, r.patient + "/" + today + "/" + r.id, json::serialize(entry)));
        }
        return Ok();
      },
      within);
}

Result<Request> Deliver(store::ResourceStore& store, std::string_view id, std::string_view user,
                        core::Timestamp now, const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Request& r) -> Status {
        if (r.status != RequestStatus::kFulfilled || !r.release) {
          return Fail(ErrorCategory::kConflict, "roi.not-fulfilled",
                      "request " + r.id + " has no release to deliver");
        }
        if (!r.release->delivered_at.empty()) {
          return Fail(ErrorCategory::kConflict, "roi.delivered",
                      "request " + r.id + " was delivered on " + r.release->delivered_at);
        }
        r.release->delivered_at = core::FormatInstant(now);
        r.release->delivered_by = std::string(user);
        Note(r, user, now, "delivered by " + r.delivery);
        return Ok();
      },
      within);
}

Result<std::vector<store::ResourceVersion>> Released(store::ResourceStore& store,
                                                     const Request& request) {
  if (!request.release) {
    return Fail(ErrorCategory::kConflict, "roi.not-fulfilled",
                "request " + request.id + " has released nothing");
  }
  std::vector<store::ResourceVersion> out;
  for (const std::string& ref : request.release->resources) {
    const std::size_t slash = ref.find('/');
    const std::size_t history = ref.find("/_history/");
    if (slash == std::string::npos || history == std::string::npos) continue;
    CHARTROOM_ASSIGN_OR_RETURN(
        store::ResourceVersion v,
        store.ReadVersion(ref.substr(0, slash), ref.substr(slash + 1, history - slash - 1),
                          std::atoll(ref.c_str() + history + 10)));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<QueueItem>> Queue(store::ResourceStore& store,
                                     std::optional<RequestStatus> status, core::Timestamp now) {
  const std::string today = DayOf(now);
  std::vector<QueueItem> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kRequestKind, after, 1000));
    for (const store::Record& record : page) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(record.value));
      CHARTROOM_ASSIGN_OR_RETURN(Request r, Request::FromJson(o));
      if (status ? r.status != *status : !Open(r.status)) continue;
      const std::int64_t age = DaysBetween(r.received, today);
      const std::int64_t left = DaysBetween(today, r.due);
      out.push_back({std::move(r), age, left});
    }
    if (page.size() < 1000) break;
    after = page.back().key;
  }
  std::stable_sort(out.begin(), out.end(), [](const QueueItem& a, const QueueItem& b) {
    return a.request.due < b.request.due;
  });
  return out;
}

Result<std::vector<AccountedDisclosure>> Accounting(store::ResourceStore& store,
                                                    std::string_view patient, core::Timestamp now) {
  const std::string prefix = std::string(patient) + "/";
  const std::string today = DayOf(now);
  // Six years back (164.528(a)(3)).
  const std::string since =
      std::to_string(std::atoi(today.substr(0, 4).c_str()) - 6) + today.substr(4);
  std::vector<AccountedDisclosure> out;
  std::string after = prefix;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kAccountingKind, after, 500));
    bool done = page.size() < 500;
    for (const store::Record& record : page) {
      if (!std::string_view(record.key).starts_with(prefix)) {
        done = true;
        break;
      }
      CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(record.value));
      AccountedDisclosure d{Text(o, "date"), Text(o, "recipient"), Text(o, "description"),
                            Text(o, "purpose"), Text(o, "request")};
      if (d.date >= since) out.push_back(std::move(d));
    }
    if (done || page.empty()) break;
    after = page.back().key;
  }
  return out;
}

json::object AccountingToJson(std::string_view patient,
                              const std::vector<AccountedDisclosure>& list) {
  json::array items;
  for (const AccountedDisclosure& d : list) {
    items.push_back(json::object{{"date", d.date},
                                 {"recipient", d.recipient},
                                 {"description", d.description},
                                 {"purpose", d.purpose},
                                 {"request", d.request}});
  }
  return json::object{{"patient", patient}, {"disclosures", std::move(items)}};
}

}  // namespace chartroom::roi
