// Calendar arithmetic and the FHIR date-time text with US time-zone offsets.

#include "synth/calendar.hpp"

#include <gtest/gtest.h>

#include "synth/tables.hpp"

namespace chartroom::synth {
namespace {

TEST(CalendarTest, DaysRoundTripThroughCivilDates) {
  EXPECT_EQ(DaysFromYmd(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromYmd(2000, 3, 1), 11017);
  for (Days d = -40000; d < 60000; d += 37) {
    const Ymd ymd = YmdFromDays(d);
    EXPECT_EQ(DaysFromYmd(ymd.year, ymd.month, ymd.day), d);
  }
  EXPECT_EQ(Weekday(DaysFromYmd(2025, 1, 1)), 3);  // a Wednesday
}

TEST(CalendarTest, AgeCountsWholeYearsAndLeapDaysMoveToFebruary28) {
  const Days birth = DaysFromYmd(2000, 2, 29);
  EXPECT_EQ(AgeOn(birth, DaysFromYmd(2025, 2, 28)), 24);
  EXPECT_EQ(AgeOn(birth, DaysFromYmd(2025, 3, 1)), 25);
  EXPECT_EQ(AddYears(birth, 1), DaysFromYmd(2001, 2, 28));
}

TEST(CalendarTest, ParseDateAcceptsOnlyRealDates) {
  EXPECT_EQ(ParseDate("2024-02-29"), DaysFromYmd(2024, 2, 29));
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-13-01"));
  EXPECT_FALSE(ParseDate("2024-1-01"));
  EXPECT_FALSE(ParseDate("20240101"));
}

TEST(CalendarTest, DateTimesCarryDaylightSavingOffsets) {
  const City& boston = Cities()[0];
  ASSERT_EQ(boston.name, "Boston");
  std::string winter;
  AppendDateTime(winter, DaysFromYmd(2024, 1, 15), 9 * 3600 + 5 * 60 + 7, boston);
  EXPECT_EQ(winter, "2024-01-15T09:05:07-05:00");
  std::string summer;
  AppendDateTime(summer, DaysFromYmd(2024, 7, 4), 0, boston);
  EXPECT_EQ(summer, "2024-07-04T00:00:00-04:00");
  // 2024: DST from Sunday 10 March to Sunday 3 November.
  std::string before;
  AppendDateTime(before, DaysFromYmd(2024, 3, 9), 0, boston);
  EXPECT_EQ(before.substr(19), "-05:00");
  std::string after;
  AppendDateTime(after, DaysFromYmd(2024, 3, 10), 0, boston);
  EXPECT_EQ(after.substr(19), "-04:00");
}

TEST(CalendarTest, NoteDatesFollowTheirStyle) {
  const Days d = DaysFromYmd(2024, 3, 7);
  std::string s;
  AppendNoteDate(s, d, DateStyle::kUs);
  EXPECT_EQ(s, "03/07/2024");
  s.clear();
  AppendNoteDate(s, d, DateStyle::kLong);
  EXPECT_EQ(s, "March 7, 2024");
  s.clear();
  AppendNoteDate(s, d, DateStyle::kShortYear);
  EXPECT_EQ(s, "3/7/24");
}

}  // namespace
}  // namespace chartroom::synth
