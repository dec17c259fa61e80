// Civil dates and local times for the generator: days since 1970-01-01 (proleptic Gregorian),
// FHIR date/dateTime/instant text, and US time-zone offsets (standard offset plus daylight saving
// time from the second Sunday of March to the first Sunday of November, the rule in force since
// 2007, applied to every year and switched at midnight).
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chartroom::synth {

struct City;

using Days = std::int32_t;  // days since 1970-01-01

struct Ymd {
  int year;
  int month;  // 1-12
  int day;    // 1-31
};

Days DaysFromYmd(int year, int month, int day);
Ymd YmdFromDays(Days days);
// 0 = Sunday ... 6 = Saturday.
int Weekday(Days days);
// Whole years from `birth` to `on` (the age on that day).
int AgeOn(Days birth, Days on);
// `days` moved by whole years, a 29 February becoming 28 February in common years.
Days AddYears(Days days, int years);
// Parses "YYYY-MM-DD" (a real calendar date, year 1900-2100); nullopt otherwise.
std::optional<Days> ParseDate(std::string_view text);

// Appends "YYYY-MM-DD".
void AppendDate(std::string& out, Days days);
// Appends a FHIR dateTime with seconds and the offset in force in `city` on that day, e.g.
// "2024-03-01T09:15:00-05:00"; also a valid FHIR instant. 0 <= seconds < 86400.
void AppendDateTime(std::string& out, Days days, int seconds, const City& city);

// Date styles a clinician might type in a note.
enum class DateStyle : std::uint8_t { kUs, kIso, kLong, kShortYear };
void AppendNoteDate(std::string& out, Days days, DateStyle style);

}  // namespace chartroom::synth
