#include "synth/person.hpp"

#include <algorithm>
#include <cstdlib>

#include "synth/text.hpp"

namespace chartroom::synth {
namespace {

constexpr MaritalStatus kMarital[] = {
    {"S", "Never Married"}, {"M", "Married"},           {"D", "Divorced"},
    {"W", "Widowed"},       {"L", "Legally Separated"}, {"T", "Domestic partner"},
};
enum MaritalIndex : std::uint8_t { kSingle, kMarried, kDivorced, kWidowed, kSeparated, kPartner };

// Age bands (in days) and their share of the population, roughly the US age pyramid, with a
// small band of newborns so that every run has some.
struct AgeBand {
  int min_days;
  int max_days;
  std::uint32_t weight;
};
constexpr AgeBand kAgeBands[] = {
    {0, 60, 40},         {61, 1825, 560},     {1826, 3652, 620},   {3653, 5478, 640},
    {5479, 7304, 650},   {7305, 9130, 660},   {9131, 10957, 700},  {10958, 12783, 680},
    {12784, 14609, 660}, {14610, 16435, 620}, {16436, 18262, 620}, {18263, 20088, 640},
    {20089, 21914, 660}, {21915, 23740, 620}, {23741, 25566, 520}, {25567, 27393, 420},
    {27394, 29219, 280}, {29220, 31045, 180}, {31046, 32871, 110}, {32872, 34698, 50},
    {34699, 36524, 15},  {36525, 38350, 3},
};

bool HomeState(std::string_view state) { return state == "MA" || state == "IL" || state == "TX"; }

std::uint8_t FacilityNear(const City& city, Rng& rng) {
  if (city.state == "MA") return rng.Chance(0.6) ? 0 : 3;
  if (city.state == "IL") return rng.Chance(0.6) ? 1 : 4;
  if (city.state == "TX") return 2;
  return static_cast<std::uint8_t>(rng.Below(static_cast<std::uint32_t>(Facilities().size())));
}

std::uint8_t MaritalFor(int age, Rng& rng) {
  const int r = rng.Between(0, 99);
  if (age < 18) return kSingle;
  if (age < 25) return r < 88 ? kSingle : (r < 97 ? kMarried : kPartner);
  if (age < 35) return r < 45 ? kSingle : (r < 88 ? kMarried : (r < 95 ? kDivorced : kPartner));
  if (age < 65) {
    return r < 18 ? kSingle
                  : (r < 78 ? kMarried : (r < 93 ? kDivorced : (r < 96 ? kSeparated : kPartner)));
  }
  return r < 5 ? kSingle : (r < 58 ? kMarried : (r < 83 ? kWidowed : kDivorced));
}

// Probability (per mille) that someone of this age on the reference date died within the
// history window; records of the dead stay in the population.
unsigned DeathPerMille(int age) {
  if (age < 1) return 0;
  if (age < 50) return 5;
  if (age < 70) return 30;
  if (age < 85) return 100;
  return 250;
}

std::string ChangeDigit(std::string_view digits, std::size_t at, Rng& rng) {
  std::string out(digits);
  const char old = out[at];
  char c = old;
  while (c == old) c = static_cast<char>('0' + rng.Below(10));
  out[at] = c;
  return out;
}

}  // namespace

std::span<const MaritalStatus> MaritalStatuses() { return kMarital; }

std::string FictionalPhone(const City& city, Rng& rng) {
  std::string out = "(";
  out += city.area_code;
  out += ") 555-01";
  const std::uint32_t line = rng.Below(100);
  out.push_back(static_cast<char>('0' + line / 10));
  out.push_back(static_cast<char>('0' + line % 10));
  return out;
}

PersonFactory::PersonFactory(Days reference)
    : reference_(reference),
      female_(FemaleGivenNames(), [](const WeightedName& n) { return n.weight; }),
      male_(MaleGivenNames(), [](const WeightedName& n) { return n.weight; }),
      surnames_(Surnames(), [](const WeightedName& n) { return n.weight; }),
      cities_(Cities(), [](const City& c) { return c.weight; }),
      home_cities_(Cities(), [](const City& c) { return HomeState(c.state) ? c.weight : 0u; }),
      languages_(Languages(), [](const Language& l) { return l.weight; }) {}

std::string PersonFactory::NameFor(Sex sex, Rng& rng) const {
  const bool female = sex == Sex::kFemale || (sex != Sex::kMale && rng.Chance(0.5));
  return std::string(female ? FemaleGivenNames()[female_.Pick(rng)].name
                            : MaleGivenNames()[male_.Pick(rng)].name);
}

std::string PersonFactory::GivenName(Sex sex, Rng& rng, std::string_view avoid) const {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = NameFor(sex, rng);
    if (name != avoid && (avoid.empty() || name[0] != avoid[0] || attempt > 8)) return name;
  }
  return sex == Sex::kMale ? "Theodore" : "Josephine";
}

std::string PersonFactory::Surname(Rng& rng) const {
  return std::string(Surnames()[surnames_.Pick(rng)].name);
}

Address PersonFactory::NewAddress(Rng& rng, bool near_facility, std::uint16_t city_hint) const {
  Address a;
  if (city_hint != UINT16_MAX) {
    a.city = city_hint;
  } else {
    a.city = static_cast<std::uint16_t>(near_facility ? home_cities_.Pick(rng) : cities_.Pick(rng));
  }
  const int number = rng.Chance(0.7) ? rng.Between(1, 999) : rng.Between(1000, 9999);
  a.line = std::to_string(number);
  a.line.push_back(' ');
  a.line += rng.Pick(StreetNames());
  a.line.push_back(' ');
  a.line += rng.Pick(StreetTypes());
  if (rng.Chance(0.2)) {
    a.unit = (rng.Chance(0.7) ? "Apt " : "Unit ") + std::to_string(rng.Between(1, 40));
    if (rng.Chance(0.4)) a.unit.push_back(static_cast<char>('A' + rng.Below(4)));
  }
  const City& city = Cities()[a.city];
  a.zip = std::string(city.zip3);
  const std::uint32_t tail = 1 + rng.Below(98);
  a.zip.push_back(static_cast<char>('0' + tail / 10));
  a.zip.push_back(static_cast<char>('0' + tail % 10));
  return a;
}

std::string PersonFactory::Email(const Person& p, Rng& rng) const {
  auto clean = [](std::string_view s) {
    std::string out;
    for (char c : AsciiLower(FoldAscii(s))) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
    }
    return out;
  };
  static constexpr std::string_view kDomains[] = {"example.com", "example.org", "example.net",
                                                  "mail.example"};
  std::string local;
  switch (rng.Below(4)) {
    case 0:
      local = clean(p.given) + "." + clean(p.family);
      break;
    case 1:
      local = clean(p.given).substr(0, 1) + clean(p.family);
      break;
    case 2:
      local = clean(p.given) + "_" + clean(p.family);
      break;
    default:
      local = clean(p.family) + clean(p.given).substr(0, 1);
      break;
  }
  if (rng.Chance(0.5)) local += std::to_string(rng.Between(1, 99));
  return local + "@" + std::string(rng.Pick(std::span<const std::string_view>(kDomains)));
}

void PersonFactory::FillContact(Person& p, Rng& rng) const {
  const int age = AgeOn(p.birth, reference_);
  Contact& c = p.contact;
  c.role = "N";
  if (age < 18) {
    const bool mother = rng.Chance(0.7);
    c.relation = mother ? "mother" : "father";
    c.given = GivenName(mother ? Sex::kFemale : Sex::kMale, rng);
    c.family = p.family;
  } else if (p.marital == kMarried || p.marital == kPartner) {
    const bool female_partner = p.sex == Sex::kMale ? rng.Chance(0.95) : rng.Chance(0.1);
    c.relation = p.marital == kPartner ? "partner" : (female_partner ? "wife" : "husband");
    c.given = GivenName(female_partner ? Sex::kFemale : Sex::kMale, rng);
    c.family = p.marital == kMarried && rng.Chance(0.8) ? p.family : Surname(rng);
  } else {
    static constexpr std::string_view kRelations[] = {"sister", "brother", "daughter",
                                                      "son",    "friend",  "niece"};
    const std::string_view relation = rng.Pick(std::span<const std::string_view>(kRelations));
    c.relation = std::string(relation);
    c.role = relation == "friend" ? "C" : "N";
    const bool female = relation == "sister" || relation == "daughter" || relation == "niece";
    c.given = GivenName(female ? Sex::kFemale : Sex::kMale, rng);
    c.family = relation == "friend" || rng.Chance(0.3) ? Surname(rng) : p.family;
  }
  c.phone = FictionalPhone(Cities()[p.address.city], rng);
}

Person PersonFactory::NewPerson(Rng& rng) const {
  Person p;
  const double s = rng.Unit();
  p.sex = s < 0.496 ? Sex::kFemale
                    : (s < 0.992 ? Sex::kMale : (s < 0.997 ? Sex::kOther : Sex::kUnknown));

  static const WeightedIndex kBands(std::span<const AgeBand>(kAgeBands),
                                    [](const AgeBand& b) { return b.weight; });
  const AgeBand& band = kAgeBands[kBands.Pick(rng)];
  p.birth = reference_ - rng.Between(band.min_days, band.max_days);
  const int age = AgeOn(p.birth, reference_);
  if (rng.PerMille(DeathPerMille(age))) {
    const int lived = reference_ - p.birth;
    p.death = reference_ - rng.Between(1, std::min(3650, lived - 1));
  }

  p.given = NameFor(p.sex, rng);
  if (rng.Chance(0.6)) p.middle = GivenName(p.sex, rng, p.given);
  p.family = Surname(rng);
  if (rng.Chance(0.04)) p.family += "-" + Surname(rng);
  if (p.sex == Sex::kMale && age >= 1) {
    const int r = rng.Between(0, 999);
    p.suffix = r < 30 ? "Jr." : (r < 40 ? "III" : (r < 45 ? "Sr." : ""));
  }
  p.marital = MaritalFor(age, rng);
  if (p.sex == Sex::kFemale && age >= 22 && p.marital != kSingle && rng.Chance(0.45)) {
    p.maiden = Surname(rng);
    if (p.maiden == p.family) p.maiden.clear();
  }

  p.address = NewAddress(rng, rng.Chance(0.85), UINT16_MAX);
  const City& city = Cities()[p.address.city];
  p.phone = FictionalPhone(city, rng);
  p.phone_use = rng.Chance(0.6) ? "mobile" : "home";
  if ((age >= 18 && rng.Chance(0.55)) || (age >= 13 && age < 18 && rng.Chance(0.2))) {
    p.email = Email(p, rng);
  }
  p.facility = FacilityNear(city, rng);
  p.language = static_cast<std::uint8_t>(languages_.Pick(rng));
  p.has_contact = age < 18 || rng.Chance(0.4);
  if (p.has_contact) FillContact(p, rng);
  p.clinical_seed = rng.Next();
  return p;
}

Person PersonFactory::TwinOf(Person& first, Rng& rng) const {
  Person twin = first;
  first.multiple_birth = 1;
  twin.multiple_birth = 2;
  if (first.sex == Sex::kFemale || first.sex == Sex::kMale) {
    if (rng.Chance(0.5)) twin.sex = first.sex == Sex::kFemale ? Sex::kMale : Sex::kFemale;
  }
  twin.given = GivenName(twin.sex, rng, first.given);
  twin.middle = rng.Chance(0.6) ? GivenName(twin.sex, rng, twin.given) : "";
  twin.suffix.clear();
  twin.maiden.clear();
  twin.death = kNoDate;
  twin.email = twin.email.empty() ? "" : Email(twin, rng);
  twin.clinical_seed = rng.Next();
  return twin;
}

Person PersonFactory::SameNameAs(const Person& other, Rng& rng) const {
  Person p = NewPerson(rng);
  p.sex = other.sex;
  p.given = other.given;
  p.family = other.family;
  p.suffix.clear();
  if (p.maiden == p.family) p.maiden.clear();
  if (std::abs(p.birth - other.birth) < 730) {
    const Days earliest = reference_ - 36500;
    const Days shifted = other.birth - rng.Between(3 * 365, 20 * 365);
    p.birth = shifted > earliest ? shifted : other.birth + rng.Between(3 * 365, 20 * 365);
    if (p.birth >= reference_) p.birth = reference_ - 1;
    if (p.death != kNoDate && p.death <= p.birth + 1) p.death = kNoDate;
  }
  if (!p.email.empty()) p.email = Email(p, rng);
  if (p.has_contact && AgeOn(p.birth, reference_) < 18) p.contact.family = p.family;
  return p;
}

void PersonFactory::ApplyNameError(Person& p, Rng& rng) const {
  static constexpr TypoKind kKinds[] = {TypoKind::kTransposition, TypoKind::kSubstitution,
                                        TypoKind::kOmission, TypoKind::kDoubling};
  const auto typo_kind = [&] { return kKinds[rng.Below(4)]; };
  switch (static_cast<DuplicateError>(rng.Below(8))) {
    case DuplicateError::kNickname:
      for (const Nickname& n : Nicknames()) {
        if (n.formal == p.given) {
          std::vector<std::string_view> options;
          std::string_view rest = n.nicknames;
          while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            options.push_back(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          }
          p.given = std::string(options[rng.Index(options.size())]);
          return;
        }
      }
      break;
    case DuplicateError::kNameOrderSwap:
      if (p.family.find(' ') == std::string::npos) {
        std::swap(p.given, p.family);
        return;
      }
      break;
    case DuplicateError::kHyphenation: {
      const std::size_t hyphen = p.family.find('-');
      if (hyphen != std::string::npos) {
        p.family = rng.Chance(0.5) ? p.family.substr(0, hyphen) : p.family.substr(hyphen + 1);
        return;
      }
      if (!p.maiden.empty()) {
        p.family = p.maiden + "-" + p.family;
        return;
      }
      break;
    }
    case DuplicateError::kMaidenMarried:
      if (!p.maiden.empty()) {
        std::swap(p.family, p.maiden);
        return;
      }
      break;
    case DuplicateError::kAccentsDropped:
      if (!IsAscii(p.given) || !IsAscii(p.family)) {
        p.given = FoldAscii(p.given);
        p.family = FoldAscii(p.family);
        return;
      }
      break;
    case DuplicateError::kMiddleName:
      if (!p.middle.empty()) {
        p.middle = rng.Chance(0.5) ? p.middle.substr(0, 1) : std::string();
        return;
      }
      break;
    case DuplicateError::kFamilyTypo: {
      std::string typo = Typo(p.family, typo_kind(), rng);
      if (typo != p.family) {
        p.family = std::move(typo);
        return;
      }
      break;
    }
    default:
      break;
  }
  // The fallback, and kGivenTypo itself: a slip in the given name.
  std::string typo = Typo(p.given, typo_kind(), rng);
  p.given = typo != p.given ? std::move(typo) : p.given + "e";
}

void PersonFactory::ApplyBirthError(Person& p, Rng& rng) const {
  const Ymd ymd = YmdFromDays(p.birth);
  if (rng.Chance(0.4) && ymd.day <= 12 && ymd.day != ymd.month) {
    p.birth = DaysFromYmd(ymd.year, ymd.day, ymd.month);  // day and month transposed
  } else {
    // One digit of the date typed wrong, kept a real date before the reference date.
    std::string text;
    AppendDate(text, p.birth);
    for (int attempt = 0; attempt < 20; ++attempt) {
      static constexpr std::size_t kPositions[] = {2, 3, 6, 8, 9};
      const std::size_t at = kPositions[rng.Below(5)];
      if (const auto parsed = ParseDate(ChangeDigit(text, at, rng));
          parsed && *parsed < reference_ && *parsed != p.birth &&
          std::abs(*parsed - p.birth) < 365 * 40) {
        p.birth = *parsed;
        return;
      }
    }
    p.birth += p.birth + 1 < reference_ ? 1 : -1;
  }
  if (p.birth >= reference_) p.birth = reference_ - 1;
}

void PersonFactory::ApplyContactError(Person& p, Rng& rng) const {
  if (rng.Chance(0.6)) {
    // Moved since: a new address, usually in the same state, and often a new phone.
    const std::string_view state = Cities()[p.address.city].state;
    Address moved = NewAddress(rng, HomeState(state), UINT16_MAX);
    if (moved.line == p.address.line) moved.line = "1" + moved.line;
    p.address = std::move(moved);
    if (rng.Chance(0.6)) p.phone = FictionalPhone(Cities()[p.address.city], rng);
  } else {
    std::string phone = p.phone;
    while (phone == p.phone) phone = FictionalPhone(Cities()[p.address.city], rng);
    p.phone = std::move(phone);
  }
}

void PersonFactory::ApplySsnError(Person& p, Rng& rng) const {
  if (p.ssn.empty()) {
    ApplyContactError(p, rng);  // nothing to get wrong here; the phone is the next best slip
    return;
  }
  if (rng.Chance(0.7)) {
    p.ssn.clear();
  } else {
    static constexpr std::size_t kDigits[] = {1, 2, 4, 5, 7, 8, 9, 10};
    p.ssn = ChangeDigit(p.ssn, kDigits[rng.Below(8)], rng);
  }
}

Person PersonFactory::DuplicateOf(const Person& original, Rng& rng) const {
  // The fields a linkage would compare; at least three stay exactly as first registered.
  const auto unchanged = [&](const Person& d) {
    return (d.given == original.given) + (d.family == original.family) +
           (d.birth == original.birth) + (!d.ssn.empty() && d.ssn == original.ssn) +
           (d.address.line == original.address.line) + (d.phone == original.phone);
  };
  const std::uint64_t clinical_seed = rng.Next();
  for (int attempt = 0; attempt < 8; ++attempt) {
    Person d = original;
    d.clinical_seed = clinical_seed;
    d.multiple_birth = 0;
    // One to three errors, each from a different group.
    const double r = rng.Unit();
    const int errors = r < 0.45 ? 1 : (r < 0.85 ? 2 : 3);
    bool used[4] = {false, false, false, false};
    static constexpr std::uint32_t kGroupWeights[] = {5, 3, 3, 2};  // name, birth, contact, ssn
    for (int e = 0; e < errors; ++e) {
      int group = 0;
      do {
        std::uint32_t pick = rng.Below(13);
        group = 0;
        while (pick >= kGroupWeights[group]) pick -= kGroupWeights[group++];
      } while (used[group]);
      used[group] = true;
      switch (group) {
        case 0:
          ApplyNameError(d, rng);
          break;
        case 1:
          ApplyBirthError(d, rng);
          break;
        case 2:
          ApplyContactError(d, rng);
          break;
        default:
          ApplySsnError(d, rng);
          break;
      }
    }
    if (!d.email.empty() && rng.Chance(0.5)) d.email.clear();
    if (rng.Chance(0.5)) {
      d.facility = static_cast<std::uint8_t>(
          (original.facility + 1 + rng.Below(static_cast<std::uint32_t>(Facilities().size() - 1))) %
          Facilities().size());
    }
    if (d.birth != original.birth && d.death != kNoDate && d.death <= d.birth) d.death = kNoDate;
    const int fields = original.ssn.empty() ? 5 : 6;
    const bool changed = unchanged(d) < fields || d.middle != original.middle;
    if (unchanged(d) >= 3 && changed) return d;
  }
  Person d = original;
  d.clinical_seed = clinical_seed;
  d.multiple_birth = 0;
  d.given = Typo(d.given, TypoKind::kDoubling, rng);
  return d;
}

}  // namespace chartroom::synth
