// One patient's clinical history: a plan of encounters over the last ten years (or since birth),
// then, encounter by encounter in date order, the resources each produces. Every date falls
// after birth, on or before death and on or before the reference date; every code passes its
// table's sex and age limits on the day it is recorded.

#include <algorithm>
#include <string>
#include <vector>

#include "synth/context.hpp"
#include "synth/notes.hpp"
#include "synth/person.hpp"
#include "synth/text.hpp"

namespace chartroom::synth {
namespace {

constexpr std::string_view kIcd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kSnomed = "http://snomed.info/sct";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";

enum class Kind : std::uint8_t {
  kWellness,
  kFollowUp,
  kAcute,
  kEmergency,
  kInpatient,
  kPrenatal,
  kDelivery,
  kBirth,
};

struct Plan {
  Kind kind;
  Days day;
  int item = -1;  // chronic, acute or admission index; pregnancy index
  bool expired = false;
  bool in_progress = false;
  bool first = false;  // first prenatal visit
};

struct Chronic {
  const ChronicProfile* profile;
  std::string_view code;
  Days onset;
  std::string condition_id;  // empty until recorded
};

struct Pregnancy {
  Days delivery;
  bool cesarean;
  bool first;
};

struct EncounterInfo {
  std::string id;
  Kind kind;
  std::uint8_t facility;
  Specialty specialty;
  const Clinician* clinician;
  Days start_day;
  int start_sec;
  Days end_day;
  int end_sec;
  bool in_progress;
  bool expired;
};

struct NewCondition {
  std::string id;
  const Diagnosis* dx;
};

struct Vitals {
  int heart_rate = 0;
  int systolic = 0;
  int diastolic = 0;
  double temperature = 0;
};

double YearsBetween(Days from, Days to) { return static_cast<double>(to - from) / 365.25; }

double Clamp(double v, double lo, double hi) { return std::max(lo, std::min(hi, v)); }

class ChartWriter {
 public:
  ChartWriter(Context& ctx, const Person& person, const std::string& patient_id,
              const std::string& mrn, double volume)
      : ctx_(ctx),
        p_(person),
        patient_id_(patient_id),
        mrn_(mrn),
        volume_(volume),
        rng_(person.clinical_seed),
        note_rng_(MixSeed(person.clinical_seed, 7)) {
    end_ = person.death != kNoDate ? person.death : ctx.reference();
    start_ = std::max(person.birth, end_ - 3652);
    age_ = AgeOn(person.birth, end_);
    adult_height_ = person.sex == Sex::kMale ? rng_.Normal(176, 7) : rng_.Normal(162.5, 6.5);
    bmi_ = Clamp(rng_.Normal(27.5, 4.5), 17.5, 48);
    if (rng_.Chance(0.04)) bmi_ = Clamp(rng_.Normal(41, 4), 35, 55);
  }

  void Write() {
    PlanChronic();
    PlanEncounters();
    PlanAllergies();
    for (const Plan& plan : plans_) {
      if (ctx_.failed()) return;
      WriteEncounter(plan);
    }
    WriteAllergies();
    WriteImmunizations();
  }

 private:
  // ------------------------------------------------------------------------------ planning

  bool Eligible(const Diagnosis* dx, Days day) const {
    if (dx == nullptr || !SexAllows(dx->sex, p_.sex)) return false;
    const int age = AgeOn(p_.birth, day);
    return age >= dx->min_age && age <= dx->max_age;
  }

  void PlanChronic() {
    for (const ChronicProfile& profile : ChronicProfiles()) {
      if (!SexAllows(profile.sex, p_.sex) || age_ < profile.min_onset_age) continue;
      bool has = false;
      if (profile.key == "obesity") {
        has = age_ >= 18 && bmi_ >= 30;
      } else {
        const unsigned per_mille =
            age_ < 40 ? profile.per_mille_young
                      : (age_ < 65 ? profile.per_mille_middle : profile.per_mille_old);
        has = rng_.PerMille(per_mille);
      }
      if (!has) continue;
      const int last_onset = std::min<int>(age_, profile.max_onset_age);
      const int onset_age = rng_.Between(profile.min_onset_age, last_onset);
      Days onset = AddYears(p_.birth, onset_age) + rng_.Between(0, 364);
      onset = std::min(onset, end_);
      int alternatives = 0;
      while (alternatives < 3 && !profile.codes[alternatives].empty()) ++alternatives;
      chronic_.push_back({&profile,
                          profile.codes[rng_.Below(static_cast<std::uint32_t>(alternatives))],
                          onset,
                          {}});
    }
  }

  void Add(Kind kind, Days day, int item = -1) {
    if (day < start_ || day > end_) return;
    plans_.push_back({kind, day, item});
  }

  void PlanEncounters() {
    const int years = std::max(1, (end_ - start_) / 365);
    // Birth stay, when the person was born within the window at one of our hospitals.
    if (p_.birth >= start_ && rng_.Chance(0.7)) Add(Kind::kBirth, p_.birth);
    // Well-child visits, then periodic check-ups.
    static constexpr int kWellChildDays[] = {14,  60,  120, 180, 270,  365,
                                             450, 540, 730, 912, 1095, 1460};
    for (int d : kWellChildDays) {
      if (rng_.Chance(0.8 * volume_)) Add(Kind::kWellness, p_.birth + d + rng_.Between(0, 9));
    }
    for (int y = 4; y <= 110; ++y) {
      const Days day = AddYears(p_.birth, y) + rng_.Between(0, 200);
      const double p = y < 18 ? 0.6 : (y < 65 ? 0.3 : 0.5);
      if (day >= start_ && rng_.Chance(p * volume_)) Add(Kind::kWellness, day);
    }
    // Follow-up of long-term conditions.
    for (std::size_t i = 0; i < chronic_.size(); ++i) {
      const Days from = std::max(chronic_[i].onset, start_);
      int visits = 0;
      for (Days day = from + rng_.Between(10, 120); day <= end_ && visits < 4;
           day += rng_.Between(240, 540)) {
        if (rng_.Chance(0.6 * volume_)) {
          Add(Kind::kFollowUp, day, static_cast<int>(i));
          ++visits;
        }
      }
    }
    // Unplanned visits.
    const double acute_rate = age_ < 6 ? 1.6 : (age_ < 18 ? 0.7 : (age_ < 65 ? 0.5 : 0.8));
    const int acute = static_cast<int>(acute_rate * years * volume_ + rng_.Unit());
    for (int i = 0; i < acute; ++i) {
      const Days day = rng_.Between(start_, end_);
      Add(rng_.Chance(0.75) ? Kind::kAcute : Kind::kEmergency, day);
    }
    // Hospital stays.
    const double stay_rate =
        (age_ < 50 ? 0.015 : (age_ < 70 ? 0.04 : 0.1)) + (chronic_.size() >= 3 ? 0.03 : 0.0);
    for (int y = 0; y < years; ++y) {
      if (rng_.Chance(stay_rate * volume_)) Add(Kind::kInpatient, rng_.Between(start_, end_));
    }
    PlanPregnancies();
    // The end of the story: death in hospital for many of the dead; an open encounter for a few
    // of the living.
    if (p_.death != kNoDate && rng_.Chance(0.6) && age_ >= 1) {
      plans_.push_back({Kind::kInpatient, p_.death - rng_.Between(1, 6), -1, true});
      if (plans_.back().day < start_) plans_.pop_back();
    } else if (p_.death == kNoDate && rng_.Chance(0.03)) {
      const bool stay = rng_.Chance(0.5);
      plans_.push_back({stay ? Kind::kInpatient : Kind::kEmergency,
                        ctx_.reference() - (stay ? rng_.Between(0, 2) : 0), -1, false, true});
      if (plans_.back().day < start_) plans_.pop_back();
    }
    // A cap keeps per-patient work bounded.
    std::stable_sort(plans_.begin(), plans_.end(),
                     [](const Plan& a, const Plan& b) { return a.day < b.day; });
    if (plans_.size() > 60) plans_.erase(plans_.begin(), plans_.end() - 60);
    // Stays end before the next encounter begins; nothing follows an open encounter.
    for (std::size_t i = 0; i + 1 < plans_.size(); ++i) {
      if (plans_[i].in_progress) {
        plans_.resize(i + 1);
        break;
      }
    }
  }

  void PlanPregnancies() {
    if (p_.sex != Sex::kFemale) return;
    bool first = true;
    Days last_delivery = kNoDate;
    for (Days day = start_; day <= end_; day += 365) {
      const int age = AgeOn(p_.birth, day);
      if (age < 18 || age > 43) continue;
      if (last_delivery != kNoDate && day - last_delivery < 600) continue;
      if (!rng_.Chance(0.07 * volume_)) continue;
      const Days delivery = day + rng_.Between(0, 364);
      if (delivery > end_ || delivery - 270 < start_ || AgeOn(p_.birth, delivery) > 44) continue;
      const int index = static_cast<int>(pregnancies_.size());
      pregnancies_.push_back({delivery, rng_.Chance(0.3), first});
      static constexpr int kPrenatal[] = {250, 200, 160, 120, 80, 45, 21, 7};
      bool first_visit = true;
      for (int before : kPrenatal) {
        if (rng_.Chance(0.85)) {
          plans_.push_back({Kind::kPrenatal, delivery - before, index, false, false, first_visit});
          first_visit = false;
        }
      }
      plans_.push_back({Kind::kDelivery, delivery, index});
      first = false;
      last_delivery = delivery;
    }
  }

  void PlanAllergies() {
    if (!rng_.Chance(0.15)) return;
    static const WeightedIndex kAllergenIndex(Allergens(),
                                              [](const Allergen& a) { return a.weight; });
    const int count = rng_.Chance(0.7) ? 1 : rng_.Between(2, 3);
    for (int i = 0; i < count; ++i) {
      const std::size_t pick = kAllergenIndex.Pick(rng_);
      if (std::find(allergies_.begin(), allergies_.end(), pick) == allergies_.end()) {
        allergies_.push_back(pick);
      }
    }
  }

  // ------------------------------------------------------------------------------ encounters

  Specialty SpecialtyFor(const Plan& plan) {
    const int age = AgeOn(p_.birth, plan.day);
    switch (plan.kind) {
      case Kind::kWellness:
        return age < 18 ? Specialty::kPediatrics
                        : (rng_.Chance(0.2) ? Specialty::kNursePractitioner
                                            : (rng_.Chance(0.5) ? Specialty::kFamilyMedicine
                                                                : Specialty::kInternalMedicine));
      case Kind::kFollowUp: {
        const Specialty s = chronic_[static_cast<std::size_t>(plan.item)].profile->follow_up;
        return age < 18 && s != Specialty::kPsychiatry ? Specialty::kPediatrics : s;
      }
      case Kind::kAcute:
        return age < 18 ? Specialty::kPediatrics : Specialty::kFamilyMedicine;
      case Kind::kEmergency:
        return Specialty::kEmergency;
      case Kind::kInpatient:
        return Specialty::kHospitalist;
      case Kind::kPrenatal:
      case Kind::kDelivery:
        return Specialty::kObstetrics;
      case Kind::kBirth:
        return Specialty::kPediatrics;
    }
    return Specialty::kFamilyMedicine;
  }

  // Picks the admission or acute problem of an unplanned visit; -1 if none fits.
  int PickAdmission(Days day) {
    const std::span<const Admission> all = Admissions();
    std::uint32_t total = 0;
    for (const Admission& a : all) total += Fits(a, day) ? a.weight : 0u;
    if (total == 0) return -1;
    std::uint32_t r = rng_.Below(total);
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (!Fits(all[i], day)) continue;
      if (r < all[i].weight) return static_cast<int>(i);
      r -= all[i].weight;
    }
    return -1;
  }
  bool Fits(const Admission& a, Days day) const {
    for (std::string_view code : a.codes) {
      if (!code.empty() && !Eligible(FindDiagnosis(code), day)) return false;
    }
    return true;
  }
  int PickAcute(Days day, Setting setting) {
    const std::span<const AcuteProblem> all = AcuteProblems();
    std::uint32_t total = 0;
    const auto fits = [&](const AcuteProblem& a) {
      return (a.settings & static_cast<std::uint8_t>(setting)) != 0 &&
             Eligible(FindDiagnosis(a.code), day) &&
             (a.code != "U07.1" || day >= DaysFromYmd(2020, 4, 1));
    };
    for (const AcuteProblem& a : all) total += fits(a) ? a.weight : 0u;
    if (total == 0) return -1;
    std::uint32_t r = rng_.Below(total);
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (!fits(all[i])) continue;
      if (r < all[i].weight) return static_cast<int>(i);
      r -= all[i].weight;
    }
    return -1;
  }

  void WriteEncounter(const Plan& plan) {
    // Resolve what the visit is about before writing anything.
    const Admission* admission = nullptr;
    const AcuteProblem* acute = nullptr;
    if (plan.kind == Kind::kInpatient) {
      const int pick = PickAdmission(plan.day);
      if (pick < 0) return;
      admission = &Admissions()[static_cast<std::size_t>(pick)];
    } else if (plan.kind == Kind::kAcute || plan.kind == Kind::kEmergency) {
      const int pick = PickAcute(
          plan.day, plan.kind == Kind::kAcute ? Setting::kAmbulatory : Setting::kEmergency);
      if (pick < 0) return;
      acute = &AcuteProblems()[static_cast<std::size_t>(pick)];
    }
    if (plan.day < last_end_) return;  // overlaps a stay still going on

    EncounterInfo e;
    e.id = ctx_.NewId(OutputFile::kEncounter);
    e.kind = plan.kind;
    e.specialty = admission != nullptr ? admission->specialty : SpecialtyFor(plan);
    e.facility = ctx_.directory().SiteFor(p_.facility, e.specialty);
    if (plan.kind == Kind::kEmergency || plan.kind == Kind::kInpatient ||
        plan.kind == Kind::kDelivery || plan.kind == Kind::kBirth) {
      e.facility = ctx_.directory().SiteFor(p_.facility, Specialty::kEmergency);
    }
    e.clinician = &ctx_.directory().Pick(e.facility, e.specialty, rng_);
    e.start_day = plan.day;
    e.in_progress = plan.in_progress;
    int stay_days = 0;
    switch (plan.kind) {
      case Kind::kEmergency:
        e.start_sec = rng_.Between(0, 86399);
        break;
      case Kind::kInpatient:
        e.start_sec = rng_.Between(0, 86399);
        stay_days = rng_.Between(admission->min_days, admission->max_days);
        break;
      case Kind::kDelivery:
        e.start_sec = rng_.Between(0, 86399);
        stay_days = pregnancies_[static_cast<std::size_t>(plan.item)].cesarean ? 3 : 2;
        break;
      case Kind::kBirth:
        e.start_sec = rng_.Between(0, 86399);
        stay_days = rng_.Between(1, 3);
        break;
      default:
        e.start_sec = rng_.Between(8 * 3600, 16 * 3600 + 1800);
        break;
    }
    if (plan.kind == Kind::kEmergency) {
      const int secs = e.start_sec + rng_.Between(2 * 3600, 7 * 3600);
      e.end_day = e.start_day + secs / 86400;
      e.end_sec = secs % 86400;
    } else if (stay_days > 0) {
      e.end_day = e.start_day + stay_days;
      e.end_sec = rng_.Between(10 * 3600, 16 * 3600);
    } else {
      const int secs = e.start_sec + rng_.Between(15 * 60, 50 * 60);
      e.end_day = e.start_day;
      e.end_sec = secs;
    }
    e.expired = false;
    if (p_.death != kNoDate && (plan.expired || e.end_day >= p_.death)) {
      // Died during the stay (or the record ends with the death).
      e.end_day = p_.death;
      e.expired = plan.expired || stay_days > 0;
    } else if (p_.death == kNoDate && (plan.in_progress || e.end_day > ctx_.reference())) {
      e.in_progress = true;  // still open on the reference date
    }
    if (e.end_day == e.start_day && e.end_sec < e.start_sec) e.end_sec = e.start_sec;
    last_end_ = e.end_day;

    // Long-term conditions diagnosed by now enter the problem list at this encounter.
    std::vector<std::size_t> newly_recorded;
    for (std::size_t i = 0; i < chronic_.size(); ++i) {
      Chronic& c = chronic_[i];
      if (!c.condition_id.empty() || c.onset > e.start_day) continue;
      if (!Eligible(FindDiagnosis(c.code), e.start_day)) continue;
      c.condition_id = ctx_.NewId(OutputFile::kCondition);
      newly_recorded.push_back(i);
    }

    // Conditions this encounter is about.
    std::vector<NewCondition> diagnoses;
    const auto add_dx = [&](std::string_view code) {
      const Diagnosis* dx = FindDiagnosis(code);
      if (dx != nullptr && Eligible(dx, e.start_day)) {
        diagnoses.push_back({ctx_.NewId(OutputFile::kCondition), dx});
      }
    };
    std::string_view reason_condition;  // an existing problem-list Condition
    std::string_view complaint;
    const Pregnancy* pregnancy =
        plan.item >= 0 && (plan.kind == Kind::kPrenatal || plan.kind == Kind::kDelivery)
            ? &pregnancies_[static_cast<std::size_t>(plan.item)]
            : nullptr;
    const int age = AgeOn(p_.birth, e.start_day);
    switch (plan.kind) {
      case Kind::kWellness:
        add_dx(age < 18 ? (rng_.Chance(0.85) ? "Z00.129" : "Z00.121")
                        : (rng_.Chance(0.8) ? "Z00.00" : "Z00.01"));
        if (age < 1 && AgeOn(p_.birth, e.start_day) == 0 && e.start_day - p_.birth < 28) {
          diagnoses.clear();
          add_dx(rng_.Chance(0.8) ? "Z00.110" : "Z00.111");
        }
        break;
      case Kind::kFollowUp: {
        const Chronic& c = chronic_[static_cast<std::size_t>(plan.item)];
        if (!c.condition_id.empty()) reason_condition = c.condition_id;
        complaint = "follow-up of ";
        break;
      }
      case Kind::kAcute:
      case Kind::kEmergency:
        add_dx(acute->code);
        complaint = acute->complaint;
        break;
      case Kind::kInpatient:
        for (std::string_view code : admission->codes) {
          if (!code.empty()) add_dx(code);
        }
        complaint = admission->complaint;
        break;
      case Kind::kPrenatal:
        add_dx(pregnancy->first ? "Z34.00" : "Z34.80");
        if (plan.first && rng_.Chance(0.08)) add_dx("O21.0");
        if (!plan.first && rng_.Chance(0.05)) add_dx(rng_.Chance(0.5) ? "O24.410" : "O13.9");
        complaint = "routine prenatal care";
        break;
      case Kind::kDelivery:
        add_dx(pregnancy->cesarean ? "O82" : "O80");
        add_dx("Z3A.39");
        add_dx("Z37.0");
        complaint = "labor at term";
        break;
      case Kind::kBirth:
        add_dx(rng_.Chance(0.7) ? "Z38.00" : "Z38.01");
        if (rng_.Chance(0.15)) add_dx("P59.9");
        complaint = "routine newborn care";
        break;
    }
    if (diagnoses.empty() && reason_condition.empty() && plan.kind != Kind::kWellness &&
        plan.kind != Kind::kFollowUp) {
      return;  // nothing plausible for this person on this day
    }

    WriteEncounterResource(e, plan, admission, diagnoses, reason_condition);

    // Problem-list conditions recorded here.
    for (std::size_t i : newly_recorded) {
      const Chronic& c = chronic_[i];
      WriteCondition(c.condition_id, *FindDiagnosis(c.code), e, /*problem_list=*/true, c.onset);
    }
    for (const NewCondition& d : diagnoses) {
      WriteCondition(d.id, *d.dx, e, /*problem_list=*/false, e.start_day);
    }
    const std::string_view main_condition =
        !diagnoses.empty() ? std::string_view(diagnoses.front().id) : reason_condition;

    // Observations.
    const bool fever = acute != nullptr && acute->fever;
    Vitals vitals = WriteVitals(e, e.start_day, e.start_sec + 600, fever, plan.kind);
    std::vector<std::string_view> labs;
    switch (plan.kind) {
      case Kind::kWellness:
        if (age >= 18 && rng_.Chance(0.35)) {
          labs = {"2093-3", "2571-8", "2085-9", "13457-7", "2339-0"};
        }
        break;
      case Kind::kFollowUp:
        for (std::string_view l : chronic_[static_cast<std::size_t>(plan.item)].profile->labs) {
          if (!l.empty()) labs.push_back(l);
        }
        break;
      case Kind::kAcute:
      case Kind::kEmergency:
        for (std::string_view l : acute->labs) {
          if (!l.empty()) labs.push_back(l);
        }
        break;
      case Kind::kInpatient:
        labs = {"718-7", "6690-2", "777-3", "2951-2", "2823-3", "2160-0", "3094-0", "2339-0"};
        break;
      case Kind::kDelivery:
        labs = {"718-7", "777-3"};
        break;
      default:
        break;
    }
    for (std::string_view loinc : labs) {
      WriteLab(e, *FindLab(loinc), fever || plan.kind == Kind::kInpatient);
    }
    if (stay_days > 0 && !e.in_progress && e.end_day > e.start_day) {
      WriteVitals(e, e.end_day, std::max(0, e.end_sec - 7200), false, plan.kind);
    }

    // Procedures and medications.
    std::vector<std::string_view> procedure_names;
    std::vector<std::string_view> medication_names;
    bool surgical = false;
    const auto procedure = [&](std::string_view code) {
      const ProcedureCode* pc = FindProcedure(code);
      if (pc == nullptr || !SexAllows(pc->sex, p_.sex)) return;
      WriteProcedure(e, *pc, main_condition);
      procedure_names.push_back(pc->display);
      surgical = surgical || pc->surgical;
    };
    const auto prescribe = [&](std::string_view rxnorm, std::string_view reason) {
      const Medication* m = FindMedication(rxnorm);
      if (m == nullptr) return;
      WriteMedication(e, *m, reason, plan.kind == Kind::kInpatient);
      medication_names.push_back(m->display);
    };
    switch (plan.kind) {
      case Kind::kWellness:
        if (age >= 12 && rng_.Chance(0.5)) procedure("171207006");
        if (age >= 65) procedure(rng_.Chance(0.3) ? "G0438" : "G0439");
        if (age >= 18 && rng_.Chance(0.2)) procedure("G0442");
        if (age >= 40 && rng_.Chance(0.3)) procedure("24623002");
        if (age >= 21 && age <= 65 && rng_.Chance(0.2)) procedure("90226004");
        if (age >= 50 && rng_.Chance(0.15)) procedure("G0103");
        if (age >= 45 && rng_.Chance(0.05)) procedure("G0121");
        if (age < 6 && rng_.Chance(0.3)) procedure("398171003");
        break;
      case Kind::kFollowUp: {
        const Chronic& c = chronic_[static_cast<std::size_t>(plan.item)];
        const std::string_view key = c.profile->key;
        if (rng_.Chance(0.5)) procedure("430193006");
        if (key == "depression" || key == "anxiety" || key == "ptsd") {
          procedure(rng_.Chance(0.5) ? "171207006" : "710841007");
        } else if (key == "alcohol" || key == "opioid" || key == "other-substance") {
          procedure(rng_.Chance(0.5) ? "428211000124100" : "G0396");
          if (key == "alcohol" && rng_.Chance(0.5)) procedure("763302001");
        } else if (key == "heart-failure" || key == "cad") {
          if (rng_.Chance(0.3)) procedure("40701008");
        } else if (key == "hiv" && rng_.Chance(0.2)) {
          procedure("31676001");
        }
        break;
      }
      case Kind::kAcute:
      case Kind::kEmergency:
        for (std::string_view code : acute->procedures) {
          if (!code.empty()) procedure(code);
        }
        for (std::string_view rx : acute->medications) {
          if (!rx.empty() && rng_.Chance(0.8)) prescribe(rx, main_condition);
        }
        break;
      case Kind::kInpatient:
        for (std::string_view code : admission->procedures) {
          if (!code.empty()) procedure(code);
        }
        for (std::string_view rx : admission->medications) {
          if (!rx.empty()) prescribe(rx, main_condition);
        }
        break;
      case Kind::kPrenatal:
        procedure("225158009");
        procedure("274804006");
        if (plan.first) {
          procedure("252160004");
          procedure("169230002");
        }
        break;
      case Kind::kDelivery:
        procedure(pregnancy->cesarean ? "10D00Z1" : "10E0XZZ");
        break;
      case Kind::kBirth:
        if (p_.sex == Sex::kMale && rng_.Chance(0.5)) procedure("0VTTXZZ");
        break;
    }
    for (std::size_t i : newly_recorded) {
      const Chronic& c = chronic_[i];
      for (std::string_view rx : c.profile->medications) {
        if (rx.empty() || !rng_.Chance(0.7)) continue;
        if (rx == "106892" && !rng_.Chance(0.3)) continue;  // insulin for some diabetics only
        prescribe(rx, c.condition_id);
      }
    }

    WriteNotes(e, plan, admission, diagnoses, complaint, procedure_names, medication_names,
               surgical, vitals);
    if (first_encounter_day_ == kNoDate) first_encounter_day_ = e.start_day;
  }

  void WriteEncounterResource(const EncounterInfo& e, const Plan& plan, const Admission* admission,
                              const std::vector<NewCondition>& diagnoses,
                              std::string_view reason_condition) {
    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "Encounter");
    w.Field("id", e.id);
    w.Field("status", e.in_progress ? "in-progress" : "finished");
    const bool inpatient =
        plan.kind == Kind::kInpatient || plan.kind == Kind::kDelivery || plan.kind == Kind::kBirth;
    w.Key("class");
    if (inpatient) {
      WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP",
                  "inpatient encounter");
    } else if (plan.kind == Kind::kEmergency) {
      WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER", "emergency");
    } else {
      WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory");
    }
    std::string_view type_code;
    std::string_view type_display;
    switch (plan.kind) {
      case Kind::kWellness:
        if (AgeOn(p_.birth, e.start_day) < 18) {
          type_code = "410620009";
          type_display = "Well child visit (procedure)";
        } else {
          type_code = "185349003";
          type_display = "Encounter for check up (procedure)";
        }
        break;
      case Kind::kFollowUp:
        type_code = "390906007";
        type_display = "Follow-up encounter (procedure)";
        break;
      case Kind::kAcute:
        type_code = "185345009";
        type_display = "Encounter for symptom (procedure)";
        break;
      case Kind::kEmergency:
        type_code = "50849002";
        type_display = "Emergency room admission (procedure)";
        break;
      case Kind::kPrenatal:
        type_code = plan.first ? "424441002" : "424619006";
        type_display = plan.first ? "Prenatal initial visit" : "Prenatal visit";
        break;
      default:
        type_code = "32485007";
        type_display = "Hospital admission (procedure)";
        break;
    }
    w.ArrayField("type");
    w.BeginObject();
    w.ArrayField("coding");
    w.BeginObject();
    w.Field("system", kSnomed);
    w.Field("code", type_code);
    w.Field("display", type_display);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndArray();
    WriteReference(w, "subject", "Patient", patient_id_);
    w.ArrayField("participant");
    w.BeginObject();
    w.ArrayField("type");
    w.BeginObject();
    w.ArrayField("coding");
    w.BeginObject();
    w.Field("system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType");
    w.Field("code", inpatient ? "ATND" : "PPRF");
    w.Field("display", inpatient ? "attender" : "primary performer");
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndArray();
    WriteReference(w, "individual", "Practitioner", e.clinician->id);
    w.EndObject();
    w.EndArray();
    w.ObjectField("period");
    std::string when;
    ctx_.AppendDateTime(when, e.start_day, e.start_sec, e.facility);
    w.Field("start", when);
    if (!e.in_progress) {
      when.clear();
      ctx_.AppendDateTime(when, e.end_day, e.end_sec, e.facility);
      w.Field("end", when);
    }
    w.EndObject();
    if (inpatient && !e.in_progress) {
      w.ObjectField("length");
      w.Key("value");
      w.Int(std::max(1, e.end_day - e.start_day));
      w.Field("unit", "days");
      w.Field("system", kUcum);
      w.Field("code", "d");
      w.EndObject();
    }
    if (!diagnoses.empty() || !reason_condition.empty()) {
      w.ArrayField("reasonReference");
      if (!diagnoses.empty()) {
        w.BeginObject();
        w.Field("reference", Context::Ref("Condition", diagnoses.front().id));
        w.EndObject();
      } else {
        w.BeginObject();
        w.Field("reference", Context::Ref("Condition", reason_condition));
        w.EndObject();
      }
      w.EndArray();
    }
    if (!diagnoses.empty() && plan.kind != Kind::kWellness) {
      w.ArrayField("diagnosis");
      for (std::size_t i = 0; i < diagnoses.size(); ++i) {
        w.BeginObject();
        WriteReference(w, "condition", "Condition", diagnoses[i].id);
        w.ObjectField("use");
        w.ArrayField("coding");
        w.BeginObject();
        w.Field("system", "http://terminology.hl7.org/CodeSystem/diagnosis-role");
        if (inpatient) {
          w.Field("code", e.in_progress ? "AD" : "DD");
          w.Field("display", e.in_progress ? "Admission diagnosis" : "Discharge diagnosis");
        } else {
          w.Field("code", i == 0 ? "CC" : "CM");
          w.Field("display", i == 0 ? "Chief complaint" : "Comorbidity diagnosis");
        }
        w.EndObject();
        w.EndArray();
        w.EndObject();
        w.IntField("rank", static_cast<std::int64_t>(i + 1));
        w.EndObject();
      }
      w.EndArray();
    }
    if (inpatient) {
      w.ObjectField("hospitalization");
      std::string_view source = "gp";
      std::string_view source_display = "General Practitioner referral";
      if (plan.kind == Kind::kBirth) {
        source = "born";
        source_display = "Born in hospital";
      } else if (plan.kind == Kind::kDelivery) {
        source = "mp";
        source_display = "Medical Practitioner/physician referral";
      } else if (admission == nullptr || admission->via_emergency) {
        source = "emd";
        source_display = "From accident/emergency department";
      }
      WriteConcept(w, "admitSource", "http://terminology.hl7.org/CodeSystem/admit-source", source,
                   source_display);
      if (!e.in_progress) {
        std::string_view code = "home";
        std::string_view display = "Home";
        const int age = AgeOn(p_.birth, e.start_day);
        if (e.expired) {
          code = "exp";
          display = "Expired";
        } else if (admission != nullptr && admission->specialty == Specialty::kSurgery &&
                   age >= 70 && rng_.Chance(0.5)) {
          code = "snf";
          display = "Skilled nursing facility";
        } else if (age >= 75 && rng_.Chance(0.15)) {
          code = "rehab";
          display = "Rehabilitation";
        } else if (admission != nullptr && admission->specialty == Specialty::kAddiction &&
                   rng_.Chance(0.15)) {
          code = "aadvice";
          display = "Left against advice";
        }
        WriteConcept(w, "dischargeDisposition",
                     "http://terminology.hl7.org/CodeSystem/discharge-disposition", code, display);
      }
      w.EndObject();
    }
    const std::string& location =
        ctx_.directory().locations[e.facility][static_cast<std::size_t>(e.specialty)];
    if (!location.empty()) {
      w.ArrayField("location");
      w.BeginObject();
      WriteReference(w, "location", "Location", location);
      w.EndObject();
      w.EndArray();
    }
    WriteReference(w, "serviceProvider", "Organization",
                   ctx_.directory().facility_org_ids[e.facility]);
    w.EndObject();
    ctx_.Emit(OutputFile::kEncounter, out);
  }

  void WriteCondition(const std::string& id, const Diagnosis& dx, const EncounterInfo& e,
                      bool problem_list, Days onset) {
    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "Condition");
    w.Field("id", id);
    // Encounter diagnoses of short illnesses resolve; problems and pregnancies' codes stay.
    const bool short_illness = !problem_list && dx.code[0] != 'Z' && dx.code[0] != 'O' &&
                               dx.code[0] != 'P' && dx.code[0] != 'F' && dx.code[0] != 'B' &&
                               dx.code != "I10";
    Days abatement = kNoDate;
    if (!problem_list && (short_illness || dx.code[0] == 'Z' || dx.code[0] == 'P')) {
      abatement = e.end_day + (short_illness ? rng_.Between(5, 21) : 0);
      if (abatement > end_ || e.in_progress) abatement = kNoDate;
    }
    WriteConcept(w, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical",
                 abatement != kNoDate ? "resolved" : "active", "");
    const bool provisional = !problem_list && short_illness && rng_.Chance(0.03);
    WriteConcept(w, "verificationStatus",
                 "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                 provisional ? "provisional" : "confirmed", "");
    w.ArrayField("category");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/condition-category",
                problem_list ? "problem-list-item" : "encounter-diagnosis",
                problem_list ? "Problem List Item" : "Encounter Diagnosis");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.ObjectField("code");
    w.ArrayField("coding");
    WriteCoding(w, kIcd10Cm, dx.code, dx.title);
    w.EndArray();
    w.Field("text", dx.title);
    w.EndObject();
    WriteReference(w, "subject", "Patient", patient_id_);
    WriteReference(w, "encounter", "Encounter", e.id);
    std::string date;
    AppendDate(date, std::max(onset, p_.birth));
    w.Field("onsetDateTime", date);
    if (abatement != kNoDate) {
      date.clear();
      AppendDate(date, abatement);
      w.Field("abatementDateTime", date);
    }
    date.clear();
    ctx_.AppendDateTime(date, e.start_day, e.start_sec, e.facility);
    w.Field("recordedDate", date);
    WriteReference(w, "recorder", "Practitioner", e.clinician->id);
    w.EndObject();
    ctx_.Emit(OutputFile::kCondition, out);
  }

  // ------------------------------------------------------------------------------ observations

  void BeginObservation(JsonWriter& w, const EncounterInfo& e, bool vital, std::string_view loinc,
                        std::string_view display, Days day, int sec) {
    w.BeginObject();
    w.Field("resourceType", "Observation");
    w.Field("id", ctx_.NewId(OutputFile::kObservation));
    w.Field("status", e.in_progress && !vital ? "preliminary" : "final");
    w.ArrayField("category");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/observation-category",
                vital ? "vital-signs" : "laboratory", vital ? "Vital Signs" : "Laboratory");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.ObjectField("code");
    w.ArrayField("coding");
    WriteCoding(w, kLoinc, loinc, display);
    w.EndArray();
    w.Field("text", display);
    w.EndObject();
    WriteReference(w, "subject", "Patient", patient_id_);
    WriteReference(w, "encounter", "Encounter", e.id);
    std::string when;
    ctx_.AppendDateTime(when, day, sec, e.facility);
    w.Field("effectiveDateTime", when);
  }

  static void Quantity(JsonWriter& w, std::string_view key, double value, int decimals,
                       std::string_view unit) {
    w.ObjectField(key);
    w.Key("value");
    w.Decimal(value, decimals);
    w.Field("unit", unit);
    w.Field("system", kUcum);
    w.Field("code", unit);
    w.EndObject();
  }

  void Vital(const EncounterInfo& e, Days day, int sec, std::string_view loinc,
             std::string_view display, double value, int decimals, std::string_view unit) {
    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    BeginObservation(w, e, true, loinc, display, day, sec);
    Quantity(w, "valueQuantity", value, decimals, unit);
    w.EndObject();
    ctx_.Emit(OutputFile::kObservation, out);
  }

  double HeightOn(Days day) const {
    const double a = YearsBetween(p_.birth, day);
    double h;
    if (a < 1) {
      h = 50 + 25 * a;
    } else if (a < 2) {
      h = 75 + 12 * (a - 1);
    } else {
      h = 87 + 6.4 * (a - 2);
    }
    return std::min(h, adult_height_) - (a > 70 ? (a - 70) * 0.15 : 0);
  }

  double WeightOn(Days day, double height_cm) const {
    const double a = YearsBetween(p_.birth, day);
    if (a < 1) return 3.4 + 6.6 * a;
    if (a < 2) return 10 + 2.4 * (a - 1);
    const double child_bmi = 16 + 0.25 * std::max(0.0, a - 6);
    const double bmi = a >= 18 ? bmi_ : std::min(bmi_, child_bmi);
    const double m = height_cm / 100;
    return bmi * m * m;
  }

  bool HasChronic(std::string_view key, Days day) const {
    for (const Chronic& c : chronic_) {
      if (c.profile->key == key && c.onset <= day) return true;
    }
    return false;
  }

  Vitals WriteVitals(const EncounterInfo& e, Days day, int sec, bool fever, Kind kind) {
    Vitals v;
    sec = std::min(sec, 86399);
    if (!e.in_progress && e.end_day == day && sec > e.end_sec) sec = e.end_sec;
    if (e.start_day == day && sec < e.start_sec) sec = e.start_sec;
    const double a = YearsBetween(p_.birth, day);
    const double hr_mean = a < 1 ? 130 : (a < 3 ? 115 : (a < 12 ? 95 : 74));
    v.heart_rate = static_cast<int>(rng_.Normal(hr_mean + (fever ? 15 : 0), 8) + 0.5);
    Vital(e, day, sec, "8867-4", "Heart rate", v.heart_rate, 0, "/min");
    const bool acute_care = kind == Kind::kEmergency || kind == Kind::kInpatient ||
                            kind == Kind::kBirth || kind == Kind::kDelivery;
    if (acute_care || a < 12) {
      const double rr_mean = a < 1 ? 38 : (a < 3 ? 28 : (a < 12 ? 21 : 15));
      Vital(e, day, sec, "9279-1", "Respiratory rate", rng_.Normal(rr_mean, 2), 0, "/min");
    }
    v.temperature = fever ? rng_.Normal(38.6, 0.3) : rng_.Normal(36.8, 0.2);
    Vital(e, day, sec, "8310-5", "Body temperature", v.temperature, 1, "Cel");
    const bool lungs = HasChronic("copd", day);
    if (acute_care || lungs || fever) {
      Vital(e, day, sec, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
            Clamp(rng_.Normal(lungs ? 93 : 98, 1.2), 85, 100), 0, "%");
    }
    if (a >= 3) {
      const bool htn = HasChronic("hypertension", day);
      const double sys_mean = a < 12 ? 100 : (a < 18 ? 110 : 116 + 0.3 * (a - 20));
      v.systolic = static_cast<int>(rng_.Normal(sys_mean + (htn ? 16 : 0), 8) + 0.5);
      v.diastolic = static_cast<int>(rng_.Normal((a < 18 ? 66 : 76) + (htn ? 8 : 0), 6) + 0.5);
      std::string& out = ctx_.buffer();
      out.clear();
      JsonWriter w(out);
      BeginObservation(w, e, true, "85354-9", "Blood pressure panel with all children optional",
                       day, sec);
      w.ArrayField("component");
      w.BeginObject();
      w.ObjectField("code");
      w.ArrayField("coding");
      WriteCoding(w, kLoinc, "8480-6", "Systolic blood pressure");
      w.EndArray();
      w.EndObject();
      Quantity(w, "valueQuantity", v.systolic, 0, "mm[Hg]");
      w.EndObject();
      w.BeginObject();
      w.ObjectField("code");
      w.ArrayField("coding");
      WriteCoding(w, kLoinc, "8462-4", "Diastolic blood pressure");
      w.EndArray();
      w.EndObject();
      Quantity(w, "valueQuantity", v.diastolic, 0, "mm[Hg]");
      w.EndObject();
      w.EndArray();
      w.EndObject();
      ctx_.Emit(OutputFile::kObservation, out);
    }
    const double height = HeightOn(day) + rng_.Normal(0, 0.5);
    const double weight = WeightOn(day, height) * (1 + rng_.Normal(0, 0.015));
    Vital(e, day, sec, "29463-7", "Body weight", weight, 1, "kg");
    if (kind == Kind::kWellness || kind == Kind::kBirth || a < 18) {
      Vital(e, day, sec, "8302-2", "Body height", height, 1, "cm");
      if (a >= 2) {
        const double m = height / 100;
        Vital(e, day, sec, "39156-5", "Body mass index (BMI) [Ratio]", weight / (m * m), 1,
              "kg/m2");
      }
    }
    if (kind == Kind::kEmergency && a >= 5) {
      Vital(e, day, sec, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            rng_.Between(2, 9), 0, "{score}");
    }
    return v;
  }

  void WriteLab(const EncounterInfo& e, const LabTest& lab, bool unwell) {
    const Days day = e.start_day;
    int sec = std::min(86399, e.start_sec + 1800 + rng_.Between(0, 3600));
    if (!e.in_progress && e.end_day == day) sec = std::min(sec, e.end_sec);
    double mean = lab.mean;
    double sd = lab.sd;
    const std::string_view code = lab.loinc;
    if ((code == "2339-0") && HasChronic("diabetes", day)) {
      mean = 155;
      sd = 35;
    } else if (code == "4548-4" && HasChronic("diabetes", day)) {
      mean = 7.6;
      sd = 0.9;
    } else if (code == "4548-4" && HasChronic("prediabetes", day)) {
      mean = 6.0;
      sd = 0.15;
    } else if ((code == "2160-0") && HasChronic("ckd", day)) {
      mean = 2.1;
      sd = 0.4;
    } else if (code == "3094-0" && HasChronic("ckd", day)) {
      mean = 32;
      sd = 7;
    } else if (code == "20447-9" && rng_.Chance(0.2)) {
      mean = 4000;
      sd = 1500;
    } else if (code == "24467-3" && HasChronic("hiv", day)) {
      mean = 560;
      sd = 180;
    } else if (code == "6301-6" && HasChronic("afib", day)) {
      mean = 2.5;
      sd = 0.35;
    } else if (code == "3016-3" && HasChronic("hypothyroidism", day)) {
      mean = 3.8;
      sd = 1.6;
    } else if (code == "6690-2" && unwell && rng_.Chance(0.5)) {
      mean = 13;
      sd = 2.5;
    } else if (code == "718-7" && HasChronic("anemia", day)) {
      mean = 10.2;
      sd = 0.8;
    } else if ((code == "2093-3" || code == "13457-7") && HasChronic("hyperlipidemia", day)) {
      mean += 50;
    }
    if (code == "718-7" && p_.sex == Sex::kFemale) mean -= 1.2;
    double value = rng_.Normal(mean, sd);
    double floor_value = 1.0;
    for (int i = 0; i < lab.decimals; ++i) floor_value /= 10;
    value = std::max(value, code == "20447-9" ? 0.0 : floor_value);

    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    BeginObservation(w, e, false, lab.loinc, lab.display, day, sec);
    Quantity(w, "valueQuantity", value, lab.decimals, lab.unit);
    std::string_view flag = "N";
    std::string_view flag_display = "Normal";
    if (value > lab.high) {
      flag = "H";
      flag_display = "High";
    } else if (value < lab.low) {
      flag = "L";
      flag_display = "Low";
    }
    w.ArrayField("interpretation");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", flag,
                flag_display);
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.ArrayField("referenceRange");
    w.BeginObject();
    Quantity(w, "low", lab.low, lab.decimals, lab.unit);
    Quantity(w, "high", lab.high, lab.decimals, lab.unit);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    ctx_.Emit(OutputFile::kObservation, out);
  }

  // ------------------------------------------------------------------------------ orders

  void WriteProcedure(const EncounterInfo& e, const ProcedureCode& pc,
                      std::string_view reason_condition) {
    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "Procedure");
    w.Field("id", ctx_.NewId(OutputFile::kProcedure));
    w.Field("status", "completed");
    w.ObjectField("code");
    w.ArrayField("coding");
    WriteCoding(w, CodeSystemUri(pc.system), pc.code, pc.display);
    w.EndArray();
    w.Field("text", pc.display);
    w.EndObject();
    WriteReference(w, "subject", "Patient", patient_id_);
    WriteReference(w, "encounter", "Encounter", e.id);
    // Procedures of a stay happen on the first full day (or the day of arrival).
    const Days day = e.end_day > e.start_day && !e.in_progress ? e.start_day + 1 : e.start_day;
    int sec = day == e.start_day ? std::min(86399, e.start_sec + 2400) : rng_.Between(7, 15) * 3600;
    if (!e.in_progress && day == e.end_day) sec = std::min(sec, e.end_sec);
    std::string when;
    ctx_.AppendDateTime(when, day, sec, e.facility);
    w.Field("performedDateTime", when);
    w.ArrayField("performer");
    w.BeginObject();
    WriteReference(w, "actor", "Practitioner", e.clinician->id);
    w.EndObject();
    w.EndArray();
    const std::string& location =
        ctx_.directory().locations[e.facility][static_cast<std::size_t>(e.specialty)];
    if (!location.empty()) WriteReference(w, "location", "Location", location);
    if (!reason_condition.empty()) {
      w.ArrayField("reasonReference");
      w.BeginObject();
      w.Field("reference", Context::Ref("Condition", reason_condition));
      w.EndObject();
      w.EndArray();
    }
    w.EndObject();
    ctx_.Emit(OutputFile::kProcedure, out);
  }

  void WriteMedication(const EncounterInfo& e, const Medication& m, std::string_view reason,
                       bool inpatient) {
    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "MedicationRequest");
    w.Field("id", ctx_.NewId(OutputFile::kMedicationRequest));
    std::string_view status = "active";
    if (p_.death != kNoDate) {
      status = "stopped";
    } else if (!m.chronic && ctx_.reference() - e.start_day > 30) {
      status = "completed";
    } else if (m.chronic && ctx_.reference() - e.start_day > 365 * 3 && rng_.Chance(0.3)) {
      status = "stopped";
    }
    w.Field("status", status);
    w.Field("intent", "order");
    w.ArrayField("category");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                inpatient ? "inpatient" : "outpatient", inpatient ? "Inpatient" : "Outpatient");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.ObjectField("medicationCodeableConcept");
    w.ArrayField("coding");
    WriteCoding(w, kRxNorm, m.rxnorm, m.display);
    w.EndArray();
    w.Field("text", m.display);
    w.EndObject();
    WriteReference(w, "subject", "Patient", patient_id_);
    WriteReference(w, "encounter", "Encounter", e.id);
    std::string when;
    const int sec = e.in_progress || e.end_day > e.start_day ? e.start_sec : e.end_sec;
    ctx_.AppendDateTime(when, e.start_day, sec, e.facility);
    w.Field("authoredOn", when);
    WriteReference(w, "requester", "Practitioner", e.clinician->id);
    if (!reason.empty()) {
      w.ArrayField("reasonReference");
      w.BeginObject();
      w.Field("reference", Context::Ref("Condition", reason));
      w.EndObject();
      w.EndArray();
    }
    w.ArrayField("dosageInstruction");
    w.BeginObject();
    w.IntField("sequence", 1);
    w.Field("text", m.dosage);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    ctx_.Emit(OutputFile::kMedicationRequest, out);
  }

  // ------------------------------------------------------------------------------ notes

  void WriteNotes(const EncounterInfo& e, const Plan& plan, const Admission* admission,
                  const std::vector<NewCondition>& diagnoses, std::string_view complaint,
                  const std::vector<std::string_view>& procedures,
                  const std::vector<std::string_view>& medications, bool surgical,
                  const Vitals& vitals) {
    const bool inpatient =
        plan.kind == Kind::kInpatient || plan.kind == Kind::kDelivery || plan.kind == Kind::kBirth;
    std::vector<NoteKind> kinds;
    if (inpatient) {
      if (plan.kind != Kind::kBirth) kinds.push_back(NoteKind::kHistoryAndPhysical);
      if (surgical) kinds.push_back(NoteKind::kOperative);
      if (!e.in_progress) kinds.push_back(NoteKind::kDischargeSummary);
    } else if (plan.kind == Kind::kEmergency) {
      kinds.push_back(NoteKind::kEmergency);
    } else if (note_rng_.Chance(0.5)) {
      kinds.push_back(NoteKind::kProgress);
    }
    if (kinds.empty()) return;

    NoteFacts facts;
    facts.person = &p_;
    facts.mrn = mrn_;
    facts.age = AgeOn(p_.birth, e.start_day);
    facts.facility = Facilities()[e.facility].name;
    facts.clinician_given = e.clinician->given;
    facts.clinician_family = e.clinician->family;
    facts.clinician_qualification = e.clinician->qualification;
    const Clinician& pcp =
        ctx_.directory().Pick(ctx_.directory().SiteFor(p_.facility, Specialty::kFamilyMedicine),
                              Specialty::kFamilyMedicine, note_rng_);
    facts.pcp_given = pcp.given;
    facts.pcp_family = pcp.family;
    facts.start = e.start_day;
    facts.end = e.in_progress ? e.start_day : e.end_day;
    std::string follow_up;
    if (plan.kind == Kind::kFollowUp) {
      follow_up = "follow-up of ";
      follow_up += chronic_[static_cast<std::size_t>(plan.item)].profile->phrase;
      facts.complaint = follow_up;
    } else {
      facts.complaint = complaint;
    }
    facts.course = admission != nullptr ? std::string_view(admission->course)
                                        : std::string_view("recovered without complication");
    for (const NewCondition& d : diagnoses) facts.diagnoses.push_back(d.dx->title);
    for (const Chronic& c : chronic_) {
      if (!c.condition_id.empty() && facts.history.size() < 4) {
        facts.history.push_back(c.profile->phrase);
      }
    }
    facts.medications = medications;
    facts.procedures = procedures;
    for (std::size_t a : allergies_) facts.allergies.push_back(Allergens()[a].display);
    facts.heart_rate = vitals.heart_rate;
    facts.systolic = vitals.systolic;
    facts.diastolic = vitals.diastolic;
    facts.temperature = vitals.temperature;

    for (NoteKind kind : kinds) {
      ComposeNote(kind, facts, note_rng_, note_);
      WriteDocument(e, kind, plan);
    }
  }

  void WriteDocument(const EncounterInfo& e, NoteKind kind, const Plan& plan) {
    std::string_view loinc;
    std::string_view display;
    switch (kind) {
      case NoteKind::kDischargeSummary:
        loinc = "18842-5";
        display = "Discharge summary";
        break;
      case NoteKind::kHistoryAndPhysical:
        loinc = "34117-2";
        display = "History and physical note";
        break;
      case NoteKind::kProgress:
        loinc = "11506-3";
        display = "Progress note";
        break;
      case NoteKind::kOperative:
        loinc = "11504-8";
        display = "Surgical operation note";
        break;
      case NoteKind::kEmergency:
        loinc = "34111-5";
        display = "Emergency department note";
        break;
    }
    const std::string id = ctx_.NewId(OutputFile::kDocumentReference);
    // Written at the start of a stay (H&P), the day of surgery, or the end of the encounter.
    Days day = e.in_progress ? e.start_day : e.end_day;
    int sec = e.in_progress ? e.start_sec : e.end_sec;
    if (kind == NoteKind::kHistoryAndPhysical) {
      day = e.start_day;
      sec = std::min(86399, e.start_sec + 3600);
      if (!e.in_progress && day == e.end_day) sec = std::min(sec, e.end_sec);
    }
    std::string_view doc_status = "final";
    const int r = note_rng_.Between(0, 99);
    if (e.in_progress || (ctx_.reference() - day < 14 && r < 40)) {
      doc_status = "preliminary";
    } else if (r < 8) {
      doc_status = "amended";
    }
    (void)plan;

    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "DocumentReference");
    w.Field("id", id);
    w.Field("status", "current");
    w.Field("docStatus", doc_status);
    w.ObjectField("type");
    w.ArrayField("coding");
    WriteCoding(w, kLoinc, loinc, display);
    w.EndArray();
    w.Field("text", display);
    w.EndObject();
    w.ArrayField("category");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                "clinical-note", "Clinical Note");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    WriteReference(w, "subject", "Patient", patient_id_);
    std::string when;
    ctx_.AppendDateTime(when, day, sec, e.facility);
    w.Field("date", when);
    w.ArrayField("author");
    w.BeginObject();
    w.Field("reference", Context::Ref("Practitioner", e.clinician->id));
    w.EndObject();
    w.EndArray();
    if (doc_status != "preliminary") {
      WriteReference(w, "authenticator", "Practitioner", e.clinician->id);
    }
    WriteReference(w, "custodian", "Organization", ctx_.directory().facility_org_ids[e.facility]);
    w.Field("description", display);
    w.ArrayField("content");
    w.BeginObject();
    w.ObjectField("attachment");
    w.Field("contentType", "text/plain");
    w.Field("language", "en-US");
    w.Field("data", Base64(note_.text()));
    w.IntField("size", static_cast<std::int64_t>(note_.text().size()));
    w.Field("title", display);
    w.Field("creation", when);
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.ObjectField("context");
    w.ArrayField("encounter");
    w.BeginObject();
    w.Field("reference", Context::Ref("Encounter", e.id));
    w.EndObject();
    w.EndArray();
    w.ObjectField("period");
    std::string start;
    ctx_.AppendDateTime(start, e.start_day, e.start_sec, e.facility);
    w.Field("start", start);
    if (!e.in_progress) {
      std::string end;
      ctx_.AppendDateTime(end, e.end_day, e.end_sec, e.facility);
      w.Field("end", end);
    }
    w.EndObject();
    w.EndObject();
    w.EndObject();
    ctx_.Emit(OutputFile::kDocumentReference, out);

    // The ground truth: one line per PHI span.
    const std::string document = Context::Ref("DocumentReference", id);
    for (const PhiSpan& span : note_.spans()) {
      std::string& line = ctx_.buffer();
      line.clear();
      JsonWriter s(line);
      s.BeginObject();
      s.Field("document", document);
      s.IntField("start", span.start);
      s.IntField("end", span.end);
      s.Field("category", PhiCategoryName(span.category));
      s.Field("text", std::string_view(note_.text()).substr(span.start, span.end - span.start));
      s.EndObject();
      ctx_.Emit(OutputFile::kPhiSpans, line);
    }
  }

  // ------------------------------------------------------------------------------ the rest

  void WriteAllergies() {
    if (allergies_.empty()) return;
    const Days recorded = first_encounter_day_ != kNoDate ? first_encounter_day_ : start_;
    for (std::size_t index : allergies_) {
      const Allergen& a = Allergens()[index];
      std::string& out = ctx_.buffer();
      out.clear();
      JsonWriter w(out);
      w.BeginObject();
      w.Field("resourceType", "AllergyIntolerance");
      w.Field("id", ctx_.NewId(OutputFile::kAllergyIntolerance));
      WriteConcept(w, "clinicalStatus",
                   "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active",
                   "Active");
      WriteConcept(w, "verificationStatus",
                   "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                   rng_.Chance(0.85) ? "confirmed" : "unconfirmed", "");
      w.Field("type", a.category == "medication" && rng_.Chance(0.3) ? "intolerance" : "allergy");
      w.ArrayField("category");
      w.String(a.category);
      w.EndArray();
      const bool severe = rng_.Chance(0.2);
      w.Field("criticality", severe ? "high" : "low");
      w.ObjectField("code");
      w.ArrayField("coding");
      WriteCoding(w, a.system, a.code, a.display);
      w.EndArray();
      w.Field("text", a.display);
      w.EndObject();
      WriteReference(w, "patient", "Patient", patient_id_);
      std::string date;
      AppendDate(date, recorded);
      w.Field("recordedDate", date);
      w.ArrayField("reaction");
      w.BeginObject();
      w.ArrayField("manifestation");
      const Reaction& reaction =
          severe ? Reactions()[2] : Reactions()[rng_.Index(Reactions().size())];
      w.BeginObject();
      w.ArrayField("coding");
      WriteCoding(w, kSnomed, reaction.snomed, reaction.display);
      w.EndArray();
      w.EndObject();
      w.EndArray();
      w.Field("severity", severe ? "severe" : (rng_.Chance(0.5) ? "mild" : "moderate"));
      w.EndObject();
      w.EndArray();
      w.EndObject();
      ctx_.Emit(OutputFile::kAllergyIntolerance, out);
    }
  }

  void Immunize(std::string_view cvx, Days day) {
    if (day < start_ || day > end_) return;
    const Vaccine* v = FindVaccine(cvx);
    std::string& out = ctx_.buffer();
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "Immunization");
    w.Field("id", ctx_.NewId(OutputFile::kImmunization));
    w.Field("status", "completed");
    w.ObjectField("vaccineCode");
    w.ArrayField("coding");
    WriteCoding(w, "http://hl7.org/fhir/sid/cvx", v->cvx, v->display);
    w.EndArray();
    w.Field("text", v->display);
    w.EndObject();
    WriteReference(w, "patient", "Patient", patient_id_);
    const std::uint8_t site = ctx_.directory().SiteFor(p_.facility, Specialty::kFamilyMedicine);
    std::string when;
    ctx_.AppendDateTime(when, day, rng_.Between(8 * 3600, 17 * 3600), site);
    w.Field("occurrenceDateTime", when);
    w.BoolField("primarySource", true);
    std::string lot;
    lot.push_back(static_cast<char>('A' + rng_.Below(26)));
    lot.push_back(static_cast<char>('A' + rng_.Below(26)));
    lot += std::to_string(rng_.Between(1000, 9999));
    w.Field("lotNumber", lot);
    const std::string& location =
        ctx_.directory().locations[site][static_cast<std::size_t>(Specialty::kFamilyMedicine)];
    if (!location.empty()) WriteReference(w, "location", "Location", location);
    w.EndObject();
    ctx_.Emit(OutputFile::kImmunization, out);
  }

  void WriteImmunizations() {
    Rng rng(MixSeed(p_.clinical_seed, 11));
    for (const ScheduledDose& dose : ImmunizationSchedule()) {
      const Days day = p_.birth + static_cast<Days>(dose.age_days) + rng.Between(0, 20);
      const int year = YmdFromDays(day).year;
      if ((dose.first_year != 0 && year < dose.first_year) ||
          (dose.last_year != 0 && year > dose.last_year)) {
        continue;
      }
      if (rng.PerMille(dose.share_per_mille)) Immunize(dose.cvx, day);
    }
    // Seasonal influenza from six months of age.
    const double flu = age_ >= 65 ? 0.65 : (age_ < 18 ? 0.5 : 0.4);
    for (int year = YmdFromDays(start_).year; year <= YmdFromDays(end_).year; ++year) {
      const Days day = DaysFromYmd(year, 9, 15) + rng.Between(0, 90);
      if (day - p_.birth >= 182 && rng.Chance(flu * volume_)) Immunize("140", day);
    }
    // COVID-19 primary series in 2021 for those twelve and older.
    const Days covid = DaysFromYmd(2021, 3, 1) + rng.Between(0, 150);
    if (AgeOn(p_.birth, covid) >= 12 && rng.Chance(0.65 * volume_)) {
      Immunize("208", covid);
      Immunize("208", covid + 21);
    }
  }

  Context& ctx_;
  const Person& p_;
  const std::string& patient_id_;
  const std::string& mrn_;
  double volume_;
  Rng rng_;
  Rng note_rng_;  // notes draw from their own stream so wording changes move nothing else
  Days start_;
  Days end_;
  int age_;
  double adult_height_;
  double bmi_;
  std::vector<Chronic> chronic_;
  std::vector<Plan> plans_;
  std::vector<Pregnancy> pregnancies_;
  std::vector<std::size_t> allergies_;
  Days last_end_ = INT32_MIN;
  Days first_encounter_day_ = kNoDate;
  NoteText note_;
};

}  // namespace

void WriteChart(Context& ctx, const Person& person, const std::string& patient_id,
                const std::string& mrn, double volume) {
  ChartWriter(ctx, person, patient_id, mrn, volume).Write();
}

}  // namespace chartroom::synth
