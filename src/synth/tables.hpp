// The reference tables the synthetic population is drawn from: names, places, facilities and the
// clinical code tables (ICD-10-CM, ICD-10-PCS, HCPCS Level II, SNOMED CT, LOINC, RxNorm, CVX).
// Every table is embedded in the source (src/synth/tables/*.cpp); each file says where its
// entries come from. Only public-domain facts and self-made lists are used: code values are facts,
// ICD-10-CM titles are the public-domain CDC/NCHS FY2021 titles, name weights are rounded,
// self-made approximations of the public-domain SSA and US Census frequency tables, and every
// street, facility and clinician is invented.
//
// Thread safety: immutable static data; safe from any thread. Every string_view points into
// static storage.

#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace chartroom::synth {

// Administrative sex used by the generator for plausibility rules. kOther and kUnknown receive
// no sex-specific codes.
enum class Sex : std::uint8_t { kFemale, kMale, kOther, kUnknown };

// Which sexes a code or scenario applies to.
enum class SexRule : std::uint8_t { kAny, kFemale, kMale };

// True when a person of `sex` may receive something restricted by `rule`.
bool SexAllows(SexRule rule, Sex sex);

// ---------------------------------------------------------------------------------------------
// Names and places

struct WeightedName {
  std::string_view name;
  std::uint32_t weight;  // relative frequency
};

std::span<const WeightedName> FemaleGivenNames();
std::span<const WeightedName> MaleGivenNames();
std::span<const WeightedName> Surnames();

// A given name and the informal forms it is registered under ("Robert" -> "Bob", "Rob").
struct Nickname {
  std::string_view formal;
  std::string_view nicknames;  // comma-separated
};
std::span<const Nickname> Nicknames();

std::span<const std::string_view> StreetNames();
std::span<const std::string_view> StreetTypes();

struct City {
  std::string_view name;
  std::string_view state;  // USPS two-letter code
  std::string_view zip3;   // ZIP prefix of the city (first three digits)
  std::string_view area_code;
  std::int8_t utc_offset_hours;  // standard time
  bool observes_dst;
  std::uint32_t weight;  // relative share of the population living there
};
std::span<const City> Cities();

struct Language {
  std::string_view code;  // BCP-47
  std::string_view display;
  std::uint32_t weight;
};
std::span<const Language> Languages();

// ---------------------------------------------------------------------------------------------
// Facilities

enum class FacilityKind : std::uint8_t { kHospital, kClinic };

// One site of the invented health system; an Organization with its own MRN assigning authority.
struct Facility {
  std::string_view key;  // short code used in ids and MRN systems, e.g. "rgh"
  std::string_view name;
  FacilityKind kind;
  std::uint16_t city;  // index into Cities()
  std::string_view street;
  std::string_view mrn_format;  // default MRN pattern: '#' digit, '@' letter, others literal
};
std::span<const Facility> Facilities();

// Clinical specialties; practitioners, departments and visits are matched on them.
enum class Specialty : std::uint8_t {
  kFamilyMedicine,
  kInternalMedicine,
  kPediatrics,
  kObstetrics,
  kEmergency,
  kSurgery,
  kCardiology,
  kPsychiatry,
  kAddiction,
  kInfectiousDisease,
  kHospitalist,
  kNursePractitioner,
};
inline constexpr int kSpecialtyCount = 12;

struct SpecialtyInfo {
  std::string_view snomed;  // practice setting code (SNOMED CT)
  std::string_view display;
  std::string_view department;       // Location name suffix
  std::string_view qualification;    // "MD", "DO", "NP"
  bool hospital_only;                // offered only at hospitals
  std::uint8_t clinicians_per_site;  // practitioners created per facility offering it
};
const SpecialtyInfo& SpecialtyOf(Specialty specialty);

// ---------------------------------------------------------------------------------------------
// Clinical codes

// Sensitivity classes that later access-control work keys on.
enum class Sensitivity : std::uint8_t {
  kNone,
  kMentalHealth,  // F20-F48 and related behavioral health
  kSubstanceUse,  // F10-F19 (42 CFR Part 2 territory)
  kHiv,           // B20, Z21
  kReproductive,  // pregnancy, contraception
  kSocial,        // social-determinant Z-codes, abuse
};

struct Diagnosis {
  std::string_view code;   // ICD-10-CM, dotted
  std::string_view title;  // CDC/NCHS FY2021 long title (public domain)
  SexRule sex;
  std::uint8_t min_age;  // inclusive, in years at onset
  std::uint8_t max_age;  // inclusive
  Sensitivity sensitivity;
};
std::span<const Diagnosis> Diagnoses();
// The diagnosis with `code`; nullptr when the table does not have it.
const Diagnosis* FindDiagnosis(std::string_view code);

struct Medication {
  std::string_view rxnorm;
  std::string_view display;
  std::string_view dosage;  // free-text sig
  bool chronic;             // stays active rather than completing after a course
};
std::span<const Medication> Medications();
const Medication* FindMedication(std::string_view rxnorm);

enum class CodeSystem : std::uint8_t { kIcd10Pcs, kHcpcs, kSnomed };
std::string_view CodeSystemUri(CodeSystem system);

struct ProcedureCode {
  CodeSystem system;
  std::string_view code;
  std::string_view display;
  SexRule sex;
  bool surgical;  // gets an operative note
};
std::span<const ProcedureCode> ProcedureCodes();
const ProcedureCode* FindProcedure(std::string_view code);

enum class ObservationKind : std::uint8_t { kVitalSign, kLaboratory };

struct LabTest {
  std::string_view loinc;
  std::string_view display;
  std::string_view unit;  // UCUM
  double low;             // reference range
  double high;
  double mean;  // of a healthy adult
  double sd;
  std::uint8_t decimals;
};
std::span<const LabTest> LabTests();
const LabTest* FindLab(std::string_view loinc);

struct Vaccine {
  std::string_view cvx;
  std::string_view display;
};
std::span<const Vaccine> Vaccines();
const Vaccine* FindVaccine(std::string_view cvx);

struct Allergen {
  std::string_view system;  // full URI
  std::string_view code;
  std::string_view display;
  std::string_view category;  // food | medication | environment | biologic
  std::uint32_t weight;
};
std::span<const Allergen> Allergens();

struct Reaction {
  std::string_view snomed;
  std::string_view display;
};
std::span<const Reaction> Reactions();

// ---------------------------------------------------------------------------------------------
// Clinical scenarios: which codes go together.

inline constexpr int kMaxScenarioItems = 4;

// A long-term condition a person may carry, with its treatment and monitoring.
struct ChronicProfile {
  std::string_view key;
  std::string_view codes[3];  // alternatives; one is chosen per person
  SexRule sex;
  std::uint8_t min_onset_age;
  std::uint8_t max_onset_age;
  // Probability (per thousand) that an eligible person of the given age has it.
  std::uint16_t per_mille_young;                    // before 40
  std::uint16_t per_mille_middle;                   // 40-64
  std::uint16_t per_mille_old;                      // 65 and over
  std::string_view medications[kMaxScenarioItems];  // RxNorm
  std::string_view labs[kMaxScenarioItems];         // LOINC ordered at follow-up
  Specialty follow_up;
  std::string_view phrase;  // how a note names it: "type 2 diabetes"
};
std::span<const ChronicProfile> ChronicProfiles();

enum class Setting : std::uint8_t { kAmbulatory = 1, kEmergency = 2, kInpatient = 4 };

// A reason for an unplanned outpatient or emergency visit.
struct AcuteProblem {
  std::string_view code;  // ICD-10-CM
  std::uint8_t settings;  // Setting bits
  SexRule sex;
  std::uint8_t min_age;
  std::uint8_t max_age;
  std::uint16_t weight;
  bool fever;
  std::string_view medications[2];
  std::string_view procedures[2];
  std::string_view labs[2];
  std::string_view complaint;  // for notes: "sore throat and fever"
};
std::span<const AcuteProblem> AcuteProblems();

// A reason for a hospital stay.
struct Admission {
  std::string_view codes[3];  // principal, then secondary ICD-10-CM
  SexRule sex;
  std::uint8_t min_age;
  std::uint8_t max_age;
  std::uint16_t weight;
  std::uint8_t min_days;
  std::uint8_t max_days;
  Specialty specialty;
  bool via_emergency;
  std::string_view procedures[3];  // ICD-10-PCS
  std::string_view medications[2];
  std::string_view complaint;
  std::string_view course;  // one sentence for the hospital course
};
std::span<const Admission> Admissions();

// Childhood and adult immunization schedule: a vaccine given at an age, optionally only in a
// window of calendar years (e.g. COVID-19 from 2021).
struct ScheduledDose {
  std::string_view cvx;
  std::uint32_t age_days;
  std::uint16_t share_per_mille;  // how many receive it
  std::uint16_t first_year;       // 0 = any
  std::uint16_t last_year;        // 0 = any
};
std::span<const ScheduledDose> ImmunizationSchedule();

}  // namespace chartroom::synth
