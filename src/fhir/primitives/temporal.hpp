// Date, DateTime and Time values of FHIR (date, dateTime, instant, time) and FHIRPath (Date,
// DateTime, Time), with partial precision. A value knows how precise it is (1974-12 has month
// precision) and comparisons follow FHIRPath's rules: values of different precision are compared
// field by field and the result is empty (nullopt) when they agree up to the coarser precision.
//
// Value types; all functions are pure and thread-safe. No function reads the system clock or the
// local time zone: callers pass what they need (FHIRPath's now()/today() come from its
// evaluation context).

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/primitives/decimal.hpp"

namespace chartroom::fhir {

enum class TemporalPrecision : std::uint8_t {
  kYear,
  kMonth,
  kDay,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
};

// A date or date-time. Fields finer than `precision` are zero. A Date (FHIR date, FHIRPath Date)
// has precision ≤ kDay and no time zone.
struct DateTime {
  std::int32_t year = 0;
  std::uint8_t month = 0;  // 1-12 when precision >= kMonth
  std::uint8_t day = 0;    // 1-31 when precision >= kDay
  std::uint8_t hour = 0;
  std::uint8_t minute = 0;
  std::uint8_t second = 0;
  std::uint16_t millisecond = 0;
  TemporalPrecision precision = TemporalPrecision::kYear;
  // Offset from UTC in minutes when the value carries a zone ("Z" is 0).
  std::optional<std::int16_t> tz_offset_minutes;

  // FHIR `date`: YYYY, YYYY-MM or YYYY-MM-DD, with a valid calendar day.
  static std::optional<DateTime> ParseDate(std::string_view text);
  // FHIR `dateTime` (a date, or a full date-time with seconds and a zone) when `fhir_strict`;
  // otherwise the body of a FHIRPath DateTime literal after '@', which may also be "2015T",
  // "2015-02-04T14", "2015-02-04T14:34" and may omit the zone. Fractional seconds beyond
  // milliseconds are accepted and truncated.
  static std::optional<DateTime> ParseDateTime(std::string_view text, bool fhir_strict = true);

  // FHIR JSON form to the value's precision: "1974-12", "2015-02-04T14:34:28.123+09:00".
  std::string ToString() const;
};

// A time of day (FHIR `time`, FHIRPath Time): hour precision or finer, no zone.
struct Time {
  std::uint8_t hour = 0;
  std::uint8_t minute = 0;
  std::uint8_t second = 0;
  std::uint16_t millisecond = 0;
  TemporalPrecision precision = TemporalPrecision::kHour;

  // FHIR `time` is HH:MM:SS(.fff)? when `fhir_strict`; a FHIRPath Time literal body after "@T"
  // may also be HH or HH:MM.
  static std::optional<Time> Parse(std::string_view text, bool fhir_strict = true);
  std::string ToString() const;
};

// FHIRPath ordering (<, <=, >, >=) and equality (=): -1, 0, 1, or nullopt when the answer is
// unknown because of differing precision. Values with zones are compared in UTC; a value
// without a zone is taken to be in `default_offset_minutes` (the evaluation's local zone).
std::optional<int> Compare(const DateTime& a, const DateTime& b,
                           std::int16_t default_offset_minutes = 0);
std::optional<int> Compare(const Time& a, const Time& b);
// FHIRPath equivalence (~): false (never unknown) when precisions differ.
bool Equivalent(const DateTime& a, const DateTime& b, std::int16_t default_offset_minutes = 0);
bool Equivalent(const Time& a, const Time& b);

// Adds `amount` of a time-valued unit: the calendar words year(s), month(s), week(s), day(s),
// hour(s), minute(s), second(s), millisecond(s), or the UCUM codes 'a', 'mo', 'wk', 'd', 'h',
// 'min', 's', 'ms'. Follows FHIRPath date arithmetic: amounts finer than the value's precision
// are converted and truncated (a Date + 25 hours adds 1 day); a month or year step that lands
// past the end of a month clamps to its last day. nullopt for other units or out of range.
std::optional<DateTime> AddDuration(const DateTime& value, const Decimal& amount,
                                    std::string_view unit);
std::optional<Time> AddDuration(const Time& value, const Decimal& amount, std::string_view unit);

}  // namespace chartroom::fhir
