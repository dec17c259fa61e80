// Security labels assigned on write (docs/access.md, "Labels on write"): rules map codes found
// anywhere in a resource (every Coding: Condition.code, Observation.value, reasonCode, ...) to
// HL7 sensitivity codes in meta.security, and the confidentiality code follows from them (R for
// any sensitivity, unless the resource already says V).
//
// Thread safety: pure functions; a rule set is immutable.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace chartroom::access {

// Codes of `system` from `first` to `last` (inclusive, compared on their first characters after
// dropping the dot, so "F10" to "F19" covers F10.20 and F19.99) carry `label`.
struct LabelRule {
  std::string system;
  std::string first;
  std::string last;
  std::string label;  // a v3-ActCode sensitivity code: SUD, HIV, PSY, STD, SDV, ETH, GDIS ...
};

inline constexpr std::string_view kIcd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
inline constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

// The rules Chartroom ships (ICD-10-CM): F10-F19 substance use (SUD, 42 CFR Part 2), B20, Z21,
// B97.35 and O98.7 HIV, F20-F48 psychiatric disorders (PSY), A50-A64 sexually transmitted
// infections (STD), T74 and T76 maltreatment (SDV).
const std::vector<LabelRule>& DefaultLabelRules();

// The sensitivity labels `rules` give `resource`, sorted, each once.
std::vector<std::string> SensitivityOf(const boost::json::object& resource,
                                       const std::vector<LabelRule>& rules);

// Adds to meta.security what `rules` give `resource` and the confidentiality they imply (R),
// leaving labels set by hand as they are. Returns whether anything was added.
bool ApplyLabels(boost::json::object& resource, const std::vector<LabelRule>& rules);

}  // namespace chartroom::access
