#include "mpi/compare.hpp"

#include <algorithm>

#include "mpi/text.hpp"

namespace chartroom::mpi {
namespace {

constexpr std::uint8_t kLevels[kFieldCount] = {5, 5, 5, 2, 3, 3, 3, 3, 3, 3};

std::uint8_t NameLevel(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 4;
  const double jw = JaroWinkler(a, b);
  if (jw >= 0.92 || OneEditOrSwap(a, b)) return 3;
  if (jw >= 0.80) return 2;
  return 0;
}

std::uint8_t GivenLevel(const Person& a, const Person& b) {
  if (a.given.empty() || b.given.empty()) return kMissing;
  std::uint8_t level = NameLevel(a.given, b.given);
  if (level == 4) return 4;
  level = std::max(level, NameLevel(a.given_as_written, b.given_as_written));
  if (level >= 3) return level;
  // An initial against its name, or a middle name registered as the first.
  const bool initial = (a.given_as_written.size() == 1 || b.given_as_written.size() == 1) &&
                       a.given_as_written[0] == b.given_as_written[0];
  const bool middle = (!a.middle.empty() && a.middle == b.given_as_written) ||
                      (!b.middle.empty() && b.middle == a.given_as_written);
  return initial || middle ? std::uint8_t{2} : level;
}

std::uint8_t FamilyLevel(const Person& a, const Person& b) {
  if (a.family.empty() || b.family.empty()) return kMissing;
  const std::uint8_t level = NameLevel(a.family, b.family);
  if (level >= 3) return level;
  // "Garcia-Lopez" against "Garcia", "de la Cruz" against "Cruz".
  const auto& shorter = a.family_parts.size() <= b.family_parts.size() ? a : b;
  const auto& longer = &shorter == &a ? b : a;
  if (longer.family_parts.size() > 1) {
    for (const std::string& part : longer.family_parts) {
      if (part.size() > 2 &&
          (part == shorter.family ||
           (shorter.family_parts.size() == 1 && JaroWinkler(part, shorter.family) >= 0.92))) {
        return 2;
      }
    }
  }
  return level;
}

bool OneDigitOff(int a, int b) {
  if (a == b) return false;
  const std::string sa = std::to_string(a);
  const std::string sb = std::to_string(b);
  return OneEditOrSwap(sa, sb) || (sa.size() != sb.size() && std::abs(a - b) < 10);
}

std::uint8_t BirthLevel(const Person& a, const Person& b) {
  if (a.birth_year == 0 || b.birth_year == 0) return kMissing;
  const bool year = a.birth_year == b.birth_year;
  const bool month = a.birth_month == b.birth_month;
  const bool day = a.birth_day == b.birth_day;
  if (year && month && day) return 4;
  if (year && a.birth_month == b.birth_day && a.birth_day == b.birth_month) return 3;
  const int wrong = !year + !month + !day;
  if (wrong == 1) {
    // One component off by one digit.
    if ((!year && OneDigitOff(a.birth_year, b.birth_year)) ||
        (!month && OneDigitOff(a.birth_month, b.birth_month)) ||
        (!day && OneDigitOff(a.birth_day, b.birth_day))) {
      return 3;
    }
    return 2;
  }
  return 0;
}

std::uint8_t ExactOrTypo(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 2;
  return OneEditOrSwap(a, b) ? 1 : 0;
}

std::uint8_t Similar(std::string_view a, std::string_view b, double threshold) {
  if (a.empty() || b.empty()) return kMissing;
  if (a == b) return 2;
  return JaroWinkler(a, b) >= threshold ? 1 : 0;
}

std::uint8_t PhoneLevel(std::string_view a, std::string_view b) {
  if (a.size() < 7 || b.size() < 7) return kMissing;
  if (a == b) return 2;
  return a.substr(a.size() - 7) == b.substr(b.size() - 7) ? 1 : 0;
}

std::uint8_t MiddleLevel(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kMissing;
  if (NameLevel(a, b) >= 3) return 2;
  return (a.size() == 1 || b.size() == 1) && a[0] == b[0] ? 1 : 0;
}

bool IsPersonIdentifier(const Identifier& x, const Identifier& y, const CompareOptions& options) {
  return x.person || y.person ||
         std::find(options.person_systems.begin(), options.person_systems.end(), x.system) !=
             options.person_systems.end();
}

std::uint8_t IdentifierLevel(const Person& a, const Person& b, const CompareOptions& options) {
  std::uint8_t level = kMissing;
  for (const Identifier& x : a.identifiers) {
    for (const Identifier& y : b.identifiers) {
      if (x.system != y.system) continue;
      if (x.value == y.value) return 2;
      if (!IsPersonIdentifier(x, y, options)) continue;
      const std::uint8_t here = OneEditOrSwap(x.value, y.value) ? 1 : 0;
      level = level == kMissing ? here : std::max(level, here);
    }
  }
  return level;
}

}  // namespace

std::string_view FieldName(Field field) {
  constexpr std::string_view kNames[kFieldCount] = {"given",      "family", "birth", "sex",
                                                    "postcode",   "street", "city",  "phone",
                                                    "identifier", "middle"};
  return kNames[static_cast<std::size_t>(field)];
}

std::size_t LevelCount(Field field) { return kLevels[static_cast<std::size_t>(field)]; }

Comparison Compare(const Person& a, const Person& b, const CompareOptions& options) {
  Comparison c;
  c[0] = GivenLevel(a, b);
  c[1] = FamilyLevel(a, b);
  // Given and family swapped on one of the records (perhaps with a typo too).
  if (c[0] != kMissing && c[1] != kMissing && c[0] < 3 && c[1] < 3 &&
      NameLevel(a.given_as_written, b.family) >= 3 &&
      NameLevel(a.family, b.given_as_written) >= 3) {
    c[0] = 3;
    c[1] = 3;
  }
  c[2] = BirthLevel(a, b);
  c[3] = a.sex == 0 || b.sex == 0 ? kMissing : (a.sex == b.sex ? 1 : 0);
  c[4] = ExactOrTypo(a.postcode, b.postcode);
  c[5] = Similar(a.street, b.street, 0.88);
  c[6] = Similar(a.city, b.city, 0.90);
  c[7] = PhoneLevel(a.phone, b.phone);
  c[8] = IdentifierLevel(a, b, options);
  c[9] = MiddleLevel(a.middle, b.middle);
  return c;
}

bool GivenNamesDiffer(const Person& a, const Person& b, const Comparison& c) {
  // Level 0 means both present and unlike; a given name registered as the family name, or the
  // other way round, is not unlike.
  return c[static_cast<std::size_t>(Field::kGiven)] == 0 && a.given != b.family &&
         a.family != b.given;
}

bool DistinctPeople(const Person& a, const Person& b, const Comparison& c) {
  if (GivenNamesDiffer(a, b, c)) return true;
  const std::uint8_t given = c[static_cast<std::size_t>(Field::kGiven)];
  if (given == kMissing || std::size_t{given} + 1 == LevelCount(Field::kGiven)) return false;
  return c[static_cast<std::size_t>(Field::kSex)] == 0 ||
         c[static_cast<std::size_t>(Field::kMiddle)] == 0;
}

bool GivenNamesDiffer(const Person& a, const Person& b) {
  if (a.given.empty() || b.given.empty()) return false;
  Comparison c{};
  c[static_cast<std::size_t>(Field::kGiven)] = GivenLevel(a, b);
  return GivenNamesDiffer(a, b, c);
}

}  // namespace chartroom::mpi
