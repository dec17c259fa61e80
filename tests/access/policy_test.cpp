// The access matrix: role × purpose × operation × type × labels × consent × break-the-glass,
// each row's expectation taken from docs/access.md.

#include "access/policy.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace chartroom::access {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const core::Timestamp kNow = core::Timestamp(seconds(1'790'000'000));

// Named consent sets of patient "p1".
const std::map<std::string, std::vector<ConsentRule>>& Consents() {
  static const std::map<std::string, std::vector<ConsentRule>> sets = {
      {"-", {}},
      {"deny-research", {{false, {"HRESCH"}, {}, {}}}},
      {"deny-jdoe", {{false, {}, {"jdoe"}, {}}}},
      {"deny-hiv", {{false, {}, {}, {"HIV"}}}},
      {"deny-all", {{false, {}, {}, {}}}},
      {"part2-treat", {{true, {"TREAT"}, {}, {"SUD"}}}},
      {"part2-payment", {{true, {"HPAYMT"}, {}, {"SUD"}}}},
      {"part2-any", {{true, {}, {}, {}}}},
      {"part2-smith", {{true, {"LEGAL"}, {"smith-law"}, {"SUD"}}}},
  };
  return sets;
}

struct Case {
  std::vector<Role> roles;
  const char* purpose;
  Operation op;
  const char* type;
  std::vector<std::string> labels;
  const char* consent;  // a name of Consents()
  bool grant;           // an active break-the-glass grant on p1
  Effect expected;
  const char* rule;
};

constexpr auto R = Operation::kRead;
constexpr auto S = Operation::kSearch;
constexpr auto C = Operation::kCreate;
constexpr auto U = Operation::kUpdate;
constexpr auto D = Operation::kDelete;
constexpr auto X = Operation::kExport;
constexpr auto kAllow = Effect::kAllow;
constexpr auto kDeny = Effect::kDeny;
constexpr auto kMask = Effect::kMask;
using enum Role;

const std::vector<Case>& Matrix() {
  static const std::vector<Case> cases = {
      // -- purpose of use (rule 1)
      {{kClinician}, "TREAT", R, "Observation", {}, "-", false, kAllow, "allow"},
      {{kClinician}, "ETREAT", R, "Observation", {}, "-", false, kAllow, "allow"},
      {{kClinician}, "HPAYMT", R, "Observation", {}, "-", false, kDeny, "purpose"},
      {{kClinician}, "HRESCH", R, "Observation", {}, "-", false, kDeny, "purpose"},
      {{kClinician}, "", R, "Observation", {}, "-", false, kDeny, "purpose"},
      {{kCoder}, "HPAYMT", R, "Condition", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "HOPERAT", R, "Condition", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "TREAT", R, "Condition", {}, "-", false, kDeny, "purpose"},
      {{kCdiSpecialist}, "HOPERAT", R, "DocumentReference", {}, "-", false, kAllow, "allow"},
      {{kCdiSpecialist}, "HPAYMT", R, "DocumentReference", {}, "-", false, kDeny, "purpose"},
      {{kHimTechnician}, "HOPERAT", R, "Patient", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "PATRQT", R, "Patient", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "LEGAL", R, "Patient", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "TREAT", R, "Patient", {}, "-", false, kDeny, "purpose"},
      {{kPrivacyOfficer}, "LEGAL", R, "AuditEvent", {}, "-", false, kAllow, "allow"},
      {{kPrivacyOfficer}, "HRESCH", R, "AuditEvent", {}, "-", false, kDeny, "purpose"},
      {{kDataAnalyst}, "HRESCH", R, "Observation", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "PUBHLTH", R, "Observation", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "TREAT", R, "Observation", {}, "-", false, kDeny, "purpose"},
      {{kHimDirector}, "HOPERAT", R, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kHimDirector}, "HRESCH", R, "Encounter", {}, "-", false, kDeny, "purpose"},
      {{kPatient}, "PATRQT", R, "Observation", {}, "-", false, kAllow, "allow"},
      {{kPatient}, "TREAT", R, "Observation", {}, "-", false, kDeny, "purpose"},
      {{kInterface}, "TREAT", C, "Observation", {}, "-", false, kAllow, "allow"},
      {{kInterface}, "HRESCH", C, "Observation", {}, "-", false, kDeny, "purpose"},
      {{kAdmin}, "HOPERAT", R, "Organization", {}, "-", false, kAllow, "allow"},
      {{kAdmin}, "TREAT", R, "Organization", {}, "-", false, kDeny, "purpose"},
      {{}, "TREAT", R, "Observation", {}, "-", false, kDeny, "purpose"},
      // -- operations and types (rule 2)
      {{kClinician}, "TREAT", S, "Condition", {}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", C, "Observation", {}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", U, "Condition", {}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", D, "Observation", {}, "-", false, kDeny, "operation"},
      {{kClinician}, "TREAT", X, "Observation", {}, "-", false, kDeny, "operation"},
      {{kClinician}, "TREAT", R, "Organization", {}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", C, "Organization", {}, "-", false, kDeny, "operation"},
      {{kClinician}, "TREAT", R, "AuditEvent", {}, "-", false, kDeny, "operation"},
      {{kClinician}, "TREAT", R, "ValueSet", {}, "-", false, kDeny, "operation"},
      {{kHimTechnician}, "HOPERAT", U, "Patient", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", C, "DocumentReference", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", U, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", C, "Observation", {}, "-", false, kDeny, "operation"},
      {{kHimTechnician}, "HOPERAT", D, "Patient", {}, "-", false, kDeny, "operation"},
      {{kHimTechnician}, "HOPERAT", X, "Patient", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", R, "ValueSet", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", R, "AuditEvent", {}, "-", false, kDeny, "operation"},
      {{kCoder}, "HPAYMT", U, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", C, "Claim", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", U, "Procedure", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", U, "Patient", {}, "-", false, kDeny, "operation"},
      {{kCoder}, "HPAYMT", X, "Condition", {}, "-", false, kDeny, "operation"},
      {{kCoder}, "HPAYMT", D, "Claim", {}, "-", false, kDeny, "operation"},
      {{kCdiSpecialist}, "HOPERAT", C, "Communication", {}, "-", false, kAllow, "allow"},
      {{kCdiSpecialist}, "HOPERAT", C, "Task", {}, "-", false, kAllow, "allow"},
      {{kCdiSpecialist}, "HOPERAT", U, "Condition", {}, "-", false, kDeny, "operation"},
      {{kPrivacyOfficer}, "HOPERAT", C, "Consent", {}, "-", false, kAllow, "allow"},
      {{kPrivacyOfficer}, "HOPERAT", U, "Patient", {}, "-", false, kDeny, "operation"},
      {{kPrivacyOfficer}, "HOPERAT", X, "Patient", {}, "-", false, kDeny, "operation"},
      {{kDataAnalyst}, "HRESCH", X, "Observation", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "HRESCH", S, "Patient", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "HRESCH", C, "Observation", {}, "-", false, kDeny, "operation"},
      {{kDataAnalyst}, "HRESCH", R, "AuditEvent", {}, "-", false, kDeny, "operation"},
      {{kHimDirector}, "LEGAL", R, "AuditEvent", {}, "-", false, kAllow, "allow"},
      {{kHimDirector}, "HOPERAT", X, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kHimDirector}, "HOPERAT", U, "Encounter", {}, "-", false, kDeny, "operation"},
      {{kHimDirector}, "HOPERAT", D, "Encounter", {}, "-", false, kDeny, "operation"},
      {{kInterface}, "HOPERAT", U, "Organization", {}, "-", false, kAllow, "allow"},
      {{kInterface}, "HOPERAT", R, "ValueSet", {}, "-", false, kAllow, "allow"},
      {{kInterface}, "HOPERAT", X, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kInterface}, "TREAT", D, "Observation", {}, "-", false, kDeny, "operation"},
      {{kAdmin}, "HOPERAT", U, "Practitioner", {}, "-", false, kAllow, "allow"},
      {{kAdmin}, "HOPERAT", R, "Patient", {}, "-", false, kDeny, "operation"},
      {{kAdmin}, "HOPERAT", R, "Observation", {}, "-", false, kDeny, "operation"},
      {{kAdmin}, "HOPERAT", R, "AuditEvent", {}, "-", false, kDeny, "operation"},
      {{kPatient}, "PATRQT", C, "Observation", {}, "-", false, kDeny, "operation"},
      {{kPatient}, "PATRQT", X, "Observation", {}, "-", false, kAllow, "allow"},
      {{kPatient}, "PATRQT", R, "Organization", {}, "-", false, kDeny, "operation"},
      // -- several roles: the one that lets it wins
      {{kCoder, kHimTechnician},
       "HOPERAT",
       U,
       "DocumentReference",
       {},
       "-",
       false,
       kAllow,
       "allow"},
      {{kDataAnalyst, kHimTechnician}, "HOPERAT", R, "Patient", {}, "-", false, kAllow, "allow"},
      {{kDataAnalyst, kClinician}, "HRESCH", R, "Patient", {}, "-", false, kMask, "mask"},
      {{kAdmin, kClinician}, "HOPERAT", R, "Patient", {}, "-", false, kDeny, "operation"},
      // -- consent (rule 5)
      {{kDataAnalyst}, "HRESCH", R, "Observation", {}, "deny-research", false, kDeny, "consent"},
      {{kDataAnalyst}, "PUBHLTH", R, "Observation", {}, "deny-research", false, kMask, "mask"},
      {{kClinician}, "TREAT", R, "Observation", {}, "deny-research", false, kAllow, "allow"},
      {{kClinician}, "TREAT", R, "Observation", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kHimTechnician}, "HOPERAT", R, "Observation", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kClinician}, "TREAT", R, "Observation", {"HIV"}, "deny-hiv", false, kDeny, "consent"},
      {{kClinician}, "TREAT", R, "Observation", {}, "deny-hiv", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", R, "Condition", {"HIV"}, "deny-hiv", false, kDeny, "consent"},
      {{kClinician}, "TREAT", R, "Observation", {}, "deny-all", false, kDeny, "consent"},
      {{kPrivacyOfficer}, "LEGAL", R, "Observation", {}, "deny-all", false, kDeny, "consent"},
      {{kClinician}, "TREAT", R, "Organization", {}, "deny-all", false, kAllow, "allow"},
      // -- break-the-glass (rule 4): ETREAT with a grant passes consent and labels
      {{kClinician}, "ETREAT", R, "Observation", {}, "deny-all", true, kAllow, "allow"},
      {{kClinician}, "ETREAT", R, "Observation", {}, "deny-all", false, kDeny, "consent"},
      {{kClinician}, "TREAT", R, "Observation", {}, "deny-all", true, kDeny, "consent"},
      {{kClinician}, "ETREAT", R, "Observation", {"V"}, "-", true, kAllow, "allow"},
      {{kClinician}, "ETREAT", R, "Observation", {"V"}, "-", false, kDeny, "label"},
      {{kClinician}, "ETREAT", R, "Condition", {"SUD"}, "-", true, kAllow, "allow"},
      {{kClinician}, "ETREAT", R, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kClinician}, "ETREAT", R, "DocumentReference", {"PSYTHPN"}, "-", true, kAllow, "allow"},
      {{kClinician}, "ETREAT", D, "Observation", {}, "-", true, kDeny, "operation"},
      {{kClinician}, "ETREAT", R, "AuditEvent", {}, "-", true, kDeny, "operation"},
      // -- confidentiality (rule 6)
      {{kClinician}, "TREAT", R, "Observation", {"N"}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", R, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", R, "Observation", {"V"}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", R, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", R, "Observation", {"V"}, "-", false, kDeny, "label"},
      {{kCoder}, "HPAYMT", R, "Observation", {"R"}, "-", false, kDeny, "label"},
      {{kCoder}, "HPAYMT", R, "Observation", {"N"}, "-", false, kAllow, "allow"},
      {{kCdiSpecialist}, "HOPERAT", R, "Observation", {"R"}, "-", false, kDeny, "label"},
      {{kPrivacyOfficer}, "LEGAL", R, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kPrivacyOfficer}, "LEGAL", R, "Observation", {"V"}, "-", false, kDeny, "label"},
      {{kDataAnalyst}, "HRESCH", R, "Observation", {"R"}, "-", false, kDeny, "label"},
      {{kDataAnalyst}, "HRESCH", R, "Observation", {"N"}, "-", false, kMask, "mask"},
      {{kHimDirector}, "HOPERAT", R, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kPatient}, "PATRQT", R, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kPatient}, "PATRQT", R, "Observation", {"V"}, "-", false, kDeny, "label"},
      {{kInterface}, "TREAT", R, "Observation", {"V"}, "-", false, kDeny, "label"},
      // -- sensitivity (rule 6)
      {{kClinician}, "TREAT", R, "DocumentReference", {"PSYTHPN"}, "-", false, kAllow, "allow"},
      {{kHimTechnician},
       "HOPERAT",
       R,
       "DocumentReference",
       {"PSYTHPN"},
       "-",
       false,
       kDeny,
       "label"},
      {{kPatient}, "PATRQT", R, "DocumentReference", {"PSYTHPN"}, "-", false, kDeny, "label"},
      {{kPrivacyOfficer}, "LEGAL", R, "DocumentReference", {"PSYTHPN"}, "-", false, kDeny, "label"},
      {{kClinician}, "TREAT", R, "Condition", {"HIV"}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", R, "Condition", {"HIV"}, "-", false, kAllow, "allow"},
      {{kCdiSpecialist}, "HOPERAT", R, "Condition", {"STD"}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", R, "Condition", {"SDV"}, "-", false, kAllow, "allow"},
      {{kDataAnalyst}, "HRESCH", R, "Condition", {"HIV"}, "-", false, kDeny, "label"},
      {{kDataAnalyst}, "HRESCH", R, "Condition", {"GDIS"}, "-", false, kDeny, "label"},
      {{kDataAnalyst}, "HRESCH", R, "Condition", {"ETH"}, "-", false, kDeny, "label"},
      {{kHimDirector}, "HOPERAT", R, "Condition", {"HIV"}, "-", false, kDeny, "label"},
      {{kHimDirector}, "HOPERAT", R, "Condition", {"STD"}, "-", false, kDeny, "label"},
      {{kPatient}, "PATRQT", R, "Condition", {"HIV"}, "-", false, kAllow, "allow"},
      // -- 42 CFR Part 2 (SUD needs a consent that covers the purpose)
      {{kClinician}, "TREAT", R, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kClinician}, "TREAT", R, "Condition", {"SUD"}, "part2-treat", false, kAllow, "allow"},
      {{kClinician}, "TREAT", R, "Condition", {"SUD"}, "part2-payment", false, kDeny, "part2"},
      {{kCoder}, "HPAYMT", R, "Condition", {"SUD"}, "part2-payment", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", R, "Condition", {"SUD"}, "part2-treat", false, kDeny, "part2"},
      {{kHimTechnician}, "HOPERAT", R, "Condition", {"SUD"}, "part2-any", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", R, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kDataAnalyst}, "HRESCH", R, "Condition", {"SUD"}, "part2-any", false, kMask, "mask"},
      {{kPatient}, "PATRQT", R, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kClinician}, "TREAT", R, "Condition", {"SUD", "R"}, "part2-treat", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", R, "Condition", {"SUD", "R"}, "part2-payment", false, kDeny, "label"},
      // -- searches and exports follow the same rules, resource by resource
      {{kClinician}, "TREAT", S, "MedicationRequest", {"R"}, "-", false, kAllow, "allow"},
      {{kClinician}, "TREAT", S, "Immunization", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kClinician}, "TREAT", S, "DiagnosticReport", {"HIV"}, "-", false, kAllow, "allow"},
      {{kClinician},
       "TREAT",
       S,
       "AllergyIntolerance",
       {"SUD"},
       "part2-treat",
       false,
       kAllow,
       "allow"},
      {{kClinician}, "TREAT", S, "Procedure", {"SUD"}, "part2-any", false, kAllow, "allow"},
      {{kClinician}, "ETREAT", S, "Procedure", {"SUD"}, "part2-treat", false, kDeny, "part2"},
      {{kHimTechnician}, "HOPERAT", S, "Encounter", {"R"}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", S, "Encounter", {"V"}, "-", false, kDeny, "label"},
      {{kHimTechnician}, "PATRQT", X, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "PATRQT", X, "Encounter", {"PSYTHPN"}, "-", false, kDeny, "label"},
      {{kHimTechnician}, "LEGAL", X, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kHimTechnician}, "LEGAL", X, "Condition", {"HIV"}, "deny-hiv", false, kDeny, "consent"},
      {{kHimTechnician}, "HOPERAT", S, "Claim", {}, "-", false, kAllow, "allow"},
      {{kHimTechnician}, "HOPERAT", S, "Organization", {}, "deny-all", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", S, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", S, "Encounter", {"V"}, "-", false, kDeny, "label"},
      {{kCoder}, "HOPERAT", S, "Condition", {"STD"}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", S, "Condition", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kCoder}, "HPAYMT", S, "ExplanationOfBenefit", {}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", U, "Condition", {"SUD"}, "part2-payment", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", U, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kCdiSpecialist},
       "HOPERAT",
       S,
       "DocumentReference",
       {"PSYTHPN"},
       "-",
       false,
       kDeny,
       "label"},
      {{kCdiSpecialist}, "HOPERAT", S, "Observation", {"V"}, "-", false, kDeny, "label"},
      {{kCdiSpecialist}, "HOPERAT", C, "Task", {}, "deny-all", false, kDeny, "consent"},
      {{kCdiSpecialist}, "HOPERAT", X, "Observation", {}, "-", false, kDeny, "operation"},
      {{kPrivacyOfficer}, "HOPERAT", S, "AuditEvent", {}, "-", false, kAllow, "allow"},
      {{kPrivacyOfficer}, "LEGAL", S, "Consent", {}, "-", false, kAllow, "allow"},
      {{kPrivacyOfficer}, "LEGAL", U, "Consent", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kPrivacyOfficer}, "LEGAL", R, "Condition", {"SUD"}, "part2-any", false, kAllow, "allow"},
      {{kPrivacyOfficer}, "LEGAL", R, "Condition", {"GDIS"}, "-", false, kAllow, "allow"},
      {{kDataAnalyst}, "HRESCH", S, "Encounter", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "PUBHLTH", X, "Immunization", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "PUBHLTH", X, "Immunization", {"V"}, "-", false, kDeny, "label"},
      {{kDataAnalyst}, "PUBHLTH", X, "Condition", {"STD"}, "-", false, kDeny, "label"},
      {{kDataAnalyst}, "HOPERAT", S, "Organization", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "HOPERAT", S, "ValueSet", {}, "-", false, kMask, "mask"},
      {{kDataAnalyst}, "HRESCH", X, "Condition", {"SUD"}, "-", false, kDeny, "part2"},
      {{kDataAnalyst}, "HRESCH", X, "Observation", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kHimDirector}, "LEGAL", S, "AuditEvent", {}, "-", false, kAllow, "allow"},
      {{kHimDirector}, "LEGAL", X, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kHimDirector}, "LEGAL", X, "Observation", {"PSYTHPN"}, "-", false, kDeny, "label"},
      {{kHimDirector}, "HOPERAT", S, "Observation", {}, "deny-all", false, kDeny, "consent"},
      {{kHimDirector}, "HOPERAT", C, "Observation", {}, "-", false, kDeny, "operation"},
      {{kPatient}, "PATRQT", S, "Encounter", {}, "-", false, kAllow, "allow"},
      {{kPatient}, "PATRQT", S, "Encounter", {}, "deny-all", false, kDeny, "consent"},
      {{kPatient}, "PATRQT", X, "Condition", {"STD"}, "-", false, kAllow, "allow"},
      {{kPatient}, "PATRQT", U, "Patient", {}, "-", false, kDeny, "operation"},
      {{kPatient}, "PATRQT", D, "Observation", {}, "-", false, kDeny, "operation"},
      {{kPatient}, "PATRQT", R, "AuditEvent", {}, "-", false, kDeny, "operation"},
      {{kInterface}, "TREAT", S, "Observation", {"R"}, "-", false, kAllow, "allow"},
      {{kInterface}, "TREAT", U, "Observation", {"SUD"}, "part2-treat", false, kAllow, "allow"},
      {{kInterface}, "HOPERAT", U, "Observation", {"SUD"}, "part2-treat", false, kDeny, "part2"},
      {{kInterface}, "TREAT", C, "Patient", {}, "deny-jdoe", false, kDeny, "consent"},
      {{kInterface}, "HOPERAT", R, "AuditEvent", {}, "-", false, kDeny, "operation"},
      {{kInterface}, "TREAT", C, "ValueSet", {}, "-", false, kDeny, "operation"},
      {{kAdmin}, "HOPERAT", S, "Location", {}, "-", false, kAllow, "allow"},
      {{kAdmin}, "HOPERAT", C, "Location", {}, "-", false, kAllow, "allow"},
      {{kAdmin}, "HOPERAT", R, "PractitionerRole", {}, "-", false, kDeny, "operation"},
      {{kAdmin}, "HOPERAT", X, "Organization", {}, "-", false, kDeny, "operation"},
      {{kAdmin}, "HOPERAT", D, "Organization", {}, "-", false, kDeny, "operation"},
      // -- PSY (a psychiatric diagnosis) is a sensitivity like HIV; PSYTHPN (a psychotherapy
      //    note) is for the treating clinician alone
      {{kHimTechnician}, "HOPERAT", R, "Condition", {"PSY"}, "-", false, kAllow, "allow"},
      {{kCoder}, "HPAYMT", R, "Condition", {"PSY"}, "-", false, kAllow, "allow"},
      {{kDataAnalyst}, "HRESCH", R, "Condition", {"PSY"}, "-", false, kDeny, "label"},
      {{kHimDirector}, "HOPERAT", R, "Condition", {"PSY"}, "-", false, kDeny, "label"},
      {{kCoder}, "HPAYMT", R, "DocumentReference", {"PSYTHPN"}, "-", false, kDeny, "label"},
      // -- labels in combination: every label must pass
      {{kClinician},
       "TREAT",
       R,
       "Condition",
       {"HIV", "SUD"},
       "part2-treat",
       false,
       kAllow,
       "allow"},
      {{kClinician}, "TREAT", R, "Condition", {"HIV", "SUD"}, "-", false, kDeny, "part2"},
      {{kCoder}, "HPAYMT", R, "Condition", {"HIV", "V"}, "-", false, kDeny, "label"},
      {{kHimTechnician},
       "HOPERAT",
       R,
       "DocumentReference",
       {"R", "PSYTHPN"},
       "-",
       false,
       kDeny,
       "label"},
      {{kDataAnalyst}, "HRESCH", R, "Observation", {"N", "HIV"}, "-", false, kDeny, "label"},
      {{kClinician}, "TREAT", R, "Observation", {"R", "SDV"}, "deny-hiv", false, kAllow, "allow"},
  };
  return cases;
}

const char* Name(Effect e) {
  return e == Effect::kAllow ? "allow" : e == Effect::kMask ? "mask" : "deny";
}

std::string Describe(const Case& c) {
  std::string roles;
  for (Role r : c.roles) roles += std::string(RoleName(r)) + "+";
  std::string labels;
  for (const std::string& l : c.labels) labels += l + ",";
  return roles + " " + c.purpose + " op" + std::to_string(static_cast<int>(c.op)) + " " + c.type +
         " [" + labels + "] consent=" + c.consent + (c.grant ? " grant" : "");
}

TEST(PolicyTest, TheAccessMatrixHolds) {
  ASSERT_GE(Matrix().size(), 200u);
  for (const Case& c : Matrix()) {
    Subject subject;
    subject.id = "jdoe";
    subject.roles = c.roles;
    subject.purpose = c.purpose;
    if (std::find(c.roles.begin(), c.roles.end(), kPatient) != c.roles.end()) {
      subject.patient = "p1";
    }
    if (c.grant) subject.grants.push_back({"p1", kNow + hours(4)});
    ResourceFacts resource;
    resource.type = c.type;
    const std::string type(c.type);
    const bool outside = type == "Organization" || type == "Practitioner" || type == "ValueSet" ||
                         type == "AuditEvent";
    resource.patient = outside ? "" : "p1";
    resource.labels = c.labels;
    const Decision d = Decide(subject, c.op, resource, Consents().at(c.consent), kNow);
    EXPECT_STREQ(Name(d.effect), Name(c.expected)) << Describe(c) << " (rule " << d.rule << ")";
    EXPECT_EQ(d.rule, c.rule) << Describe(c);
    EXPECT_EQ(d.break_glass, c.grant && c.expected == kAllow) << Describe(c);
  }
}

TEST(PolicyTest, APatientSeesItsOwnRecordOnly) {
  Subject subject{"p1-account", {kPatient}, "PATRQT", "p1", {}, {}};
  ResourceFacts mine{"Observation", "p1", {}};
  ResourceFacts theirs{"Observation", "p2", {}};
  ResourceFacts nobodys{"Observation", "", {}};
  EXPECT_EQ(Decide(subject, R, mine, {}, kNow).effect, kAllow);
  EXPECT_EQ(Decide(subject, R, theirs, {}, kNow).rule, "own-record");
  EXPECT_EQ(Decide(subject, R, nobodys, {}, kNow).rule, "own-record");
  subject.patient.clear();  // a patient account that names no patient sees nothing
  EXPECT_EQ(Decide(subject, R, mine, {}, kNow).rule, "own-record");
}

TEST(PolicyTest, AGrantCoversItsPatientUntilItExpires) {
  Subject subject{"dr", {kClinician}, "ETREAT", "", {{"p1", kNow + hours(1)}}, {}};
  const std::vector<ConsentRule> deny_all = {{false, {}, {}, {}}};
  EXPECT_TRUE(Decide(subject, R, {"Observation", "p1", {}}, deny_all, kNow).break_glass);
  EXPECT_EQ(Decide(subject, R, {"Observation", "p2", {}}, deny_all, kNow).rule, "consent");
  EXPECT_EQ(Decide(subject, R, {"Observation", "p1", {}}, deny_all, kNow + hours(1)).rule,
            "consent");
}

TEST(PolicyTest, PurposeIsCheckedForTheWholeRequest) {
  EXPECT_TRUE(CheckPurpose({"u", {kCoder}, "HPAYMT", "", {}, {}}));
  EXPECT_TRUE(CheckPurpose({"u", {kCoder, kClinician}, "TREAT", "", {}, {}}));
  const Status refused = CheckPurpose({"u", {kCoder}, "TREAT", "", {}, {}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category(), ErrorCategory::kForbidden);
  EXPECT_EQ(refused.error().code(), "access.purpose");
  EXPECT_FALSE(CheckPurpose({"u", {}, "TREAT", "", {}, {}}));
}

TEST(PolicyTest, RoleNamesRoundTrip) {
  for (const char* name :
       {"clinician", "him_technician", "coder", "cdi_specialist", "privacy_officer", "data_analyst",
        "him_director", "patient", "interface", "admin"}) {
    auto role = ParseRole(name);
    ASSERT_TRUE(role.has_value()) << name;
    EXPECT_EQ(RoleName(*role), name);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
}

TEST(PolicyTest, SmartScopesDecideForAScopedInterface) {
  const std::vector<std::string> v2 = {"system/Observation.rs", "system/Patient.r",
                                       "patient/*.cruds", "system/Encounter.rs?status=finished"};
  EXPECT_TRUE(ScopesAllow(v2, Operation::kRead, "Observation"));
  EXPECT_TRUE(ScopesAllow(v2, Operation::kSearch, "Observation"));
  EXPECT_FALSE(ScopesAllow(v2, Operation::kCreate, "Observation"));
  EXPECT_FALSE(ScopesAllow(v2, Operation::kSearch, "Patient"));
  EXPECT_FALSE(ScopesAllow(v2, Operation::kUpdate, "Condition"));  // patient/ does not count
  EXPECT_FALSE(ScopesAllow(v2, Operation::kRead, "Encounter"));    // fine-grained: not widened
  const std::vector<std::string> v1 = {"system/*.read", "system/Observation.write"};
  EXPECT_TRUE(ScopesAllow(v1, Operation::kSearch, "Condition"));
  EXPECT_TRUE(ScopesAllow(v1, Operation::kExport, "Condition"));
  EXPECT_TRUE(ScopesAllow(v1, Operation::kUpdate, "Observation"));
  EXPECT_FALSE(ScopesAllow(v1, Operation::kUpdate, "Condition"));
  EXPECT_FALSE(ScopesAllow(std::vector<std::string>{"system/*.rz"}, Operation::kRead, "Patient"));
  // A scoped interface: the scopes, not the role's table, decide type and operation; labels and
  // consent still apply.
  Subject feed{"lab-feed", {kInterface}, "HOPERAT", "", {}, {"system/Observation.cru"}};
  EXPECT_EQ(Decide(feed, C, {"Observation", "p1", {}}, {}, kNow).effect, Effect::kAllow);
  EXPECT_EQ(Decide(feed, R, {"Condition", "p1", {}}, {}, kNow).rule, "operation");
  EXPECT_EQ(Decide(feed, R, {"Observation", "p1", {"SUD"}}, {}, kNow).rule, "part2");
}

}  // namespace
}  // namespace chartroom::access

namespace chartroom::access {
namespace {

Decision Released(const Disclosure& d, std::vector<std::string> labels,
                  const std::string& consent = "-") {
  return DecideDisclosure(d, ResourceFacts{"Condition", "p1", std::move(labels)},
                          Consents().at(consent));
}

TEST(DisclosureTest, ConsentLabelsAndAuthoritiesDecideWhatLeaves) {
  const Disclosure attorney{"LEGAL", "smith-law", false, false, false, true, {"HIV"}};
  EXPECT_EQ(Released(attorney, {}).effect, Effect::kAllow);
  EXPECT_EQ(Released(attorney, {}, "deny-all").rule, "consent");
  EXPECT_EQ(Released(attorney, {"V"}).rule, "label");
  EXPECT_EQ(Released(attorney, {"HIV", "R"}).effect, Effect::kAllow);  // named
  EXPECT_EQ(Released(attorney, {"STD", "R"}).rule, "label");           // not named
  EXPECT_EQ(Released(attorney, {"SUD"}).rule, "part2");
  EXPECT_EQ(Released(attorney, {"SUD"}, "part2-smith").effect, Effect::kAllow);
  EXPECT_EQ(Released(attorney, {"SUD"}, "part2-any").rule, "part2");    // names no recipient
  EXPECT_EQ(Released(attorney, {"SUD"}, "part2-treat").rule, "part2");  // another purpose
  EXPECT_EQ(Released(attorney, {"PSYTHPN"}).rule, "psychotherapy");

  const Disclosure research{"HRESCH", "univ", false, false, false, true, {}};
  EXPECT_EQ(Released(research, {}, "deny-research").rule, "consent");

  // The patient: Part 2 records are theirs to have; psychotherapy notes are not in the right
  // of access; sensitive categories need no naming.
  const Disclosure patient{"PATRQT", "p1", true, false, false, false, {}};
  EXPECT_EQ(Released(patient, {"SUD", "HIV"}).effect, Effect::kAllow);
  EXPECT_EQ(Released(patient, {"PSYTHPN"}).rule, "psychotherapy");

  Disclosure with_part2 = attorney;
  with_part2.part2_consent = true;
  with_part2.psychotherapy_authorized = true;
  EXPECT_EQ(Released(with_part2, {"SUD", "PSYTHPN"}).effect, Effect::kAllow);
  EXPECT_EQ(Released(with_part2, {"SUD"}, "deny-all").rule, "consent");  // a refusal still holds
}

}  // namespace
}  // namespace chartroom::access
