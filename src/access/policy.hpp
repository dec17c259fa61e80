// The access decision point's rules (docs/access.md): role × purpose of use × operation ×
// resource type × security labels × patient consent × break-the-glass, deciding allow, deny or
// allow masked for one resource. Pure: the caller brings the subject (from its token), the
// facts of the resource (type, patient compartment, meta.security codes) and the patient's
// consent rules; the store, REST and audit wiring call this one function on every path.
//
// Thread safety: pure functions over static tables.

#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace chartroom::access {

// The roles of docs/access.md (PRODUCT.md).
enum class Role {
  kClinician,
  kHimTechnician,
  kCoder,
  kCdiSpecialist,
  kPrivacyOfficer,
  kDataAnalyst,
  kHimDirector,
  kPatient,
  kInterface,
  kAdmin,
};
std::optional<Role> ParseRole(std::string_view name);  // "him_technician", ...
std::string_view RoleName(Role role);
// "coder,him_technician" (spaces allowed, "" is none); nullopt when a name is not a role.
std::optional<std::vector<Role>> ParseRoles(std::string_view names);

enum class Operation { kRead, kSearch, kCreate, kUpdate, kDelete, kExport };

// A time-limited emergency grant on one patient (break-the-glass), claimed with purpose ETREAT.
struct BreakGlassGrant {
  std::string patient;
  core::Timestamp expires;
};

struct Subject {
  std::string id;  // user name or client id (consent rules may name it)
  std::vector<Role> roles;
  std::string purpose;                  // HL7 PurposeOfUse code
  std::string patient;                  // a patient account's own Patient id
  std::vector<BreakGlassGrant> grants;  // active or not; Decide checks the time
  // SMART scopes of a system client's token ("system/Observation.rs", "system/*.read"); when
  // given they, not the role's table, say which types and operations an interface may use.
  std::vector<std::string> scopes;
};

struct ResourceFacts {
  std::string type;
  std::string patient;  // the Patient compartment it belongs to; "" for none
  std::vector<std::string>
      labels;  // meta.security codes: N R V, PSY PSYTHPN ETH SUD HIV SDV GDIS STD
};

// One provision of a patient's Consent: deny (or, for 42 CFR Part 2, permit) the listed
// purposes, actors and labels; an empty list matches any.
struct ConsentRule {
  bool permit = false;
  std::vector<std::string> purposes;
  std::vector<std::string> actors;
  std::vector<std::string> labels;
};

enum class Effect { kDeny, kAllow, kMask };

struct Decision {
  Effect effect = Effect::kDeny;
  std::string_view rule;     // which rule decided: "purpose", "operation", "own-record",
                             // "consent", "label", "part2", "mask", "allow"
  bool break_glass = false;  // allowed through an emergency grant (audit it)
};

// Whether SMART `scopes` (v2 "system/Type.cruds" letters or v1 "read"/"write"/"*"; the type may
// be "*") allow `operation` on `type`. Only system/ scopes count. Export needs read.
bool ScopesAllow(std::span<const std::string> scopes, Operation operation, std::string_view type);

// Rule 1 for a whole request: kForbidden "access.purpose" when none of the subject's roles may
// act for its purpose (or it names none, or no known role).
Status CheckPurpose(const Subject& subject);

// Rules 1-7 for one resource and operation, with `consent` the patient's provisions.
Decision Decide(const Subject& subject, Operation operation, const ResourceFacts& resource,
                std::span<const ConsentRule> consent, core::Timestamp now);

// A release of information to someone outside (roi/): who receives it, for what, and on what
// authority. Staff roles do not apply; the patient's consent and the labels do.
struct Disclosure {
  std::string purpose;      // HL7 PurposeOfUse: TREAT, HPAYMT, PATRQT, LEGAL, PUBHLTH, HRESCH ...
  std::string recipient;    // matched against consent provisions' actors
  bool to_patient = false;  // the individual's right of access (45 CFR 164.524; 42 CFR 2.23)
  // A 42 CFR Part 2 consent covering this recipient and purpose accompanies the request.
  bool part2_consent = false;
  // An authorization for psychotherapy notes (45 CFR 164.508(a)(2)) accompanies the request.
  bool psychotherapy_authorized = false;
  // A HIPAA authorization is the basis: the sensitive categories it names specifically (HIV,
  // STD, SDV, GDIS, ETH, PSY) may go, the others may not.
  bool by_authorization = false;
  std::vector<std::string> sensitive_named;
};

// Whether a resource with `resource`'s facts may be part of `disclosure`, with the patient's
// `consent` provisions: a deny provision that applies refuses it ("consent"); very restricted
// (V) never leaves ("label"); psychotherapy notes need their own authorization ("psychotherapy",
// also for the patient: they are outside the right of access); substance use disorder records
// (SUD) need a Part 2 consent, from the request or a permit provision of the patient's that
// names this recipient, except for the patient ("part2"); under an authorization, the other
// sensitive categories go only when it names them ("label"). Never masks: allow or deny.
Decision DecideDisclosure(const Disclosure& disclosure, const ResourceFacts& resource,
                          std::span<const ConsentRule> consent);

}  // namespace chartroom::access
