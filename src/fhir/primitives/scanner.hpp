// Internal to fhir/primitives: the calendar rules and the text cursor that the lexical checks
// (lexical.cpp) and the date/time parser (temporal.cpp) share. Not part of the module's API.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chartroom::fhir::primitives_internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// `month` is 1-12.
inline int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

// A cursor over the text; each Take* consumes on success and leaves `pos` unspecified on
// failure (the caller then rejects the whole value).
struct Scanner {
  std::string_view text;
  std::size_t pos = 0;

  bool AtEnd() const { return pos == text.size(); }
  bool Peek(char c) const { return pos < text.size() && text[pos] == c; }
  bool Take(char c) {
    if (!Peek(c)) return false;
    ++pos;
    return true;
  }
  bool TakeLiteral(std::string_view literal) {
    if (text.substr(pos, literal.size()) != literal) return false;
    pos += literal.size();
    return true;
  }
  // Exactly `count` digits as a number.
  bool TakeDigits(int count, int& value) {
    value = 0;
    for (int i = 0; i < count; ++i, ++pos) {
      if (pos >= text.size() || !IsDigit(text[pos])) return false;
      value = value * 10 + (text[pos] - '0');
    }
    return true;
  }
  // One or more digits.
  bool TakeDigitRun() {
    const std::size_t start = pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    return pos > start;
  }
  // After a '.': one or more digits, the first three as milliseconds (the rest are dropped).
  bool TakeFraction(std::uint16_t& millisecond) {
    int value = 0;
    int digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (digits < 3) value = value * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 3; ++i) value *= 10;
    millisecond = static_cast<std::uint16_t>(value);
    return true;
  }
};

}  // namespace chartroom::fhir::primitives_internal
