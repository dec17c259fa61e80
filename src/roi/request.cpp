#include "roi/request.hpp"

#include <array>

#include "core/result_macros.hpp"
#include "roi/fields.hpp"

namespace chartroom::roi {
namespace json = boost::json;
namespace {

constexpr std::string_view kBad = "roi.bad-request";

constexpr std::array<std::string_view, kRequesterCount> kRequesters = {
    "patient",       "personal-representative",
    "attorney",      "insurer",
    "provider",      "law-enforcement",
    "court-order",   "subpoena",
    "public-health", "researcher"};
constexpr std::array<std::string_view, 9> kPurposes = {
    "personal",      "treatment", "payment",   "legal", "law-enforcement",
    "public-health", "research",  "insurance", "other"};
constexpr std::array<std::string_view, 6> kStatuses = {
    "received", "pending-authorization", "in-review", "fulfilled", "denied", "cancelled"};

template <typename E, std::size_t N>
std::optional<E> Find(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

Error Bad(std::string message) {
  return Error(ErrorCategory::kInvalid, std::string(kBad), std::move(message));
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> StringsOf(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(key); v != nullptr && v->is_array()) {
    for (const json::value& s : v->get_array()) {
      if (s.is_string()) out.emplace_back(s.get_string());
    }
  }
  return out;
}

const json::object* Member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

}  // namespace

std::string_view RequesterName(Requester r) { return kRequesters[static_cast<std::size_t>(r)]; }
std::optional<Requester> ParseRequester(std::string_view name) {
  return Find<Requester>(kRequesters, name);
}
std::string_view PurposeName(Purpose p) { return kPurposes[static_cast<std::size_t>(p)]; }
std::optional<Purpose> ParsePurpose(std::string_view name) {
  return Find<Purpose>(kPurposes, name);
}
std::string_view StatusName(RequestStatus s) { return kStatuses[static_cast<std::size_t>(s)]; }
std::optional<RequestStatus> ParseStatus(std::string_view name) {
  return Find<RequestStatus>(kStatuses, name);
}

bool Open(RequestStatus s) {
  return s == RequestStatus::kReceived || s == RequestStatus::kPendingAuthorization ||
         s == RequestStatus::kInReview;
}

std::string_view PurposeOfUse(Purpose p) {
  switch (p) {
    case Purpose::kPersonal:
      return "PATRQT";
    case Purpose::kTreatment:
      return "TREAT";
    case Purpose::kPayment:
    case Purpose::kInsurance:
      return "HPAYMT";
    case Purpose::kLegal:
    case Purpose::kLawEnforcement:
      return "LEGAL";
    case Purpose::kPublicHealth:
      return "PUBHLTH";
    case Purpose::kResearch:
      return "HRESCH";
    case Purpose::kOther:
      return "HOPERAT";
  }
  return "HOPERAT";
}

std::string_view BasisName(Basis b) {
  static constexpr std::array<std::string_view, 9> kNames = {
      "right-of-access", "treatment", "payment",         "public-health", "law-enforcement",
      "court-order",     "subpoena",  "research-waiver", "authorization"};
  return kNames[static_cast<std::size_t>(b)];
}

std::string_view BasisCitation(Basis b) {
  switch (b) {
    case Basis::kRightOfAccess:
      return "45 CFR 164.524";
    case Basis::kTreatment:
      return "45 CFR 164.506(c)(2)";
    case Basis::kPayment:
      return "45 CFR 164.506(c)(1)";
    case Basis::kPublicHealth:
      return "45 CFR 164.512(b)";
    case Basis::kLawEnforcement:
      return "45 CFR 164.512(f)";
    case Basis::kCourtOrder:
      return "45 CFR 164.512(e)(1)(i)";
    case Basis::kSubpoena:
      return "45 CFR 164.512(e)(1)(ii)";
    case Basis::kResearchWaiver:
      return "45 CFR 164.512(i)";
    case Basis::kAuthorization:
      return "45 CFR 164.508";
  }
  return "";
}

bool Accountable(Basis b) {
  return b == Basis::kPublicHealth || b == Basis::kLawEnforcement || b == Basis::kCourtOrder ||
         b == Basis::kSubpoena || b == Basis::kResearchWaiver;
}

const std::vector<RecordType>& RecordTypes() {
  static const std::vector<RecordType> types = {
      {"encounters", {"Encounter"}},
      {"problems", {"Condition"}},
      {"results", {"Observation", "DiagnosticReport", "Specimen"}},
      {"medications",
       {"MedicationRequest", "MedicationStatement", "MedicationAdministration",
        "MedicationDispense"}},
      {"procedures", {"Procedure"}},
      {"immunizations", {"Immunization"}},
      {"allergies", {"AllergyIntolerance"}},
      {"documents", {"DocumentReference", "Composition"}},
      {"imaging", {"ImagingStudy"}},
      {"care-plans", {"CarePlan", "CareTeam", "Goal"}},
      {"billing", {"Claim", "ExplanationOfBenefit", "Coverage"}},
  };
  return types;
}

std::optional<std::vector<std::string_view>> FhirTypesOf(std::string_view name) {
  if (name == "all") return std::vector<std::string_view>{};
  for (const RecordType& t : RecordTypes()) {
    if (t.name == name) return t.fhir_types;
  }
  return std::nullopt;
}

Basis BasisOf(const Request& r) {
  const bool documented = !r.legal_document.empty();
  switch (r.requester) {
    case Requester::kPatient:
      return Basis::kRightOfAccess;
    case Requester::kPersonalRepresentative:
      return documented ? Basis::kRightOfAccess : Basis::kAuthorization;
    case Requester::kProvider:
      return r.purpose == Purpose::kTreatment ? Basis::kTreatment : Basis::kAuthorization;
    case Requester::kInsurer:
      return r.purpose == Purpose::kPayment ? Basis::kPayment : Basis::kAuthorization;
    case Requester::kPublicHealth:
      return r.purpose == Purpose::kPublicHealth ? Basis::kPublicHealth : Basis::kAuthorization;
    case Requester::kLawEnforcement:
      return documented ? Basis::kLawEnforcement : Basis::kAuthorization;
    case Requester::kCourtOrder:
      return documented ? Basis::kCourtOrder : Basis::kAuthorization;
    case Requester::kSubpoena:
      return documented ? Basis::kSubpoena : Basis::kAuthorization;
    case Requester::kResearcher:
      return documented ? Basis::kResearchWaiver : Basis::kAuthorization;
    case Requester::kAttorney:
      return Basis::kAuthorization;
  }
  return Basis::kAuthorization;
}

json::object Request::ToJson() const {
  json::object o;
  o["id"] = id;
  o["received"] = received;
  o["requester"] = json::object{{"type", RequesterName(requester)},
                                {"name", requester_name},
                                {"organization", requester_organization},
                                {"address", requester_address},
                                {"identifier", requester_identifier}};
  o["patient"] = patient;
  o["identification"] = json::object{{"family", identification.family},
                                     {"given", identification.given},
                                     {"birth_date", identification.birth_date}};
  o["requested"] = json::object{{"record_types", Strings(requested.record_types)},
                                {"from", requested.from},
                                {"to", requested.to}};
  o["purpose"] = PurposeName(purpose);
  o["delivery"] = delivery;
  o["electronic"] = electronic;
  if (!legal_document.empty()) o["legal_document"] = legal_document;
  o["basis"] = BasisName(BasisOf(*this));
  o["basis_citation"] = BasisCitation(BasisOf(*this));
  json::array auths;
  for (const Authorization& a : authorizations) auths.push_back(a.ToJson());
  o["authorizations"] = std::move(auths);
  o["status"] = StatusName(status);
  o["due"] = due;
  if (!extension_reason.empty()) o["extension_reason"] = extension_reason;
  if (!denial_reason.empty()) o["denial_reason"] = denial_reason;
  if (release) {
    json::object r{{"at", release->at},
                   {"resources", Strings(release->resources)},
                   {"pages", release->pages},
                   {"fee_cents", release->fee_cents},
                   {"fee_basis", release->fee_basis},
                   {"part2", release->part2},
                   {"statements", Strings(release->statements)}};
    json::object withheld;
    for (const auto& [rule, n] : release->withheld) withheld[rule] = n;
    r["withheld"] = std::move(withheld);
    if (!release->delivered_at.empty()) {
      r["delivered_at"] = release->delivered_at;
      r["delivered_by"] = release->delivered_by;
    }
    o["release"] = std::move(r);
  }
  json::array h;
  for (const HistoryEntry& e : history) {
    h.push_back(json::object{{"at", e.at}, {"status", e.status}, {"by", e.by}, {"note", e.note}});
  }
  o["history"] = std::move(h);
  return o;
}

Result<Request> Request::FromJson(const json::object& o) {
  Request r;
  r.id = Text(o, "id");
  r.received = Text(o, "received");
  if (const json::object* q = Member(o, "requester")) {
    r.requester = ParseRequester(Text(*q, "type")).value_or(Requester::kPatient);
    r.requester_name = Text(*q, "name");
    r.requester_organization = Text(*q, "organization");
    r.requester_address = Text(*q, "address");
    r.requester_identifier = Text(*q, "identifier");
  }
  r.patient = Text(o, "patient");
  if (const json::object* i = Member(o, "identification")) {
    r.identification = {Text(*i, "family"), Text(*i, "given"), Text(*i, "birth_date")};
  }
  if (const json::object* q = Member(o, "requested")) {
    r.requested = {StringsOf(*q, "record_types"), Text(*q, "from"), Text(*q, "to")};
  }
  r.purpose = ParsePurpose(Text(o, "purpose")).value_or(Purpose::kOther);
  r.delivery = Text(o, "delivery");
  if (const json::value* e = o.if_contains("electronic"); e != nullptr && e->is_bool()) {
    r.electronic = e->get_bool();
  }
  r.legal_document = Text(o, "legal_document");
  if (const json::value* a = o.if_contains("authorizations"); a != nullptr && a->is_array()) {
    for (const json::value& item : a->get_array()) {
      if (!item.is_object()) continue;
      CHARTROOM_ASSIGN_OR_RETURN(Authorization parsed, Authorization::FromJson(item.get_object()));
      r.authorizations.push_back(std::move(parsed));
    }
  }
  r.status = ParseStatus(Text(o, "status")).value_or(RequestStatus::kReceived);
  r.due = Text(o, "due");
  r.extension_reason = Text(o, "extension_reason");
  r.denial_reason = Text(o, "denial_reason");
  if (const json::object* rel = Member(o, "release")) {
    Release x;
    x.at = Text(*rel, "at");
    x.resources = StringsOf(*rel, "resources");
    if (const json::value* p = rel->if_contains("pages"); p != nullptr && p->is_number()) {
      x.pages = p->to_number<std::size_t>();
    }
    if (const json::value* f = rel->if_contains("fee_cents"); f != nullptr && f->is_number()) {
      x.fee_cents = f->to_number<std::int64_t>();
    }
    x.fee_basis = Text(*rel, "fee_basis");
    if (const json::value* p2 = rel->if_contains("part2"); p2 != nullptr && p2->is_bool()) {
      x.part2 = p2->get_bool();
    }
    if (const json::object* w = Member(*rel, "withheld")) {
      for (const auto& [rule, n] : *w) {
        if (n.is_number()) x.withheld.emplace_back(rule, n.to_number<std::int64_t>());
      }
    }
    x.statements = StringsOf(*rel, "statements");
    x.delivered_at = Text(*rel, "delivered_at");
    x.delivered_by = Text(*rel, "delivered_by");
    r.release = std::move(x);
  }
  if (const json::value* h = o.if_contains("history"); h != nullptr && h->is_array()) {
    for (const json::value& e : h->get_array()) {
      if (const json::object* eo = e.if_object()) {
        r.history.push_back(
            {Text(*eo, "at"), Text(*eo, "status"), Text(*eo, "by"), Text(*eo, "note")});
      }
    }
  }
  return r;
}

Result<Request> ParseIntake(const json::object& body, std::string_view today) {
  Request r;
  const json::object* requester = Member(body, "requester");
  if (requester == nullptr)
    return tl::unexpected(Bad("requester is required: {\"type\", \"name\"}"));
  CHARTROOM_ASSIGN_OR_RETURN(std::string type,
                             OptionalString(*requester, "type", kBad, "requester."));
  const auto parsed_type = ParseRequester(type);
  if (!parsed_type) {
    return tl::unexpected(
        Bad("requester.type is one of patient, personal-representative, attorney, insurer, "
            "provider, law-enforcement, court-order, subpoena, public-health, researcher"));
  }
  r.requester = *parsed_type;
  CHARTROOM_ASSIGN_OR_RETURN(r.requester_name,
                             OptionalString(*requester, "name", kBad, "requester."));
  if (r.requester_name.empty()) return tl::unexpected(Bad("requester.name is required"));
  CHARTROOM_ASSIGN_OR_RETURN(r.requester_organization,
                             OptionalString(*requester, "organization", kBad, "requester."));
  CHARTROOM_ASSIGN_OR_RETURN(r.requester_address,
                             OptionalString(*requester, "address", kBad, "requester."));
  CHARTROOM_ASSIGN_OR_RETURN(r.requester_identifier,
                             OptionalString(*requester, "identifier", kBad, "requester."));
  CHARTROOM_ASSIGN_OR_RETURN(r.patient, OptionalString(body, "patient", kBad));
  if (r.patient.empty()) {
    return tl::unexpected(Bad("patient is required: the Patient id the patient index found"));
  }
  if (const json::object* id = Member(body, "identification")) {
    CHARTROOM_ASSIGN_OR_RETURN(r.identification.family,
                               OptionalString(*id, "family", kBad, "identification."));
    CHARTROOM_ASSIGN_OR_RETURN(r.identification.given,
                               OptionalString(*id, "given", kBad, "identification."));
    CHARTROOM_ASSIGN_OR_RETURN(r.identification.birth_date,
                               OptionalString(*id, "birth_date", kBad, "identification."));
  }
  if (r.identification.family.empty() || r.identification.given.empty() ||
      !ValidDate(r.identification.birth_date)) {
    return tl::unexpected(
        Bad("identification {family, given, birth_date (YYYY-MM-DD)} is required: how the "
            "requester identified the patient"));
  }
  const json::object* requested = Member(body, "requested");
  if (requested == nullptr) {
    return tl::unexpected(Bad("requested {record_types, from, to} is required"));
  }
  CHARTROOM_ASSIGN_OR_RETURN(r.requested.record_types,
                             OptionalStrings(*requested, "record_types", kBad, "requested."));
  if (r.requested.record_types.empty()) {
    return tl::unexpected(Bad("requested.record_types names at least one kind of record"));
  }
  for (const std::string& t : r.requested.record_types) {
    if (!FhirTypesOf(t)) {
      std::string known = "all";
      for (const RecordType& k : RecordTypes()) known += ", " + std::string(k.name);
      return tl::unexpected(Bad("requested.record_types: \"" + t + "\" is not one of " + known));
    }
  }
  CHARTROOM_ASSIGN_OR_RETURN(r.requested.from,
                             OptionalString(*requested, "from", kBad, "requested."));
  CHARTROOM_ASSIGN_OR_RETURN(r.requested.to, OptionalString(*requested, "to", kBad, "requested."));
  if ((!r.requested.from.empty() && !ValidDate(r.requested.from)) ||
      (!r.requested.to.empty() && !ValidDate(r.requested.to)) ||
      (!r.requested.from.empty() && !r.requested.to.empty() && r.requested.to < r.requested.from)) {
    return tl::unexpected(Bad("requested.from and requested.to are dates, from before to"));
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::string purpose, OptionalString(body, "purpose", kBad));
  const auto parsed_purpose = ParsePurpose(purpose);
  if (!parsed_purpose) {
    return tl::unexpected(
        Bad("purpose is one of personal, treatment, payment, legal, law-enforcement, "
            "public-health, research, insurance, other"));
  }
  r.purpose = *parsed_purpose;
  CHARTROOM_ASSIGN_OR_RETURN(r.delivery, OptionalString(body, "delivery", kBad));
  if (r.delivery.empty()) r.delivery = "portal";
  if (r.delivery != "portal" && r.delivery != "email" && r.delivery != "mail" &&
      r.delivery != "pickup" && r.delivery != "fax") {
    return tl::unexpected(Bad("delivery is portal, email, mail, pickup or fax"));
  }
  r.electronic = r.delivery == "portal" || r.delivery == "email";
  CHARTROOM_ASSIGN_OR_RETURN(r.legal_document, OptionalString(body, "legal_document", kBad));
  CHARTROOM_ASSIGN_OR_RETURN(r.received, OptionalString(body, "received", kBad));
  if (r.received.empty()) r.received = std::string(today);
  if (!ValidDate(r.received) || r.received > today) {
    return tl::unexpected(Bad("received is a date (YYYY-MM-DD), not in the future"));
  }
  if (const json::value* a = body.if_contains("authorizations"); a != nullptr && !a->is_null()) {
    if (!a->is_array()) return tl::unexpected(Bad("authorizations is an array of objects"));
    for (const json::value& item : a->get_array()) {
      if (!item.is_object()) return tl::unexpected(Bad("authorizations is an array of objects"));
      CHARTROOM_ASSIGN_OR_RETURN(Authorization parsed, Authorization::FromJson(item.get_object()));
      r.authorizations.push_back(std::move(parsed));
    }
  }
  return r;
}

}  // namespace chartroom::roi
