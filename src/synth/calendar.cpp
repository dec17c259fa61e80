#include "synth/calendar.hpp"

#include "synth/tables.hpp"

namespace chartroom::synth {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days
// (https://howardhinnant.github.io/date_algorithms.html).
constexpr int FloorDiv(int a, int b) { return (a >= 0 ? a : a - b + 1) / b; }

void AppendPadded(std::string& out, int value, int width) {
  char buffer[12];
  int n = 0;
  unsigned v = static_cast<unsigned>(value < 0 ? -value : value);
  do {
    buffer[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (value < 0) out.push_back('-');
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(buffer[--n]);
}

constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};

bool InDaylightTime(Days days) {
  const Ymd ymd = YmdFromDays(days);
  if (ymd.month < 3 || ymd.month > 11) return false;
  if (ymd.month > 3 && ymd.month < 11) return true;
  if (ymd.month == 3) {
    const Days first = DaysFromYmd(ymd.year, 3, 1);
    const Days second_sunday = first + (7 - Weekday(first)) % 7 + 7;
    return days >= second_sunday;
  }
  const Days first = DaysFromYmd(ymd.year, 11, 1);
  const Days first_sunday = first + (7 - Weekday(first)) % 7;
  return days < first_sunday;
}

}  // namespace

Days DaysFromYmd(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = FloorDiv(y, 400);
  const int yoe = y - era * 400;
  const int mp = (month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Ymd YmdFromDays(Days days) {
  const int z = days + 719468;
  const int era = FloorDiv(z, 146097);
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int day = doy - (153 * mp + 2) / 5 + 1;
  const int month = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int Weekday(Days days) {
  const int w = (days + 4) % 7;  // 1970-01-01 was a Thursday
  return w < 0 ? w + 7 : w;
}

int AgeOn(Days birth, Days on) {
  const Ymd b = YmdFromDays(birth);
  const Ymd o = YmdFromDays(on);
  int age = o.year - b.year;
  if (o.month < b.month || (o.month == b.month && o.day < b.day)) --age;
  return age;
}

Days AddYears(Days days, int years) {
  const Ymd ymd = YmdFromDays(days);
  const int year = ymd.year + years;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int day = ymd.month == 2 && ymd.day == 29 && !leap ? 28 : ymd.day;
  return DaysFromYmd(year, ymd.month, day);
}

std::optional<Days> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < lengths[p]; ++i) {
      const char c = text[static_cast<std::size_t>(starts[p] + i)];
      if (c < '0' || c > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  if (parts[0] < 1900 || parts[0] > 2100 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1) {
    return std::nullopt;
  }
  const Days days = DaysFromYmd(parts[0], parts[1], parts[2]);
  const Ymd back = YmdFromDays(days);
  if (back.month != parts[1] || back.day != parts[2]) return std::nullopt;
  return days;
}

void AppendDate(std::string& out, Days days) {
  const Ymd ymd = YmdFromDays(days);
  AppendPadded(out, ymd.year, 4);
  out.push_back('-');
  AppendPadded(out, ymd.month, 2);
  out.push_back('-');
  AppendPadded(out, ymd.day, 2);
}

void AppendDateTime(std::string& out, Days days, int seconds, const City& city) {
  AppendDate(out, days);
  out.push_back('T');
  AppendPadded(out, seconds / 3600, 2);
  out.push_back(':');
  AppendPadded(out, seconds / 60 % 60, 2);
  out.push_back(':');
  AppendPadded(out, seconds % 60, 2);
  const int offset = city.utc_offset_hours + (city.observes_dst && InDaylightTime(days) ? 1 : 0);
  out.push_back(offset < 0 ? '-' : '+');
  AppendPadded(out, offset < 0 ? -offset : offset, 2);
  out += ":00";
}

void AppendNoteDate(std::string& out, Days days, DateStyle style) {
  const Ymd ymd = YmdFromDays(days);
  switch (style) {
    case DateStyle::kUs:
      AppendPadded(out, ymd.month, 2);
      out.push_back('/');
      AppendPadded(out, ymd.day, 2);
      out.push_back('/');
      AppendPadded(out, ymd.year, 4);
      return;
    case DateStyle::kIso:
      AppendDate(out, days);
      return;
    case DateStyle::kLong:
      out += kMonths[static_cast<std::size_t>(ymd.month - 1)];
      out.push_back(' ');
      AppendPadded(out, ymd.day, 1);
      out += ", ";
      AppendPadded(out, ymd.year, 4);
      return;
    case DateStyle::kShortYear:
      AppendPadded(out, ymd.month, 1);
      out.push_back('/');
      AppendPadded(out, ymd.day, 1);
      out.push_back('/');
      AppendPadded(out, ymd.year % 100, 2);
      return;
  }
}

}  // namespace chartroom::synth
