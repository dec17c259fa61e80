// Date/time parsing, printing, comparison and arithmetic. Comparison turns each value into the
// span of milliseconds it covers (see Compare in temporal.hpp); arithmetic works on the local
// fields through the proleptic Gregorian calendar of <chrono>.

#include "fhir/primitives/temporal.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include "fhir/primitives/scanner.hpp"

namespace chartroom::fhir {
namespace {

using primitives_internal::DaysInMonth;
using primitives_internal::IsDigit;
using primitives_internal::IsLeapYear;
using primitives_internal::Scanner;

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
// A zoneless value could be anywhere from UTC-12:00 to UTC+14:00.
constexpr std::int64_t kEarliestOffsetMs = -12 * kMsPerHour;
constexpr std::int64_t kLatestOffsetMs = 14 * kMsPerHour;
constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;

std::int64_t DaysFromCivil(int year, int month, int day) {
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

std::chrono::year_month_day CivilFromDays(std::int64_t days) {
  return std::chrono::year_month_day{
      std::chrono::sys_days{std::chrono::days{static_cast<std::chrono::days::rep>(days)}}};
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// --- Parsing -------------------------------------------------------------------------------

// YYYY(-MM(-DD)?)? with a real calendar day; year 0000 is not a year.
bool TakeDate(Scanner& s, DateTime& out) {
  int year = 0;
  if (!s.TakeDigits(4, year) || year < kMinYear) return false;
  out.year = year;
  out.precision = TemporalPrecision::kYear;
  if (!s.Take('-')) return true;
  int month = 0;
  if (!s.TakeDigits(2, month) || month < 1 || month > 12) return false;
  out.month = static_cast<std::uint8_t>(month);
  out.precision = TemporalPrecision::kMonth;
  if (!s.Take('-')) return true;
  int day = 0;
  if (!s.TakeDigits(2, day) || day < 1 || day > DaysInMonth(year, month)) return false;
  out.day = static_cast<std::uint8_t>(day);
  out.precision = TemporalPrecision::kDay;
  return true;
}

// hh(:mm(:ss(.f+)?)?)? into the time fields; `need_seconds` for the FHIR forms.
template <typename T>
bool TakeTimeOfDay(Scanner& s, T& out, bool need_seconds) {
  int hour = 0;
  if (!s.TakeDigits(2, hour) || hour > 23) return false;
  out.hour = static_cast<std::uint8_t>(hour);
  out.precision = TemporalPrecision::kHour;
  if (!s.Take(':')) return !need_seconds;
  int minute = 0;
  if (!s.TakeDigits(2, minute) || minute > 59) return false;
  out.minute = static_cast<std::uint8_t>(minute);
  out.precision = TemporalPrecision::kMinute;
  if (!s.Take(':')) return !need_seconds;
  int second = 0;
  if (!s.TakeDigits(2, second) || second > 60) return false;
  out.second = static_cast<std::uint8_t>(second);
  out.precision = TemporalPrecision::kSecond;
  if (!s.Take('.')) return true;
  if (!s.TakeFraction(out.millisecond)) return false;
  out.precision = TemporalPrecision::kMillisecond;
  return true;
}

// Z | (+|-)hh:mm up to 14:00, as the FHIR regex allows.
bool TakeZone(Scanner& s, std::optional<std::int16_t>& offset) {
  if (s.Take('Z')) {
    offset = 0;
    return true;
  }
  const bool negative = s.Peek('-');
  if (!s.Take('+') && !s.Take('-')) return false;
  int hours = 0;
  int minutes = 0;
  if (!s.TakeDigits(2, hours) || !s.Take(':') || !s.TakeDigits(2, minutes)) return false;
  if (minutes > 59 || hours > 14 || (hours == 14 && minutes != 0)) return false;
  const int total = hours * 60 + minutes;
  offset = static_cast<std::int16_t>(negative ? -total : total);
  return true;
}

// --- Spans ---------------------------------------------------------------------------------

// Milliseconds since 1970-01-01T00:00 of the first instant of `value`, on its own clock.
std::int64_t LocalStartMs(const DateTime& value) {
  const bool has_month = value.precision >= TemporalPrecision::kMonth;
  const bool has_day = value.precision >= TemporalPrecision::kDay;
  std::int64_t ms =
      DaysFromCivil(value.year, has_month ? value.month : 1, has_day ? value.day : 1) * kMsPerDay;
  if (value.precision >= TemporalPrecision::kHour) ms += value.hour * kMsPerHour;
  if (value.precision >= TemporalPrecision::kMinute) ms += value.minute * kMsPerMinute;
  if (value.precision >= TemporalPrecision::kSecond) ms += value.second * kMsPerSecond;
  if (value.precision >= TemporalPrecision::kMillisecond) ms += value.millisecond;
  return ms;
}

enum class SecondWidth { kOneMillisecond, kOneSecond };

// How many milliseconds `value` covers. For comparison a whole second is one instant
// (FHIRPath treats seconds and milliseconds as one precision); for arithmetic it is 1000 ms.
std::int64_t LengthMs(const DateTime& value, SecondWidth second_width) {
  switch (value.precision) {
    case TemporalPrecision::kYear:
      return (IsLeapYear(value.year) ? 366 : 365) * kMsPerDay;
    case TemporalPrecision::kMonth:
      return DaysInMonth(value.year, value.month) * kMsPerDay;
    case TemporalPrecision::kDay:
      return kMsPerDay;
    case TemporalPrecision::kHour:
      return kMsPerHour;
    case TemporalPrecision::kMinute:
      return kMsPerMinute;
    case TemporalPrecision::kSecond:
      return second_width == SecondWidth::kOneSecond ? kMsPerSecond : 1;
    case TemporalPrecision::kMillisecond:
      return 1;
  }
  return 1;
}

std::int64_t TimeStartMs(const Time& value) {
  std::int64_t ms = value.hour * kMsPerHour;
  if (value.precision >= TemporalPrecision::kMinute) ms += value.minute * kMsPerMinute;
  if (value.precision >= TemporalPrecision::kSecond) ms += value.second * kMsPerSecond;
  if (value.precision >= TemporalPrecision::kMillisecond) ms += value.millisecond;
  return ms;
}

std::int64_t TimeLengthMs(const Time& value, SecondWidth second_width) {
  switch (value.precision) {
    case TemporalPrecision::kHour:
      return kMsPerHour;
    case TemporalPrecision::kMinute:
      return kMsPerMinute;
    case TemporalPrecision::kSecond:
      return second_width == SecondWidth::kOneSecond ? kMsPerSecond : 1;
    default:
      return 1;
  }
}

struct Span {
  std::int64_t first;  // inclusive
  std::int64_t last;   // inclusive
};

std::optional<int> CompareSpans(const Span& a, const Span& b, bool can_be_equal) {
  if (a.last < b.first) return -1;
  if (a.first > b.last) return 1;
  if (can_be_equal && a.first == b.first && a.last == b.last) return 0;
  return std::nullopt;
}

// Only values with a time of day carry a zone; a Date is a calendar day wherever it is read.
std::optional<std::int16_t> ZoneOf(const DateTime& value) {
  return value.precision >= TemporalPrecision::kHour ? value.tz_offset_minutes : std::nullopt;
}

// --- Arithmetic ----------------------------------------------------------------------------

struct Step {
  bool calendar_months;  // years and months move the calendar; the rest are fixed lengths
  std::int64_t size;     // months, or milliseconds
};

std::optional<Step> StepOf(std::string_view unit) {
  if (unit == "year" || unit == "years") return Step{true, 12};
  if (unit == "month" || unit == "months") return Step{true, 1};
  if (unit == "week" || unit == "weeks" || unit == "wk") return Step{false, 7 * kMsPerDay};
  if (unit == "day" || unit == "days" || unit == "d") return Step{false, kMsPerDay};
  if (unit == "hour" || unit == "hours" || unit == "h") return Step{false, kMsPerHour};
  if (unit == "minute" || unit == "minutes" || unit == "min") return Step{false, kMsPerMinute};
  if (unit == "second" || unit == "seconds" || unit == "s") return Step{false, kMsPerSecond};
  if (unit == "millisecond" || unit == "milliseconds" || unit == "ms") return Step{false, 1};
  return std::nullopt;  // includes 'a' and 'mo'
}

// The amount as a whole number of its unit.
std::optional<std::int64_t> WholeAmount(const Decimal& amount) {
  return amount.Truncate().ToInt64();
}

// Keeps the fields of `value`'s precision from the local instant `ms`.
DateTime FromLocalMs(const DateTime& value, std::int64_t ms) {
  const std::int64_t days = FloorDiv(ms, kMsPerDay);
  const std::int64_t in_day = ms - days * kMsPerDay;
  const std::chrono::year_month_day date = CivilFromDays(days);
  DateTime out;
  out.precision = value.precision;
  out.tz_offset_minutes = value.tz_offset_minutes;
  out.year = static_cast<int>(date.year());
  const TemporalPrecision p = value.precision;
  if (p >= TemporalPrecision::kMonth) out.month = static_cast<std::uint8_t>(unsigned{date.month()});
  if (p >= TemporalPrecision::kDay) out.day = static_cast<std::uint8_t>(unsigned{date.day()});
  if (p >= TemporalPrecision::kHour) out.hour = static_cast<std::uint8_t>(in_day / kMsPerHour);
  if (p >= TemporalPrecision::kMinute) {
    out.minute = static_cast<std::uint8_t>(in_day % kMsPerHour / kMsPerMinute);
  }
  if (p >= TemporalPrecision::kSecond) {
    out.second = static_cast<std::uint8_t>(in_day % kMsPerMinute / kMsPerSecond);
  }
  if (p >= TemporalPrecision::kMillisecond) {
    out.millisecond = static_cast<std::uint16_t>(in_day % kMsPerSecond);
  }
  return out;
}

void AppendTwoDigits(std::string& out, int value) {
  out.push_back(static_cast<char>('0' + value / 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

void AppendTimeOfDay(std::string& out, TemporalPrecision precision, int hour, int minute,
                     int second, int millisecond) {
  AppendTwoDigits(out, hour);
  if (precision < TemporalPrecision::kMinute) return;
  out.push_back(':');
  AppendTwoDigits(out, minute);
  if (precision < TemporalPrecision::kSecond) return;
  out.push_back(':');
  AppendTwoDigits(out, second);
  if (precision < TemporalPrecision::kMillisecond) return;
  out.push_back('.');
  out.push_back(static_cast<char>('0' + millisecond / 100));
  AppendTwoDigits(out, millisecond % 100);
}

}  // namespace

std::optional<DateTime> DateTime::ParseDate(std::string_view text) {
  Scanner s{text};
  DateTime out;
  if (!TakeDate(s, out) || !s.AtEnd()) return std::nullopt;
  return out;
}

std::optional<DateTime> DateTime::ParseDateTime(std::string_view text, bool fhir_strict) {
  Scanner s{text};
  DateTime out;
  if (!TakeDate(s, out)) return std::nullopt;
  if (s.AtEnd()) return out;
  if (!s.Take('T')) return std::nullopt;
  if (!fhir_strict && s.AtEnd()) return out;  // "2015T", "2015-02-04T"
  if (out.precision != TemporalPrecision::kDay) return std::nullopt;
  if (!TakeTimeOfDay(s, out, /*need_seconds=*/fhir_strict)) return std::nullopt;
  if (fhir_strict || !s.AtEnd()) {
    if (!TakeZone(s, out.tz_offset_minutes)) return std::nullopt;
  }
  if (!s.AtEnd()) return std::nullopt;
  return out;
}

std::string DateTime::ToString() const {
  std::string out;
  out.reserve(29);
  AppendTwoDigits(out, year / 100);
  AppendTwoDigits(out, year % 100);
  if (precision >= TemporalPrecision::kMonth) {
    out.push_back('-');
    AppendTwoDigits(out, month);
  }
  if (precision >= TemporalPrecision::kDay) {
    out.push_back('-');
    AppendTwoDigits(out, day);
  }
  if (precision < TemporalPrecision::kHour) return out;
  out.push_back('T');
  AppendTimeOfDay(out, precision, hour, minute, second, millisecond);
  if (tz_offset_minutes) {
    const int offset = *tz_offset_minutes;
    if (offset == 0) {
      out.push_back('Z');
    } else {
      const int magnitude = offset < 0 ? -offset : offset;
      out.push_back(offset < 0 ? '-' : '+');
      AppendTwoDigits(out, magnitude / 60);
      out.push_back(':');
      AppendTwoDigits(out, magnitude % 60);
    }
  }
  return out;
}

std::optional<Time> Time::Parse(std::string_view text, bool fhir_strict) {
  Scanner s{text};
  Time out;
  if (!TakeTimeOfDay(s, out, /*need_seconds=*/fhir_strict) || !s.AtEnd()) return std::nullopt;
  return out;
}

std::string Time::ToString() const {
  std::string out;
  AppendTimeOfDay(out, precision, hour, minute, second, millisecond);
  return out;
}

std::optional<int> Compare(const DateTime& a, const DateTime& b,
                           std::optional<std::int16_t> default_offset_minutes) {
  const auto span_of = [&](const DateTime& value, std::optional<std::int16_t> zone) {
    const std::int64_t first = LocalStartMs(value);
    Span span{first, first + LengthMs(value, SecondWidth::kOneMillisecond) - 1};
    if (zone) {
      span.first -= *zone * kMsPerMinute;
      span.last -= *zone * kMsPerMinute;
    }
    return span;
  };
  const std::optional<std::int16_t> zone_a = ZoneOf(a) ? ZoneOf(a) : default_offset_minutes;
  const std::optional<std::int16_t> zone_b = ZoneOf(b) ? ZoneOf(b) : default_offset_minutes;
  Span span_a = span_of(a, zone_a);
  Span span_b = span_of(b, zone_b);
  if (zone_a.has_value() == zone_b.has_value()) {
    return CompareSpans(span_a, span_b, /*can_be_equal=*/true);
  }
  // One value has a zone and the other could be at any offset: widen the zoneless span to every
  // UTC instant it might be (local time minus an offset of -12:00 to +14:00).
  Span& zoneless = zone_a ? span_b : span_a;
  zoneless.first -= kLatestOffsetMs;
  zoneless.last -= kEarliestOffsetMs;
  return CompareSpans(span_a, span_b, /*can_be_equal=*/false);
}

std::optional<int> Compare(const Time& a, const Time& b) {
  const auto span_of = [](const Time& value) {
    const std::int64_t first = TimeStartMs(value);
    return Span{first, first + TimeLengthMs(value, SecondWidth::kOneMillisecond) - 1};
  };
  return CompareSpans(span_of(a), span_of(b), /*can_be_equal=*/true);
}

bool Equivalent(const DateTime& a, const DateTime& b,
                std::optional<std::int16_t> default_offset_minutes) {
  return Compare(a, b, default_offset_minutes) == 0;
}

bool Equivalent(const Time& a, const Time& b) { return Compare(a, b) == 0; }

std::optional<DateTime> AddDuration(const DateTime& value, const Decimal& amount,
                                    std::string_view unit) {
  const std::optional<Step> step = StepOf(unit);
  const std::optional<std::int64_t> whole = WholeAmount(amount);
  if (!step || !whole) return std::nullopt;

  if (step->calendar_months) {
    std::int64_t months = 0;
    if (__builtin_mul_overflow(*whole, step->size, &months) || months > 12 * kMaxYear ||
        months < -12 * kMaxYear) {
      return std::nullopt;
    }
    DateTime out = value;
    if (value.precision == TemporalPrecision::kYear) {
      // Whole years only: @2014 + 23 months is @2015 (truncated toward zero).
      const std::int64_t year = value.year + months / 12;
      if (year < kMinYear || year > kMaxYear) return std::nullopt;
      out.year = static_cast<std::int32_t>(year);
      return out;
    }
    const std::int64_t index = std::int64_t{value.year} * 12 + (value.month - 1) + months;
    const std::int64_t year = FloorDiv(index, 12);
    if (year < kMinYear || year > kMaxYear) return std::nullopt;
    out.year = static_cast<std::int32_t>(year);
    out.month = static_cast<std::uint8_t>(index - year * 12 + 1);
    if (value.precision >= TemporalPrecision::kDay) {
      out.day =
          static_cast<std::uint8_t>(std::min<int>(value.day, DaysInMonth(out.year, out.month)));
    }
    return out;
  }

  // A fixed length: move from the start of the value's span when adding and from its end when
  // subtracting, so that what does not fill a whole unit of the value's precision is dropped
  // (truncation toward zero, also for months and years, whose lengths vary).
  std::int64_t delta = 0;
  if (__builtin_mul_overflow(*whole, step->size, &delta)) return std::nullopt;
  const std::int64_t first = LocalStartMs(value);
  const std::int64_t anchor =
      delta >= 0 ? first : first + LengthMs(value, SecondWidth::kOneSecond) - 1;
  std::int64_t moved = 0;
  if (__builtin_add_overflow(anchor, delta, &moved)) return std::nullopt;
  const std::int64_t earliest = DaysFromCivil(kMinYear, 1, 1) * kMsPerDay;
  const std::int64_t latest = DaysFromCivil(kMaxYear + 1, 1, 1) * kMsPerDay - 1;
  if (moved < earliest || moved > latest) return std::nullopt;
  return FromLocalMs(value, moved);
}

std::optional<Time> AddDuration(const Time& value, const Decimal& amount, std::string_view unit) {
  const std::optional<Step> step = StepOf(unit);
  const std::optional<std::int64_t> whole = WholeAmount(amount);
  if (!step || !whole || step->calendar_months || step->size > kMsPerHour) return std::nullopt;
  const std::int64_t delta = (*whole % (kMsPerDay / step->size)) * step->size;
  const std::int64_t first = TimeStartMs(value);
  const std::int64_t anchor =
      delta >= 0 ? first : first + TimeLengthMs(value, SecondWidth::kOneSecond) - 1;
  std::int64_t moved = (anchor + delta) % kMsPerDay;
  if (moved < 0) moved += kMsPerDay;
  Time out;
  out.precision = value.precision;
  out.hour = static_cast<std::uint8_t>(moved / kMsPerHour);
  if (value.precision >= TemporalPrecision::kMinute) {
    out.minute = static_cast<std::uint8_t>(moved % kMsPerHour / kMsPerMinute);
  }
  if (value.precision >= TemporalPrecision::kSecond) {
    out.second = static_cast<std::uint8_t>(moved % kMsPerMinute / kMsPerSecond);
  }
  if (value.precision >= TemporalPrecision::kMillisecond) {
    out.millisecond = static_cast<std::uint16_t>(moved % kMsPerSecond);
  }
  return out;
}

}  // namespace chartroom::fhir
