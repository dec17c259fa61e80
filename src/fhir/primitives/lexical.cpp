// Hand-coded forms of the R4 primitive regexes (see lexical.hpp). Each matcher walks the text
// once, byte by byte, with no allocation. tests/fhir/primitives/lexical_test.cpp checks every
// matcher against the spec regex from the generated model.

#include "fhir/primitives/lexical.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "fhir/primitives/scanner.hpp"

namespace chartroom::fhir {
namespace {

using primitives_internal::DaysInMonth;
using primitives_internal::IsDigit;
using primitives_internal::IsLeapYear;
using primitives_internal::Scanner;

constexpr std::array<std::pair<std::string_view, PrimitiveType>, 20> kTypeNames = {{
    {"base64Binary", PrimitiveType::kBase64Binary},
    {"boolean", PrimitiveType::kBoolean},
    {"canonical", PrimitiveType::kCanonical},
    {"code", PrimitiveType::kCode},
    {"date", PrimitiveType::kDate},
    {"dateTime", PrimitiveType::kDateTime},
    {"decimal", PrimitiveType::kDecimal},
    {"id", PrimitiveType::kId},
    {"instant", PrimitiveType::kInstant},
    {"integer", PrimitiveType::kInteger},
    {"markdown", PrimitiveType::kMarkdown},
    {"oid", PrimitiveType::kOid},
    {"positiveInt", PrimitiveType::kPositiveInt},
    {"string", PrimitiveType::kString},
    {"time", PrimitiveType::kTime},
    {"unsignedInt", PrimitiveType::kUnsignedInt},
    {"uri", PrimitiveType::kUri},
    {"url", PrimitiveType::kUrl},
    {"uuid", PrimitiveType::kUuid},
    {"xhtml", PrimitiveType::kXhtml},
}};

// Character classes for the per-byte loops, so that they run without branches.
enum CharClass : std::uint8_t {
  kIdChar = 1,          // [A-Za-z0-9\-\.]
  kBase64DataChar = 2,  // [0-9a-zA-Z\+/]
};

constexpr std::array<std::uint8_t, 256> MakeCharClasses() {
  std::array<std::uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    std::uint8_t bits = 0;
    if (alnum || c == '-' || c == '.') bits |= kIdChar;
    if (alnum || c == '+' || c == '/') bits |= kBase64DataChar;
    classes[static_cast<std::size_t>(c)] = bits;
  }
  return classes;
}
constexpr std::array<std::uint8_t, 256> kCharClasses = MakeCharClasses();

// True when every byte of `text` has all the bits of `mask`.
bool AllInClass(std::string_view text, std::uint8_t mask) {
  std::uint8_t all = mask;
  for (const char c : text) all &= kCharClasses[static_cast<unsigned char>(c)];
  return all == mask;
}

// The regexes' \s: space, tab, LF, VT, FF, CR.
constexpr bool IsRegexSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Below U+0020 and not tab, LF or CR.
constexpr bool IsForbiddenControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// Branch-free over the whole text so that the compiler can vectorize it: long narratives and
// markdown dominate the bytes a validator sees.
bool HasNoForbiddenControl(std::string_view text) {
  unsigned bad = 0;
  for (const char c : text) bad |= IsForbiddenControl(c) ? 1u : 0u;
  return bad == 0;
}

// hh:mm:ss(.f+)? with hh 00-23, mm 00-59, ss 00-60 (the regex allows a leap second).
bool TakeTime(Scanner& s) {
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!s.TakeDigits(2, hour) || hour > 23 || !s.Take(':')) return false;
  if (!s.TakeDigits(2, minute) || minute > 59 || !s.Take(':')) return false;
  if (!s.TakeDigits(2, second) || second > 60) return false;
  if (s.Take('.') && !s.TakeDigitRun()) return false;
  return true;
}

// Z | (+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)
bool TakeZone(Scanner& s) {
  if (s.Take('Z')) return true;
  if (!s.Take('+') && !s.Take('-')) return false;
  int hour = 0;
  int minute = 0;
  if (!s.TakeDigits(2, hour) || !s.Take(':') || !s.TakeDigits(2, minute)) return false;
  return (hour <= 13 && minute <= 59) || (hour == 14 && minute == 0);
}

enum class DateForm { kPartialDate, kDateOrDateTime, kInstant };

// date:     YYYY(-MM(-DD)?)?
// dateTime: a date, or YYYY-MM-DDThh:mm:ss(.f+)?zone
// instant:  YYYY-MM-DDThh:mm:ss(.f+)?zone
// The year is any four digits but 0000; the day must exist in its month.
bool MatchesDateForm(std::string_view text, DateForm form) {
  Scanner s{text};
  const bool partial_ok = form != DateForm::kInstant;
  int year = 0;
  if (!s.TakeDigits(4, year) || year == 0) return false;
  if (s.AtEnd()) return partial_ok;
  int month = 0;
  if (!s.Take('-') || !s.TakeDigits(2, month) || month < 1 || month > 12) return false;
  if (s.AtEnd()) return partial_ok;
  int day = 0;
  if (!s.Take('-') || !s.TakeDigits(2, day) || day < 1 || day > DaysInMonth(year, month)) {
    return false;
  }
  if (s.AtEnd()) return partial_ok;
  if (form == DateForm::kPartialDate) return false;
  return s.Take('T') && TakeTime(s) && TakeZone(s) && s.AtEnd();
}

bool MatchesTime(std::string_view text) {
  Scanner s{text};
  return TakeTime(s) && s.AtEnd();
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool MatchesDecimal(std::string_view text) {
  Scanner s{text};
  s.Take('-');
  if (s.Take('0')) {
    // A leading zero stands alone.
  } else if (s.pos < text.size() && text[s.pos] >= '1' && text[s.pos] <= '9') {
    s.TakeDigitRun();
  } else {
    return false;
  }
  if (s.Take('.') && !s.TakeDigitRun()) return false;
  if (s.Take('e') || s.Take('E')) {
    if (!s.Take('+')) s.Take('-');
    if (!s.TakeDigitRun()) return false;
  }
  return s.AtEnd();
}

// integer: -?(0|[1-9][0-9]*) within int32; unsignedInt: 0|[1-9][0-9]* up to 2^31-1;
// positiveInt: [1-9][0-9]* up to 2^31-1.
bool MatchesInteger(std::string_view text, PrimitiveType type) {
  std::size_t i = 0;
  bool negative = false;
  if (type == PrimitiveType::kInteger && i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  if (i == text.size()) return false;
  if (text[i] == '0') return i + 1 == text.size() && type != PrimitiveType::kPositiveInt;
  const std::size_t digits = text.size() - i;
  if (digits > 10) return false;
  std::int64_t value = 0;
  for (; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  return value <= (negative ? 2147483648LL : 2147483647LL);
}

// [A-Za-z0-9\-\.]{1,64}
bool MatchesId(std::string_view text) {
  return !text.empty() && text.size() <= 64 && AllInClass(text, kIdChar);
}

// [^\s]+(\s[^\s]+)*: no leading, trailing or doubled whitespace.
bool MatchesCode(std::string_view text) {
  if (text.empty() || IsRegexSpace(text.front()) || IsRegexSpace(text.back())) return false;
  bool previous_space = false;
  for (const char c : text) {
    if (IsForbiddenControl(c)) return false;
    const bool space = IsRegexSpace(c);
    if (space && previous_space) return false;
    previous_space = space;
  }
  return true;
}

// urn:oid:[0-2](\.(0|[1-9][0-9]*))+
bool MatchesOid(std::string_view text) {
  Scanner s{text};
  if (!s.TakeLiteral("urn:oid:")) return false;
  if (s.AtEnd() || text[s.pos] < '0' || text[s.pos] > '2') return false;
  ++s.pos;
  int arcs = 0;
  while (s.Take('.')) {
    if (s.Take('0')) {
      // Zero is an arc of its own; "01" is not.
    } else if (s.pos < text.size() && text[s.pos] >= '1' && text[s.pos] <= '9') {
      s.TakeDigitRun();
    } else {
      return false;
    }
    ++arcs;
  }
  return arcs > 0 && s.AtEnd();
}

// urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
bool MatchesUuid(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  if (text.size() != kPrefix.size() + 36 || text.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = text[kPrefix.size() + i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) {
      return false;
    }
  }
  return true;
}

// \S*, non-empty, no control characters: every byte above U+0020 (DEL and UTF-8 included).
bool MatchesUri(std::string_view text) {
  if (text.empty()) return false;
  unsigned bad = 0;
  for (const char c : text) bad |= static_cast<unsigned char>(c) <= 0x20 ? 1u : 0u;
  return bad == 0;
}

// [ \r\n\t\S]+ with no control character but tab, CR, LF.
bool MatchesString(std::string_view text) { return !text.empty() && HasNoForbiddenControl(text); }

// A string holding "<div ...>...</div>" (or "<div/>"), surrounding whitespace aside.
bool MatchesXhtml(std::string_view text) {
  if (!MatchesString(text)) return false;
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && IsRegexSpace(text[begin])) ++begin;
  while (end > begin && IsRegexSpace(text[end - 1])) --end;
  const std::string_view body = text.substr(begin, end - begin);
  if (body.size() < 5 || body.substr(0, 4) != "<div" || body.back() != '>') return false;
  const char after = body[4];
  return after == '>' || after == '/' || IsRegexSpace(after);
}

// (\s*([0-9a-zA-Z\+/=]){4}\s*)+ : whitespace only between groups of four, so every run of
// base64 characters has a length divisible by four. Padding '=' only at the end, at most two.
bool MatchesBase64(std::string_view text) {
  // The common form first: one run of data characters and its padding.
  std::size_t data = text.size();
  while (data > 0 && text.size() - data < 2 && text[data - 1] == '=') --data;
  if (!text.empty() && text.size() % 4 == 0 && AllInClass(text.substr(0, data), kBase64DataChar)) {
    return true;
  }
  // Otherwise walk it, allowing whitespace between groups.
  std::size_t run = 0;
  std::size_t total = 0;
  int padding = 0;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (run % 4 != 0) return false;
      run = 0;
    } else if (c == '=' || (kCharClasses[static_cast<unsigned char>(c)] & kBase64DataChar) != 0) {
      if (c == '=') {
        if (++padding > 2) return false;
      } else if (padding > 0) {
        return false;
      }
      ++run;
      ++total;
    } else {
      return false;
    }
  }
  return total > 0 && run % 4 == 0;
}

}  // namespace

std::optional<PrimitiveType> PrimitiveTypeByName(std::string_view fhir_type) {
  for (const auto& [name, type] : kTypeNames) {
    if (name == fhir_type) return type;
  }
  return std::nullopt;
}

std::string_view PrimitiveTypeName(PrimitiveType type) {
  for (const auto& [name, candidate] : kTypeNames) {
    if (candidate == type) return name;
  }
  return {};
}

bool MatchesLexicalForm(PrimitiveType type, std::string_view text) {
  switch (type) {
    case PrimitiveType::kBase64Binary:
      return MatchesBase64(text);
    case PrimitiveType::kBoolean:
      return text == "true" || text == "false";
    case PrimitiveType::kCanonical:
    case PrimitiveType::kUri:
    case PrimitiveType::kUrl:
      return MatchesUri(text);
    case PrimitiveType::kCode:
      return MatchesCode(text);
    case PrimitiveType::kDate:
      return MatchesDateForm(text, DateForm::kPartialDate);
    case PrimitiveType::kDateTime:
      return MatchesDateForm(text, DateForm::kDateOrDateTime);
    case PrimitiveType::kInstant:
      return MatchesDateForm(text, DateForm::kInstant);
    case PrimitiveType::kDecimal:
      return MatchesDecimal(text);
    case PrimitiveType::kId:
      return MatchesId(text);
    case PrimitiveType::kInteger:
    case PrimitiveType::kPositiveInt:
    case PrimitiveType::kUnsignedInt:
      return MatchesInteger(text, type);
    case PrimitiveType::kMarkdown:
    case PrimitiveType::kString:
      return MatchesString(text);
    case PrimitiveType::kOid:
      return MatchesOid(text);
    case PrimitiveType::kTime:
      return MatchesTime(text);
    case PrimitiveType::kUuid:
      return MatchesUuid(text);
    case PrimitiveType::kXhtml:
      return MatchesXhtml(text);
  }
  return false;
}

bool MatchesLexicalForm(std::string_view fhir_type, std::string_view text) {
  const std::optional<PrimitiveType> type = PrimitiveTypeByName(fhir_type);
  return type.has_value() && MatchesLexicalForm(*type, text);
}

}  // namespace chartroom::fhir
