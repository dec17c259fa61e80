// The normalizations shared by index extraction and query parsing: strings
// (https://hl7.org/fhir/R4/search.html#string), date ranges (#date), numbers with their implicit
// precision (#number), quantities in UCUM canonical form (#quantity) and literal references
// (#reference).

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/primitives/quantity.hpp"
#include "fhir/search/index_values.hpp"

namespace chartroom::fhir::search {
namespace {

// --- Strings -------------------------------------------------------------------------------

// U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A) without their accents, one
// character per code point: '_' is a separator (× ÷), '*' a letter folding to two (see
// FoldTwo).
constexpr std::string_view kFold =
    "aaaaaa*ceeeeiiii"   // U+00C0 À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
    "dnooooo_ouuuuy**"   // U+00D0 Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
    "aaaaaa*ceeeeiiii"   // U+00E0
    "dnooooo_ouuuuy*y"   // U+00F0 ... þ ÿ
    "aaaaaaccccccccdd"   // U+0100 Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď
    "ddeeeeeeeeeegggg"   // U+0110 Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ
    "gggghhhhiiiiiiii"   // U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į
    "ii**jjkkklllllll"   // U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ
    "lllnnnnnnnnnoooo"   // U+0140 ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ
    "oo**rrrrrrssssss"   // U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş
    "sstttttttuuuuuuu"   // U+0160 Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů
    "uuuuwwyyyzzzzzzs";  // U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ
static_assert(kFold.size() == 0x180 - 0xC0);

std::string_view FoldTwo(std::uint32_t code_point) {
  switch (code_point) {
    case 0xC6:
    case 0xE6:
      return "ae";
    case 0xDE:
    case 0xFE:
      return "th";
    case 0xDF:
      return "ss";
    case 0x132:
    case 0x133:
      return "ij";
    case 0x152:
    case 0x153:
      return "oe";
    default:
      return "";
  }
}

// Latin-1 symbols U+0080..U+00BF that read as letters or digits; the others separate words.
std::string_view FoldLatin1Symbol(std::uint32_t code_point) {
  switch (code_point) {
    case 0xAA:
      return "a";  // ª
    case 0xBA:
      return "o";  // º
    case 0xB2:
      return "2";
    case 0xB3:
      return "3";
    case 0xB9:
      return "1";
    case 0xB5:
      return "\xC2\xB5";  // µ is a letter (Greek mu): kept
    default:
      return "";
  }
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// --- Dates ---------------------------------------------------------------------------------

constexpr std::int64_t kMicrosPerSecond = 1000000;
constexpr std::int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date
// (https://howardhinnant.github.io/date_algorithms.html#days_from_civil).
std::int64_t DaysFromCivil(std::int64_t year, std::int64_t month, std::int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// --- Numbers -------------------------------------------------------------------------------

NumberValue WithPrecision(double value, int last_digit_exponent) {
  const double half = 0.5 * std::pow(10.0, last_digit_exponent);
  return NumberValue{value, value - half, value + half};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsIdChar(char c) {
  return IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '.';
}

// FHIR id: [A-Za-z0-9\-\.]{1,64}.
bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsAbsolute(std::string_view reference) {
  return reference.find("://") != std::string_view::npos || reference.starts_with("urn:");
}

}  // namespace

std::string NormalizeString(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto append = [&](std::string_view piece) {
    if (piece.empty()) {
      pending_space = true;
      return;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += piece;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      if (c >= 'A' && c <= 'Z') {
        const char lower = static_cast<char>(c - 'A' + 'a');
        append(std::string_view(&lower, 1));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        append(text.substr(i - 1, 1));
      } else {
        append("");
      }
      continue;
    }
    // Two-byte sequences cover U+0080..U+07FF, which holds every character folded here.
    if ((c & 0xE0) == 0xC0 && c >= 0xC2 && i + 1 < text.size() &&
        IsContinuation(static_cast<unsigned char>(text[i + 1]))) {
      const std::uint32_t code_point =
          ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      const std::string_view original = text.substr(i, 2);
      i += 2;
      if (code_point < 0xC0) {
        append(FoldLatin1Symbol(code_point));
      } else if (code_point < 0x180) {
        const char folded = kFold[code_point - 0xC0];
        if (folded == '_') {
          append("");
        } else if (folded == '*') {
          append(FoldTwo(code_point));
        } else {
          append(std::string_view(&kFold[code_point - 0xC0], 1));
        }
      } else if (code_point >= 0x300 && code_point <= 0x36F) {
        // A combining accent: dropped, so decomposed "e\u0301" folds like "é".
      } else {
        append(original);
      }
      continue;
    }
    // Any other character: its whole UTF-8 sequence as written (a stray byte alone).
    std::size_t end = i + 1;
    while (end < text.size() && IsContinuation(static_cast<unsigned char>(text[end])) &&
           end - i < 4) {
      ++end;
    }
    append(text.substr(i, end - i));
    i = end;
  }
  return out;
}

DateRange DateRangeOf(const DateTime& value) {
  const std::int64_t year = value.year;
  const std::int64_t month = value.precision >= TemporalPrecision::kMonth ? value.month : 1;
  const std::int64_t day = value.precision >= TemporalPrecision::kDay ? value.day : 1;
  const std::int64_t days = DaysFromCivil(year, month, day);
  const std::int64_t low =
      days * kMicrosPerDay +
      (value.hour * 3600LL + value.minute * 60LL + value.second) * kMicrosPerSecond +
      value.millisecond * 1000LL;
  std::int64_t next = 0;  // the first instant after the value's span
  switch (value.precision) {
    case TemporalPrecision::kYear:
      next = DaysFromCivil(year + 1, 1, 1) * kMicrosPerDay;
      break;
    case TemporalPrecision::kMonth:
      next = (month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1)) *
             kMicrosPerDay;
      break;
    case TemporalPrecision::kDay:
      next = low + kMicrosPerDay;
      break;
    case TemporalPrecision::kHour:
      next = low + 3600 * kMicrosPerSecond;
      break;
    case TemporalPrecision::kMinute:
      next = low + 60 * kMicrosPerSecond;
      break;
    case TemporalPrecision::kSecond:
      next = low + kMicrosPerSecond;
      break;
    case TemporalPrecision::kMillisecond:
      next = low + 1000;
      break;
  }
  const std::int64_t offset = value.tz_offset_minutes.value_or(0) * 60 * kMicrosPerSecond;
  auto clamp = [](std::int64_t t) {
    return t < kMinInstant ? kMinInstant : t > kMaxInstant ? kMaxInstant : t;
  };
  return DateRange{clamp(low - offset), clamp(next - 1 - offset)};
}

std::optional<NumberValue> ParseNumber(std::string_view text) {
  // Validate the shape and find the exponent of the last digit written.
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  const std::size_t int_start = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i == int_start) return std::nullopt;
  int fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t fraction_start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == fraction_start) return std::nullopt;
    fraction_digits = static_cast<int>(i - fraction_start);
  }
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    const std::size_t exponent_start = i;
    while (i < text.size() && IsDigit(text[i])) {
      if (exponent > 10000) return std::nullopt;
      exponent = exponent * 10 + (text[i++] - '0');
    }
    if (i == exponent_start) return std::nullopt;
    if (negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  const std::optional<Decimal> value = Decimal::Parse(text, /*lenient=*/true);
  if (!value) return std::nullopt;
  return WithPrecision(value->ToDouble(), exponent - fraction_digits);
}

NumberValue NumberOf(const Decimal& value) {
  return WithPrecision(value.ToDouble(), -value.scale());
}

QuantityValue MakeQuantityValue(const Decimal& value, std::string_view system,
                                std::string_view code, std::string_view unit) {
  const NumberValue number = NumberOf(value);
  QuantityValue out{number.value,      number.low,        number.high,  std::string(system),
                    std::string(code), std::string(unit), number.value, std::string(code)};
  if (!code.empty() && (system.empty() || system == kUcumSystem)) {
    if (const std::optional<Quantity> canonical =
            Canonicalize(Quantity{value, std::string(code)})) {
      out.canonical_value = canonical->value.ToDouble();
      out.canonical_code = canonical->unit;
    }
  }
  return out;
}

std::optional<ReferenceValue> ParseReference(std::string_view reference) {
  if (reference.empty()) return std::nullopt;
  ReferenceValue out;
  if (reference.starts_with('#')) {
    out.url = std::string(reference);
    return out;
  }
  std::string_view rest = reference;
  if (const std::size_t history = rest.rfind("/_history/"); history != std::string_view::npos) {
    out.version = std::string(rest.substr(history + 10));
    rest = rest.substr(0, history);
    if (out.version.empty()) return std::nullopt;
  }
  if (IsAbsolute(rest)) {
    if (out.version.empty()) {
      // A canonical URL may carry its version after '|'.
      if (const std::size_t bar = rest.rfind('|'); bar != std::string_view::npos) {
        out.version = std::string(rest.substr(bar + 1));
        rest = rest.substr(0, bar);
      }
    }
    out.url = std::string(rest);
    // A RESTful URL ends in Type/id; the type is kept for type filters (:Patient, resolve()).
    const std::size_t slash = rest.rfind('/');
    if (slash != std::string_view::npos && slash > 0 && IsValidId(rest.substr(slash + 1))) {
      const std::size_t before = rest.rfind('/', slash - 1);
      if (before != std::string_view::npos) {
        const std::string_view type = rest.substr(before + 1, slash - before - 1);
        if (FindResourceType(type) != nullptr) out.type = std::string(type);
      }
    }
    return out;
  }
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view type = rest.substr(0, slash);
  const std::string_view id = rest.substr(slash + 1);
  if (FindResourceType(type) == nullptr || !IsValidId(id)) return std::nullopt;
  out.type = std::string(type);
  out.id = std::string(id);
  return out;
}

bool SameValue(const IndexValue& a, const IndexValue& b) {
  if (a.index() != b.index()) return false;
  if (const auto* composite = std::get_if<std::shared_ptr<CompositeValue>>(&a)) {
    const auto& other = std::get<std::shared_ptr<CompositeValue>>(b);
    if (*composite == nullptr || other == nullptr) return *composite == other;
    if ((*composite)->components.size() != other->components.size()) return false;
    for (std::size_t i = 0; i < other->components.size(); ++i) {
      if (!SameValue((*composite)->components[i], other->components[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace chartroom::fhir::search
