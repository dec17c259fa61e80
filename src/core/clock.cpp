#include "core/clock.hpp"

#include <cstdio>

namespace chartroom::core {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::microseconds;

struct Civil {
  int year;
  unsigned month, day, hour, minute, second, micros, weekday;  // weekday: 0 = Sunday
};

Civil ToCivil(Timestamp t) {
  auto day_point = floor<days>(t);
  std::chrono::year_month_day ymd{day_point};
  auto in_day = std::chrono::duration_cast<microseconds>(t - day_point).count();
  auto seconds = in_day / 1'000'000;
  return Civil{int(ymd.year()),
               unsigned(ymd.month()),
               unsigned(ymd.day()),
               static_cast<unsigned>(seconds / 3600),
               static_cast<unsigned>(seconds / 60 % 60),
               static_cast<unsigned>(seconds % 60),
               static_cast<unsigned>(in_day % 1'000'000),
               std::chrono::weekday{day_point}.c_encoding()};
}

bool ParseDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

std::string FormatInstant(Timestamp t) {
  Civil c = ToCivil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, c.micros / 1000);
  return buf;
}

std::string FormatHttpDate(Timestamp t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil c = ToCivil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02u:%02u:%02u GMT", kDays[c.weekday], c.day,
                kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  return buf;
}

Result<Timestamp> ParseInstant(std::string_view text) {
  auto bad = [] {
    return Fail(ErrorCategory::kInvalid, "core.bad-instant",
                "expected an instant like 2024-03-01T09:00:00Z");
  };
  int y, mo, d, h, mi, s;
  if (!ParseDigits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' ||
      !ParseDigits(text, 5, 2, mo) || text[7] != '-' || !ParseDigits(text, 8, 2, d) ||
      text[10] != 'T' || !ParseDigits(text, 11, 2, h) || text[13] != ':' ||
      !ParseDigits(text, 14, 2, mi) || text[16] != ':' || !ParseDigits(text, 17, 2, s)) {
    return bad();
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                  std::chrono::day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset_minutes = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    int oh, om;
    if (!ParseDigits(text, pos + 1, 2, oh) || !ParseDigits(text, pos + 4, 2, om) || oh > 14 ||
        om > 59) {
      return bad();
    }
    offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  Timestamp t = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                std::chrono::seconds(std::min(s, 59)) + microseconds(micros) -
                std::chrono::minutes(offset_minutes);
  return t;
}

}  // namespace chartroom::core
