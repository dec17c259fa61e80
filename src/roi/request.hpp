// Release of information (docs/roi.md): a request for a patient's records, its legal basis, the
// authorization that accompanies it, its due date and its history.
//
// A request is a store record of kind `roi-request` keyed by its id ("R-000042"), holding
// everything below as JSON; nothing of it is kept outside the store.
//
// The legal basis follows from who asks and why (Basis()): the individual's right of access
// (45 CFR 164.524), treatment and payment (164.506), public health (164.512(b)), law enforcement
// (164.512(f)), a court order (164.512(e)(1)(i)), research under a waiver (164.512(i)); anything
// else, and a subpoena without satisfactory assurance, needs an authorization (164.508).
//
// Thread safety: values; functions of their arguments.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "roi/authorization.hpp"

namespace chartroom::roi {

inline constexpr std::string_view kRequestKind = "roi-request";

enum class Requester : std::uint8_t {
  kPatient,
  kPersonalRepresentative,
  kAttorney,
  kInsurer,
  kProvider,
  kLawEnforcement,
  kCourtOrder,
  kSubpoena,
  kPublicHealth,
  kResearcher,
};
inline constexpr std::size_t kRequesterCount = 10;
std::string_view RequesterName(Requester r);  // "patient", "personal-representative", ...
std::optional<Requester> ParseRequester(std::string_view name);

// Why the information is wanted.
enum class Purpose : std::uint8_t {
  kPersonal,  // at the request of the individual
  kTreatment,
  kPayment,
  kLegal,  // litigation, claims, court
  kLawEnforcement,
  kPublicHealth,
  kResearch,
  kInsurance,  // underwriting, life or disability insurance
  kOther,
};
std::string_view PurposeName(Purpose p);  // "personal", "treatment", ...
std::optional<Purpose> ParsePurpose(std::string_view name);
// The HL7 PurposeOfUse code the access decision point weighs consent provisions against.
std::string_view PurposeOfUse(Purpose p);

// On what authority the records may leave.
enum class Basis : std::uint8_t {
  kRightOfAccess,   // 164.524: the patient or a personal representative
  kTreatment,       // 164.506(c)(2)
  kPayment,         // 164.506(c)(1), (c)(3)
  kPublicHealth,    // 164.512(b)
  kLawEnforcement,  // 164.512(f), with the legal process documented
  kCourtOrder,      // 164.512(e)(1)(i)
  kSubpoena,        // 164.512(e)(1)(ii), with satisfactory assurance documented
  kResearchWaiver,  // 164.512(i), an IRB or privacy board waiver documented
  kAuthorization,   // 164.508
};
std::string_view BasisName(Basis b);
// The regulation the basis rests on, for letters and the checklist ("45 CFR 164.524").
std::string_view BasisCitation(Basis b);
// Whether a disclosure on this basis goes into the patient's accounting of disclosures
// (164.528(a)(1): not to the individual, not for treatment, payment or operations, not under an
// authorization).
bool Accountable(Basis b);

enum class RequestStatus : std::uint8_t {
  kReceived,
  kPendingAuthorization,
  kInReview,
  kFulfilled,
  kDenied,
  kCancelled,
};
std::string_view StatusName(
    RequestStatus s);  // "received", "pending-authorization", "in-review", ...
std::optional<RequestStatus> ParseStatus(std::string_view name);
bool Open(RequestStatus s);  // received, pending authorization or in review

// The kinds of records a request may ask for, each a set of FHIR types (Patient is always part
// of a release: it identifies the record).
struct RecordType {
  std::string_view name;  // "encounters", "problems", ...
  std::vector<std::string_view> fhir_types;
};
const std::vector<RecordType>& RecordTypes();
// `name`'s FHIR types; "all" is every type of the patient's compartment (an empty list).
std::optional<std::vector<std::string_view>> FhirTypesOf(std::string_view name);

struct Requested {
  std::vector<std::string> record_types;  // names of RecordTypes(), or {"all"}
  std::string from;                       // YYYY-MM-DD or ""
  std::string to;                         // YYYY-MM-DD or ""
};

// How the requester identified the patient; checked against the chart on intake.
struct Identification {
  std::string family;
  std::string given;
  std::string birth_date;  // YYYY-MM-DD
};

struct HistoryEntry {
  std::string at;  // instant
  std::string status;
  std::string by;
  std::string note;
};

// What a fulfilment released: the exact versions (the packet is rendered from them again), the
// pages and the fee; what it left out, counted by the rule that left it out (never listed: a
// withheld record's existence is itself protected).
struct Release {
  std::string at;
  std::vector<std::string> resources;  // "Type/id/_history/n"
  std::size_t pages = 0;
  std::int64_t fee_cents = 0;
  std::string fee_basis;  // "flat-electronic", "per-page", "none", ...
  std::vector<std::pair<std::string, std::int64_t>> withheld;
  bool part2 = false;  // Part 2 records went: the packet carries the 42 CFR 2.32 notice
  // Statements of disagreement and rebuttals about released records (amendment.hpp,
  // 164.526(d)(5)), "DocumentReference/id": they go with every release of those records.
  std::vector<std::string> statements;
  std::string delivered_at;
  std::string delivered_by;
};

struct Request {
  std::string id;
  std::string received;  // YYYY-MM-DD
  Requester requester = Requester::kPatient;
  std::string requester_name;
  std::string requester_organization;
  std::string requester_address;
  // How the patient's Consent names the requester (an actor's "Organization/acme" reference or
  // identifier value); their name when absent.
  std::string requester_identifier;
  std::string patient;  // Patient id
  Identification identification;
  Requested requested;
  Purpose purpose = Purpose::kPersonal;
  std::string delivery;    // "portal", "email", "mail", "pickup", "fax"
  bool electronic = true;  // delivery of an electronic copy
  // Documents the basis may need: a personal representative's authority, the legal process
  // (warrant, order, subpoena), the satisfactory assurance, the research waiver.
  std::string legal_document;
  // The authorizations presented: a HIPAA authorization where the basis needs one, a Part 2
  // consent for substance use disorder records, one for psychotherapy notes.
  std::vector<Authorization> authorizations;
  RequestStatus status = RequestStatus::kReceived;
  std::string due;               // YYYY-MM-DD
  std::string extension_reason;  // set once: the one extension
  std::string denial_reason;
  std::optional<Release> release;
  std::vector<HistoryEntry> history;

  boost::json::object ToJson() const;
  static Result<Request> FromJson(const boost::json::object& o);
};

// The basis a request rests on (an authorization is needed where nothing else applies).
Basis BasisOf(const Request& r);

// Parses an intake body: requester {type, name, organization, address}, patient, identification
// {family, given, birth_date}, requested {record_types, from, to}, purpose, delivery,
// legal_document, received (defaults to `today`), authorizations (authorization.hpp). kInvalid
// "roi.bad-request" naming the field.
Result<Request> ParseIntake(const boost::json::object& body, std::string_view today);

}  // namespace chartroom::roi
