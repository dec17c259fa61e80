#include "access/gate.hpp"

#include <boost/json.hpp>

#include "access/masking.hpp"
#include "core/result_macros.hpp"

namespace chartroom::access {
namespace json = boost::json;
namespace {

const json::object* ObjectAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* ArrayAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

std::string_view StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// Codes of an array of Codings (Consent.provision.purpose, securityLabel).
std::vector<std::string> Codes(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = ArrayAt(o, key)) {
    for (const json::value& c : *a) {
      if (c.is_object() && !StringAt(c.get_object(), "code").empty()) {
        out.emplace_back(StringAt(c.get_object(), "code"));
      }
    }
  }
  return out;
}

void AddProvision(const json::object& provision, std::vector<ConsentRule>& rules) {
  const std::string_view type = StringAt(provision, "type");
  ConsentRule rule;
  rule.permit = type == "permit";
  rule.purposes = Codes(provision, "purpose");
  rule.labels = Codes(provision, "securityLabel");
  if (const json::array* actors = ArrayAt(provision, "actor")) {
    for (const json::value& a : *actors) {
      if (!a.is_object()) continue;
      const json::object* ref = ObjectAt(a.get_object(), "reference");
      if (ref == nullptr) continue;
      if (const json::object* id = ObjectAt(*ref, "identifier")) {
        if (!StringAt(*id, "value").empty()) rule.actors.emplace_back(StringAt(*id, "value"));
      }
      const std::string_view target = StringAt(*ref, "reference");
      if (const auto slash = target.rfind('/'); slash != std::string_view::npos) {
        rule.actors.emplace_back(target.substr(slash + 1));
      }
    }
  }
  // A deny always counts; a permit only where it lifts a label's default refusal (42 CFR Part 2
  // consent names SUD): a plain permit is the default and adds nothing.
  if (type == "deny" || (rule.permit && !rule.labels.empty())) rules.push_back(std::move(rule));
  if (const json::array* nested = ArrayAt(provision, "provision")) {
    for (const json::value& p : *nested) {
      if (p.is_object()) AddProvision(p.get_object(), rules);
    }
  }
}

}  // namespace

std::vector<ConsentRule> ConsentRules(const boost::json::object& consent) {
  std::vector<ConsentRule> rules;
  if (StringAt(consent, "status") != "active") return rules;
  if (const json::object* provision = ObjectAt(consent, "provision")) {
    AddProvision(*provision, rules);
  }
  return rules;
}

std::vector<std::string> SecurityLabels(const boost::json::object& resource) {
  std::vector<std::string> out;
  if (const json::object* meta = ObjectAt(resource, "meta")) out = Codes(*meta, "security");
  return out;
}

Gate::Gate(PatientOfFunction patient_of, ConsentLookup consent, core::Clock& clock, Options options)
    : patient_of_(std::move(patient_of)),
      consent_(std::move(consent)),
      clock_(clock),
      options_(options) {}

void Gate::ConsentChanged(std::string_view patient) {
  std::unique_lock lock(mutex_);
  consent_cache_.erase(std::string(patient));
}

Result<std::vector<ConsentRule>> Gate::ConsentOf(std::string_view patient) {
  const core::Timestamp now = clock_.Now();
  {
    std::shared_lock lock(mutex_);
    auto it = consent_cache_.find(std::string(patient));
    if (it != consent_cache_.end() && now - it->second.loaded < options_.consent_ttl) {
      return it->second.rules;
    }
  }
  CHARTROOM_ASSIGN_OR_RETURN(auto consents, consent_(patient));
  std::vector<ConsentRule> rules;
  for (const json::object& c : consents) {
    for (ConsentRule& r : ConsentRules(c)) rules.push_back(std::move(r));
  }
  std::unique_lock lock(mutex_);
  if (consent_cache_.size() > 100000) consent_cache_.clear();
  consent_cache_[std::string(patient)] = {rules, now};
  return rules;
}

Result<Decision> Gate::View::DecideFor(Operation operation, const json::object& resource,
                                       std::optional<std::string>* patient, bool writing) {
  json::value wrapped(resource, json::storage_ptr());
  CHARTROOM_ASSIGN_OR_RETURN(*patient, gate_.patient_of_(wrapped));
  ResourceFacts facts;
  facts.type = std::string(StringAt(resource, "resourceType"));
  facts.patient = patient->value_or("");
  std::vector<ConsentRule> consent;
  if (writing) {
    // Labels and consent restrict what leaves, not what is recorded: a clinician records a
    // Part 2 diagnosis without the consent its disclosure will need.
    return Decide(subject_, operation, facts, consent, gate_.clock_.Now());
  }
  facts.labels = SecurityLabels(resource);
  if (!facts.patient.empty()) {
    CHARTROOM_ASSIGN_OR_RETURN(consent, gate_.ConsentOf(facts.patient));
  }
  return Decide(subject_, operation, facts, consent, gate_.clock_.Now());
}

Result<std::optional<std::string>> Gate::View::Show(Operation operation, std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    return Fail(ErrorCategory::kInternal, "access.bad-stored-resource",
                "a stored resource is not a JSON object");
  }
  json::object& resource = parsed.get_object();
  std::optional<std::string> patient;
  CHARTROOM_ASSIGN_OR_RETURN(Decision decision, DecideFor(operation, resource, &patient, false));
  if (decision.effect == Effect::kDeny) return std::optional<std::string>();
  if (patient) patients_.insert(*patient);
  if (resources_.size() < kMaxListed) {
    resources_.push_back(std::string(StringAt(resource, "resourceType")) + "/" +
                         std::string(StringAt(resource, "id")));
  }
  break_glass_ = break_glass_ || decision.break_glass;
  if (StringAt(resource, "resourceType") == "Patient" && shown_patients_.size() < kMaxListed) {
    ShownPatient shown;
    shown.id = std::string(StringAt(resource, "id"));
    if (const json::array* names = ArrayAt(resource, "name")) {
      for (const json::value& n : *names) {
        if (n.is_object() && !StringAt(n.get_object(), "family").empty()) {
          shown.families.emplace_back(StringAt(n.get_object(), "family"));
        }
      }
    }
    if (const json::array* addresses = ArrayAt(resource, "address")) {
      for (const json::value& a : *addresses) {
        if (a.is_object() && !StringAt(a.get_object(), "postalCode").empty()) {
          shown.postal_codes.emplace_back(StringAt(a.get_object(), "postalCode"));
        }
      }
    }
    if (const json::object* meta = ObjectAt(resource, "meta")) {
      for (std::string_view list : {"security", "tag"}) {
        for (const std::string& code : Codes(*meta, list)) shown.vip = shown.vip || code == "VIP";
      }
    }
    shown_patients_.push_back(std::move(shown));
  }
  if (decision.effect == Effect::kMask) {
    MaskForMinimumNecessary(resource);
    return std::optional<std::string>(json::serialize(resource));
  }
  return std::optional<std::string>(std::string(text));
}

Status Gate::View::CheckWrite(Operation operation, const boost::json::value& resource) {
  if (!resource.is_object()) {
    return Fail(ErrorCategory::kInvalid, "access.bad-resource", "a resource is not an object");
  }
  std::optional<std::string> patient;
  CHARTROOM_ASSIGN_OR_RETURN(Decision decision,
                             DecideFor(operation, resource.get_object(), &patient, true));
  if (decision.effect != Effect::kAllow) {
    return Fail(ErrorCategory::kForbidden, "access.denied",
                "the request is not permitted for this user, role and purpose of use");
  }
  if (patient) patients_.insert(*patient);
  break_glass_ = break_glass_ || decision.break_glass;
  if (StringAt(resource.get_object(), "resourceType") == "Consent" && patient) {
    gate_.ConsentChanged(*patient);
  }
  return Ok();
}

bool Gate::View::MayUse(Operation operation, std::string_view type) const {
  ResourceFacts facts;
  facts.type = std::string(type);
  facts.patient = subject_.patient;  // a patient account asks about its own compartment
  const Decision d = Decide(subject_, operation, facts, {}, gate_.clock_.Now());
  return d.rule != "operation" && d.rule != "purpose";
}

}  // namespace chartroom::access
