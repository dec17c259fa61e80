// The comparison of two records, field by field, each into a few agreement levels: the
// comparison vector of Fellegi-Sunter record linkage (model.hpp weighs it).
//
//   given     4 exact (formal forms: Bob = Robert) · 3 Jaro-Winkler >= 0.92 or one letter wrong
//             or two swapped · 2 Jaro-Winkler >= 0.80, or an
//             initial against its name, or one is the other's middle name · 0 otherwise
//   family    4 exact · 3 as for given names · 2 >= 0.80, or one part of a hyphenated or
//             compound name equals the other · 0 otherwise
//   birth     4 exact · 3 day and month transposed, or one digit wrong · 2 same year and month,
//             or same month and day · 0 otherwise
//   sex       1 same · 0 different
//   postcode  2 exact · 1 one digit wrong or two swapped · 0 otherwise
//   street    2 exact · 1 Jaro-Winkler >= 0.88 · 0 otherwise
//   city      2 exact · 1 Jaro-Winkler >= 0.90 · 0 otherwise
//   phone     2 exact · 1 the last seven digits equal · 0 otherwise
//   id        2 an identifier equal (same system and value) · 1 a person identifier (SSN and
//             the like, `person_systems`) one digit wrong or two swapped · 0 a person identifier
//             of the same system different
//   middle    2 the same middle name (or one typo) · 1 an initial against its name · 0 different
//
// A field missing on either side is kMissing: it weighs nothing either way. Given and family
// names swapped between the records (even with a typo) compare as given-to-family and
// family-to-given.
//
// Thread safety: pure functions.

#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mpi/person.hpp"

namespace chartroom::mpi {

enum class Field : std::uint8_t {
  kGiven,
  kFamily,
  kBirth,
  kSex,
  kPostcode,
  kStreet,
  kCity,
  kPhone,
  kIdentifier,
  kMiddle
};
inline constexpr std::size_t kFieldCount = 10;
inline constexpr std::size_t kMaxLevels = 5;
inline constexpr std::uint8_t kMissing = 0xff;

std::string_view FieldName(Field field);
// How many agreement levels `field` has (levels 0 .. count - 1).
std::size_t LevelCount(Field field);

using Comparison = std::array<std::uint8_t, kFieldCount>;

struct CompareOptions {
  // Identifier systems that name a person rather than a registration: a different value under
  // one of them is evidence against a match. MRNs are not among them (a duplicate is a second
  // MRN).
  std::span<const std::string> person_systems;
};

Comparison Compare(const Person& a, const Person& b, const CompareOptions& options);

// The given names are clearly different: both present, not the same formal name, not similar,
// not an initial of the other and neither registered as the other's family name. Twins differ
// so.
bool GivenNamesDiffer(const Person& a, const Person& b);
// The same from their comparison, without comparing the names again.
bool GivenNamesDiffer(const Person& a, const Person& b, const Comparison& c);

// Two people rather than one registered twice, whatever else they share (twins, a household):
// their given names clearly differ, or differ at all (Donald and Ronald: a typo, or brothers)
// together with something one person's records do not: another sex or another middle name.
bool DistinctPeople(const Person& a, const Person& b, const Comparison& c);

}  // namespace chartroom::mpi
