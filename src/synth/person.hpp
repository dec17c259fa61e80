// The demographic side of the generator: an invented person (name, sex, birth, address, contact
// details, identifiers' inputs) and the ways a person is registered again or resembles another:
// duplicate registrations with realistic clerical errors, twins, and unrelated people sharing a
// name. Internal to synth/.
//
// Thread safety: a PersonFactory is immutable after construction and may be shared; the Rng
// passed in is the caller's.

#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "synth/calendar.hpp"
#include "synth/rng.hpp"
#include "synth/tables.hpp"

namespace chartroom::synth {

inline constexpr Days kNoDate = INT32_MIN;

struct Address {
  std::string line;        // "42 Maple Ave"
  std::string unit;        // "Apt 3B" or empty
  std::uint16_t city = 0;  // index into Cities()
  std::string zip;
};

struct Contact {
  std::string given;
  std::string family;
  std::string relation;   // "mother", "wife" ... (for notes)
  std::string_view role;  // v2-0131 code: "N" next of kin or "C" emergency contact
  std::string phone;
};

struct Person {
  Sex sex = Sex::kUnknown;
  std::string given;
  std::string middle;  // may be empty
  std::string family;
  std::string suffix;  // "Jr." or empty
  std::string maiden;  // earlier surname of a married person, or empty
  Days birth = 0;
  Days death = kNoDate;
  Address address;
  std::string phone;                // "(617) 555-0134"
  std::string_view phone_use;       // "home" or "mobile"
  std::string email;                // may be empty
  std::string ssn;                  // "9XX-XX-XXXX" or empty
  std::uint8_t facility = 0;        // registering facility, index into Facilities()
  std::uint8_t marital = 0;         // index into MaritalStatuses()
  std::uint8_t language = 0;        // index into Languages()
  std::uint8_t multiple_birth = 0;  // 0 none, else birth order
  bool has_contact = false;
  Contact contact;
  std::uint64_t clinical_seed = 0;  // the stream the clinical history is drawn from
};

struct MaritalStatus {
  std::string_view code;  // http://terminology.hl7.org/CodeSystem/v3-MaritalStatus
  std::string_view display;
};
std::span<const MaritalStatus> MaritalStatuses();

// "(617) 555-0134" style; the 555-01XX lines are reserved for fictional use by the NANP.
std::string FictionalPhone(const City& city, Rng& rng);

// The error classes a duplicate registration may carry (for tests and documentation).
enum class DuplicateError : std::uint8_t {
  kGivenTypo,
  kFamilyTypo,
  kNickname,
  kNameOrderSwap,
  kHyphenation,
  kMaidenMarried,
  kAccentsDropped,
  kMiddleName,
  kBirthDayMonthSwap,
  kBirthDigit,
  kMoved,
  kNewPhone,
  kSsnMissing,
  kSsnTypo,
};

class PersonFactory {
 public:
  explicit PersonFactory(Days reference);

  // A new person alive or deceased on the reference date. The SSN is left empty (the caller
  // assigns unique ones).
  Person NewPerson(Rng& rng) const;
  // The other twin of `first`: same family name, birth date, address and phone, a different
  // given name. Sets both birth orders.
  Person TwinOf(Person& first, Rng& rng) const;
  // A different person with the same given and family name (and sex) as `other`, born at least
  // two years apart.
  Person SameNameAs(const Person& other, Rng& rng) const;
  // `original` registered again with one to three clerical errors, each from a different group
  // (name, birth date, contact, SSN), so the pair stays recognisable.
  Person DuplicateOf(const Person& original, Rng& rng) const;

  // A new given name for `sex`, different from `avoid`.
  std::string GivenName(Sex sex, Rng& rng, std::string_view avoid = {}) const;
  std::string Surname(Rng& rng) const;
  Address NewAddress(Rng& rng, bool near_facility, std::uint16_t city_hint) const;

 private:
  std::string NameFor(Sex sex, Rng& rng) const;
  void ApplyNameError(Person& p, Rng& rng) const;
  void ApplyBirthError(Person& p, Rng& rng) const;
  void ApplyContactError(Person& p, Rng& rng) const;
  void ApplySsnError(Person& p, Rng& rng) const;
  void FillContact(Person& p, Rng& rng) const;
  std::string Email(const Person& p, Rng& rng) const;

  Days reference_;
  WeightedIndex female_;
  WeightedIndex male_;
  WeightedIndex surnames_;
  WeightedIndex cities_;
  WeightedIndex home_cities_;  // cities in the health system's states
  WeightedIndex languages_;
};

}  // namespace chartroom::synth
