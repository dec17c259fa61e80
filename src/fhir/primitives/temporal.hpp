// Date, DateTime and Time values of FHIR (date, dateTime, instant, time) and FHIRPath (Date,
// DateTime, Time), with partial precision. A value knows how precise it is (1974-12 has month
// precision) and comparisons follow FHIRPath's rules: values of different precision are compared
// field by field and the result is empty (nullopt) when they agree up to the coarser precision.
// Years run from 1 to 9999.
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
  // otherwise the body of a FHIRPath Date or DateTime literal after '@' (or the argument of
  // toDateTime()), which may also be "2015T", "2015-02-04T14", "2015-02-04T14:34" and may omit
  // the zone; a time needs a full date. Fractional seconds beyond milliseconds are accepted and
  // truncated; any fraction gives millisecond precision. Second 60 (a leap second) is accepted
  // as the FHIR regex does. nullopt for anything else, including impossible days (2023-02-29).
  static std::optional<DateTime> ParseDateTime(std::string_view text, bool fhir_strict = true);

  // FHIR JSON form to the value's precision: "1974-12", "2015-02-04T14:34:28.123+09:00",
  // "2015-02-04T14:34" for a FHIRPath minute-precision value; a zero offset prints as "Z".
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
  // may also be HH or HH:MM. A time has no zone.
  static std::optional<Time> Parse(std::string_view text, bool fhir_strict = true);
  // "14", "14:34", "14:34:28" or "14:34:28.123", to the value's precision.
  std::string ToString() const;
};

// FHIRPath ordering (<, <=, >, >=) and equality (=): -1, 0, 1, or nullopt when the answer is
// unknown (https://hl7.org/fhirpath/N1/#comparison, #equality). A value stands for the span of
// time its precision leaves open (@2012-03 is all of March 2012), except that seconds and
// milliseconds count as one precision (@T10:30:00 = @T10:30:00.0). Identical spans are equal,
// disjoint spans are ordered, and overlapping ones are unknown (@2012-03 vs @2012-03-01): the
// answers of FHIRPath's precision-by-precision comparison. Values with zones are compared in
// UTC. A value without a zone is taken to be at `default_offset_minutes` when that is given
// (the evaluation's local zone); when it is not and the other value has a zone, the zoneless
// value could be at any offset from -12:00 to +14:00 and the answer is known only when it is
// the same at all of them: @2012-04-15T15:00:00Z = @2012-04-15T10:00:00 is unknown, as the
// FHIRPath R4 suite expects, and @2012-04-15T15:00:00Z > @2012-04-10 is true.
std::optional<int> Compare(const DateTime& a, const DateTime& b,
                           std::optional<std::int16_t> default_offset_minutes = std::nullopt);
std::optional<int> Compare(const Time& a, const Time& b);
// FHIRPath equivalence (~): true exactly when Compare() gives 0, so false (never unknown) when
// precisions differ.
bool Equivalent(const DateTime& a, const DateTime& b,
                std::optional<std::int16_t> default_offset_minutes = std::nullopt);
bool Equivalent(const Time& a, const Time& b);

// Adds `amount` of a time-valued unit (https://hl7.org/fhirpath/N1/#datetime-arithmetic): the
// calendar words year(s), month(s), week(s), day(s), hour(s), minute(s), second(s),
// millisecond(s), or the UCUM codes 'wk', 'd', 'h', 'min', 's', 'ms'. The amount is first
// truncated to a whole number of its unit (7.7 days adds 7 days; 0.1 's' adds nothing). An
// amount finer than the value's precision is converted to it and truncated toward zero (a Date
// + 25 hours adds 1 day, - 23 hours nothing); years and months are calendar steps, and one that
// lands past the end of a month clamps to its last day (2024-01-31 + 1 month = 2024-02-29).
// The zone is kept; a Time wraps around midnight. nullopt for the UCUM 'a' and 'mo' (a mean
// year and month have no calendar meaning; the FHIRPath suite makes them an error), for units
// that are not time units, for year/month/week/day on a Time, and when a year leaves 1..9999.
std::optional<DateTime> AddDuration(const DateTime& value, const Decimal& amount,
                                    std::string_view unit);
std::optional<Time> AddDuration(const Time& value, const Decimal& amount, std::string_view unit);

}  // namespace chartroom::fhir
