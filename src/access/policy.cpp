#include "access/policy.hpp"

#include <algorithm>
#include <array>

#include "fhir/model/model.hpp"

namespace chartroom::access {
namespace {

// The sensitivity labels a role sees only when it may see sensitive records, and an
// authorization releases only when it names them.
constexpr std::array<std::string_view, 6> kSensitiveLabels = {"PSY", "HIV",  "STD",
                                                              "SDV", "GDIS", "ETH"};

// Resource type classes of docs/access.md.
enum TypeClass : unsigned {
  kClinical = 1,        // Patient and the types of its compartment
  kAdministrative = 2,  // Organization, Location, Practitioner, ...
  kOtherRecord = 4,     // everything else but the audit trail (ValueSet, Library, ...)
  kAudit = 8,           // AuditEvent
};
constexpr unsigned kRecords = kClinical | kAdministrative | kOtherRecord;

struct RolePolicy {
  Role role;
  std::string_view name;
  std::vector<std::string_view> purposes;
  unsigned read;                             // classes
  std::vector<std::string_view> read_types;  // and these types
  unsigned write;
  std::vector<std::string_view> write_types;
  bool exports;
  bool restricted;  // may see confidentiality R
  bool sensitive;   // may see HIV, STD, SDV, GDIS, ETH
  bool masked;      // minimum necessary: identifying fields removed
};

const std::vector<RolePolicy>& Policies() {
  // In Role order. Columns: purposes; read classes, read types; write classes, write types;
  // export, R (restricted), S (sensitive), masked. docs/access.md has the same table.
  // clang-format off
  static const std::vector<RolePolicy> policies = {
      {Role::kClinician, "clinician", {"TREAT", "ETREAT"},
       kClinical | kAdministrative, {}, kClinical, {},
       false, true, true, false},
      {Role::kHimTechnician, "him_technician", {"HOPERAT", "HPAYMT", "PATRQT", "LEGAL"},
       kRecords, {}, 0, {"Patient", "DocumentReference", "Encounter"},
       true, true, true, false},
      {Role::kCoder, "coder", {"HPAYMT", "HOPERAT"},
       kClinical | kAdministrative, {}, 0, {"Encounter", "Claim", "Condition", "Procedure"},
       false, false, true, false},
      {Role::kCdiSpecialist, "cdi_specialist", {"HOPERAT"},
       kClinical | kAdministrative, {}, 0, {"Communication", "Task"},
       false, false, true, false},
      {Role::kPrivacyOfficer, "privacy_officer", {"HOPERAT", "LEGAL"},
       kRecords | kAudit, {}, 0, {"Consent"},
       false, true, true, false},
      {Role::kDataAnalyst, "data_analyst", {"HRESCH", "PUBHLTH", "HOPERAT"},
       kRecords, {}, 0, {},
       true, false, false, true},
      {Role::kHimDirector, "him_director", {"HOPERAT", "LEGAL"},
       kRecords | kAudit, {}, 0, {},
       true, true, false, false},
      {Role::kPatient, "patient", {"PATRQT"},
       kClinical, {}, 0, {},
       true, true, true, false},
      {Role::kInterface, "interface", {"TREAT", "HOPERAT"},
       kRecords, {}, kClinical | kAdministrative, {},
       true, true, true, false},
      {Role::kAdmin, "admin", {"HOPERAT"},
       0, {"Organization", "Location", "Practitioner"}, 0, {"Organization", "Location", "Practitioner"},
       false, false, false, false},
  };
  // clang-format on
  return policies;
}

const RolePolicy& PolicyOf(Role role) { return Policies()[static_cast<std::size_t>(role)]; }

unsigned ClassOf(std::string_view type) {
  static constexpr std::array<std::string_view, 6> kAdministrativeTypes = {
      "Organization",     "Location",          "Practitioner",
      "PractitionerRole", "HealthcareService", "Endpoint"};
  if (type == "AuditEvent") return kAudit;
  if (std::find(kAdministrativeTypes.begin(), kAdministrativeTypes.end(), type) !=
      kAdministrativeTypes.end()) {
    return kAdministrative;
  }
  const fhir::TypeInfo* info = fhir::FindResourceType(type);
  if (type == "Patient" || (info != nullptr && !info->patient_compartment_params().empty())) {
    return kClinical;
  }
  return kOtherRecord;
}

template <typename List, typename T>
bool Contains(const List& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A consent provision applies when each of its lists is empty or matches.
bool Applies(const ConsentRule& rule, const Subject& subject, const ResourceFacts& resource) {
  const bool purpose = rule.purposes.empty() || Contains(rule.purposes, subject.purpose);
  const bool actor = rule.actors.empty() || Contains(rule.actors, subject.id);
  const bool label = rule.labels.empty() ||
                     std::any_of(rule.labels.begin(), rule.labels.end(), [&](const std::string& l) {
                       return Contains(resource.labels, l);
                     });
  return purpose && actor && label;
}

bool MayDo(const RolePolicy& p, Operation operation, std::string_view type) {
  const unsigned cls = ClassOf(type);
  const bool read = (p.read & cls) != 0 || Contains(p.read_types, type);
  switch (operation) {
    case Operation::kRead:
    case Operation::kSearch:
      return read;
    case Operation::kExport:
      return p.exports && read;
    case Operation::kCreate:
    case Operation::kUpdate:
      return (p.write & cls) != 0 || Contains(p.write_types, type);
    case Operation::kDelete:
      return false;  // disposal is the retention workflow, not a delete
  }
  return false;
}

Decision ForRole(const RolePolicy& p, const Subject& subject, Operation operation,
                 const ResourceFacts& resource, std::span<const ConsentRule> consent,
                 core::Timestamp now) {
  const bool scoped = p.role == Role::kInterface && !subject.scopes.empty();
  if (scoped ? !ScopesAllow(subject.scopes, operation, resource.type)
             : !MayDo(p, operation, resource.type)) {
    return {Effect::kDeny, "operation"};
  }
  if (p.role == Role::kPatient &&
      (subject.patient.empty() || resource.patient != subject.patient)) {
    return {Effect::kDeny, "own-record"};
  }
  const bool emergency =
      subject.purpose == "ETREAT" && !resource.patient.empty() &&
      std::any_of(subject.grants.begin(), subject.grants.end(), [&](const BreakGlassGrant& g) {
        return g.patient == resource.patient && now < g.expires;
      });
  if (emergency) return {Effect::kAllow, "allow", true};
  if (!resource.patient.empty()) {
    for (const ConsentRule& rule : consent) {
      if (!rule.permit && Applies(rule, subject, resource)) return {Effect::kDeny, "consent"};
    }
  }
  const bool treating = p.role == Role::kClinician && subject.purpose == "TREAT";
  if (Contains(resource.labels, "V") && !treating) return {Effect::kDeny, "label"};
  if (Contains(resource.labels, "R") && !p.restricted) return {Effect::kDeny, "label"};
  if (Contains(resource.labels, "PSYTHPN") && !treating) return {Effect::kDeny, "label"};
  if (Contains(resource.labels, "SUD")) {
    const bool consented = std::any_of(consent.begin(), consent.end(), [&](const ConsentRule& r) {
      return r.permit && Applies(r, subject, resource) &&
             (r.labels.empty() || Contains(r.labels, "SUD"));
    });
    if (!consented) return {Effect::kDeny, "part2"};
  }
  for (std::string_view code : kSensitiveLabels) {
    if (Contains(resource.labels, code) && !p.sensitive) return {Effect::kDeny, "label"};
  }
  if (p.masked) return {Effect::kMask, "mask"};
  return {Effect::kAllow, "allow"};
}

int Rank(const Decision& d) {
  switch (d.effect) {
    case Effect::kAllow:
      return d.break_glass ? 2 : 3;
    case Effect::kMask:
      return 1;
    case Effect::kDeny:
      return 0;
  }
  return 0;
}

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (const RolePolicy& p : Policies()) {
    if (p.name == name) return p.role;
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) { return PolicyOf(role).name; }

Status CheckPurpose(const Subject& subject) {
  for (Role role : subject.roles) {
    if (Contains(PolicyOf(role).purposes, subject.purpose)) return Ok();
  }
  return Fail(ErrorCategory::kForbidden, "access.purpose",
              "the request's purpose of use is not one its roles may act for");
}

Decision Decide(const Subject& subject, Operation operation, const ResourceFacts& resource,
                std::span<const ConsentRule> consent, core::Timestamp now) {
  Decision best{Effect::kDeny, "purpose"};
  bool any_purpose = false;
  for (Role role : subject.roles) {
    const RolePolicy& p = PolicyOf(role);
    if (!Contains(p.purposes, subject.purpose)) continue;
    any_purpose = true;
    const Decision d = ForRole(p, subject, operation, resource, consent, now);
    if (Rank(d) > Rank(best) || best.rule == "purpose") best = d;
  }
  if (!any_purpose) return {Effect::kDeny, "purpose"};
  return best;
}

std::optional<std::vector<Role>> ParseRoles(std::string_view names) {
  std::vector<Role> roles;
  while (!names.empty()) {
    const std::size_t comma = names.find(',');
    std::string_view name = names.substr(0, comma);
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    auto role = ParseRole(name);
    if (!role) return std::nullopt;
    roles.push_back(*role);
  }
  return roles;
}

Decision DecideDisclosure(const Disclosure& disclosure, const ResourceFacts& resource,
                          std::span<const ConsentRule> consent) {
  Subject recipient;
  recipient.id = disclosure.recipient;
  recipient.purpose = disclosure.purpose;
  for (const ConsentRule& rule : consent) {
    if (!rule.permit && Applies(rule, recipient, resource)) return {Effect::kDeny, "consent"};
  }
  const auto& labels = resource.labels;
  if (Contains(labels, "V")) return {Effect::kDeny, "label"};
  if (Contains(labels, "PSYTHPN") && !disclosure.psychotherapy_authorized) {
    return {Effect::kDeny, "psychotherapy"};
  }
  if (Contains(labels, "SUD") && !disclosure.to_patient && !disclosure.part2_consent) {
    // A Part 2 consent names its recipient (42 CFR 2.31(a)(4)): a permit for anyone is not one.
    const bool permitted = std::any_of(consent.begin(), consent.end(), [&](const ConsentRule& r) {
      return r.permit && !r.actors.empty() && Applies(r, recipient, resource) &&
             (r.labels.empty() || Contains(r.labels, "SUD"));
    });
    if (!permitted) return {Effect::kDeny, "part2"};
  }
  if (disclosure.by_authorization) {
    for (std::string_view code : kSensitiveLabels) {
      if (Contains(labels, code) && !Contains(disclosure.sensitive_named, code)) {
        return {Effect::kDeny, "label"};
      }
    }
  }
  return {Effect::kAllow, "allow"};
}

bool ScopesAllow(std::span<const std::string> scopes, Operation operation, std::string_view type) {
  char letter = 'r';
  switch (operation) {
    case Operation::kRead:
    case Operation::kExport:
      letter = 'r';
      break;
    case Operation::kSearch:
      letter = 's';
      break;
    case Operation::kCreate:
      letter = 'c';
      break;
    case Operation::kUpdate:
      letter = 'u';
      break;
    case Operation::kDelete:
      letter = 'd';
      break;
  }
  const bool writes = letter == 'c' || letter == 'u' || letter == 'd';
  for (std::string_view scope : scopes) {
    constexpr std::string_view kSystem = "system/";
    if (!scope.starts_with(kSystem)) continue;
    scope.remove_prefix(kSystem.size());
    const std::size_t dot = scope.find('.');
    if (dot == std::string_view::npos) continue;
    const std::string_view scope_type = scope.substr(0, dot);
    const std::string_view access = scope.substr(dot + 1);
    // v2 fine-grained scopes ("?category=..."): not granted, rather than read wider.
    if (access.find('?') != std::string_view::npos) continue;
    if (scope_type != "*" && scope_type != type) continue;
    if (access == "*" || access == "read" || access == "write") {  // SMART v1
      if (access == "*" || (access == "write") == writes) return true;
    } else if (access.find_first_not_of("cruds") == std::string_view::npos &&
               access.find(letter) != std::string_view::npos) {  // SMART v2 letters
      return true;
    }
  }
  return false;
}

}  // namespace chartroom::access
