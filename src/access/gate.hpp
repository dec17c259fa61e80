// The gate: the one place where access decisions are applied to data (docs/access.md "The
// decision"). Every resource that leaves through a read path (read, vread, search matches and
// includes, history, $everything, $export) passes Gate::View::Show, which hides it, masks it or
// lets it through; every write passes CheckWrite. The facts the policy needs are taken from the
// resource itself: its type, its Patient compartment (fhir::search::IndexExtractor, as the store
// files it), its meta.security codes, and the patient's active Consent resources (read through
// the injected ConsentLookup, cached for `consent_ttl`).
//
// A View belongs to one request and collects the patients and resources it showed, for the
// request's audit event.
//
// Thread safety: a Gate may be used by many threads; a View by one.

#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "access/policy.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"

namespace chartroom::access {

// The patient whose compartment holds a resource (nullopt: none).
using PatientOfFunction =
    std::function<Result<std::optional<std::string>>(const boost::json::value& resource)>;
// The active Consent resources of a patient, as JSON.
using ConsentLookup =
    std::function<Result<std::vector<boost::json::object>>(std::string_view patient)>;

// The provisions of one FHIR R4 Consent (status active): deny provisions (and permit provisions
// naming a sensitivity label, 42 CFR Part 2 consent) with their purposes, actors (the user name
// in actor.reference.identifier.value, or the id of actor.reference.reference) and labels. An
// inactive Consent gives none.
std::vector<ConsentRule> ConsentRules(const boost::json::object& consent);

// The meta.security codes of a resource.
std::vector<std::string> SecurityLabels(const boost::json::object& resource);

// What monitoring (monitor.hpp) needs of a Patient resource that was shown.
struct ShownPatient {
  std::string id;
  std::vector<std::string> families;      // name.family, as written
  std::vector<std::string> postal_codes;  // address.postalCode
  bool vip = false;                       // meta.security or meta.tag code VIP
};

class Gate {
 public:
  struct Options {
    std::chrono::milliseconds consent_ttl{2000};
  };
  Gate(PatientOfFunction patient_of, ConsentLookup consent, core::Clock& clock, Options options);
  Gate(PatientOfFunction patient_of, ConsentLookup consent, core::Clock& clock)
      : Gate(std::move(patient_of), std::move(consent), clock, Options{}) {}

  // Forgets the cached consent of `patient` (a Consent of theirs was written).
  void ConsentChanged(std::string_view patient);

  class View {
   public:
    View(Gate& gate, const Subject& subject) : gate_(gate), subject_(subject) {}

    // The resource as `subject` may receive it for `operation`: unchanged, masked (then
    // re-serialized) or nullopt when it must not be seen at all. `json` is a stored resource.
    Result<std::optional<std::string>> Show(Operation operation, std::string_view json);
    // kForbidden "access.denied" when `subject` may not write `resource` (create/update) or
    // delete it: role, operation, type, purpose and own-record rules; labels and consent govern
    // what leaves, not what is recorded. The patient of the resource is recorded as touched.
    Status CheckWrite(Operation operation, const boost::json::value& resource);
    // Whether the subject may run `operation` on `type` at all (a search of a type it may never
    // read is refused rather than answered empty).
    bool MayUse(Operation operation, std::string_view type) const;

    // The patients of what was shown or written, and the first kMaxListed resources shown.
    static constexpr std::size_t kMaxListed = 100;
    const std::set<std::string>& patients() const { return patients_; }
    // The Patient resources shown (their first kMaxListed), before any masking.
    const std::vector<ShownPatient>& shown_patients() const { return shown_patients_; }
    const std::vector<std::string>& resources() const { return resources_; }
    bool break_glass() const { return break_glass_; }
    const Subject& subject() const { return subject_; }
    Gate& gate() const { return gate_; }

   private:
    Result<Decision> DecideFor(Operation operation, const boost::json::object& resource,
                               std::optional<std::string>* patient, bool writing);
    Gate& gate_;
    const Subject& subject_;
    std::set<std::string> patients_;
    std::vector<std::string> resources_;
    std::vector<ShownPatient> shown_patients_;
    bool break_glass_ = false;
  };

 private:
  Result<std::vector<ConsentRule>> ConsentOf(std::string_view patient);

  PatientOfFunction patient_of_;
  ConsentLookup consent_;
  core::Clock& clock_;
  Options options_;
  struct Cached {
    std::vector<ConsentRule> rules;
    core::Timestamp loaded;
  };
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Cached> consent_cache_;
};

}  // namespace chartroom::access
