// DateTime and Time: FHIR and FHIRPath parsing, printing, and the FHIRPath comparison and
// arithmetic semantics of the R4 FHIRPath suite (tests-fhir-r4.xml: testEquality*,
// testEquivalent*, testLessThan*, testPlusDate*, testMinus5, testLiteralDateTimeTZ*).

#include "fhir/primitives/temporal.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace chartroom::fhir {
namespace {

// A FHIRPath literal body: "2012-04-15T10:00:00" (DateTime or Date).
DateTime Dt(std::string_view text) {
  const std::optional<DateTime> value = DateTime::ParseDateTime(text, /*fhir_strict=*/false);
  EXPECT_TRUE(value.has_value()) << text;
  return value.value_or(DateTime());
}

Time T(std::string_view text) {
  const std::optional<Time> value = Time::Parse(text, /*fhir_strict=*/false);
  EXPECT_TRUE(value.has_value()) << text;
  return value.value_or(Time());
}

Decimal Amount(std::string_view text) { return Decimal::Parse(text).value_or(Decimal()); }

std::string Plus(std::string_view value, std::string_view amount, std::string_view unit) {
  const std::optional<DateTime> sum = AddDuration(Dt(value), Amount(amount), unit);
  return sum ? sum->ToString() : std::string("<none>");
}

std::string PlusTime(std::string_view value, std::string_view amount, std::string_view unit) {
  const std::optional<Time> sum = AddDuration(T(value), Amount(amount), unit);
  return sum ? sum->ToString() : std::string("<none>");
}

TEST(TemporalTest, ParseDateAcceptsPartialDatesOnRealDays) {
  const std::optional<DateTime> month = DateTime::ParseDate("1974-12");
  ASSERT_TRUE(month.has_value());
  EXPECT_EQ(month->precision, TemporalPrecision::kMonth);
  EXPECT_EQ(month->year, 1974);
  EXPECT_EQ(month->month, 12);
  EXPECT_EQ(month->day, 0);
  EXPECT_TRUE(DateTime::ParseDate("2024-02-29").has_value());
  for (const char* text : {"2023-02-29", "0000", "2024-13", "2024-1", "2024-02-29T10:00:00Z", "",
                           "12345", "2024-04-31"}) {
    EXPECT_FALSE(DateTime::ParseDate(text).has_value()) << text;
  }
}

TEST(TemporalTest, StrictDateTimeNeedsSecondsAndZone) {
  const std::optional<DateTime> full = DateTime::ParseDateTime("2015-02-04T14:34:28.123+09:00");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->precision, TemporalPrecision::kMillisecond);
  EXPECT_EQ(full->millisecond, 123);
  EXPECT_EQ(full->tz_offset_minutes, 9 * 60);
  EXPECT_EQ(DateTime::ParseDateTime("2015-02-04T14:34:28Z")->tz_offset_minutes, 0);
  EXPECT_EQ(DateTime::ParseDateTime("2015-02-04T14:34:28-05:30")->tz_offset_minutes, -330);
  EXPECT_TRUE(DateTime::ParseDateTime("2015").has_value());
  for (const char* text : {"2015-02-04T14:34", "2015-02-04T14:34:28", "2015T", "2015-02-04T",
                           "2015-02-04T14:34:28+14:30", "2015-02-04T14:34:28+15:00",
                           "2015-02-04 14:34:28Z", "2015-02-04T14:34:28.Z"}) {
    EXPECT_FALSE(DateTime::ParseDateTime(text).has_value()) << text;
  }
}

TEST(TemporalTest, FhirPathLiteralsAllowPartialTimesAndNoZone) {
  EXPECT_EQ(Dt("2015T").precision, TemporalPrecision::kYear);
  EXPECT_EQ(Dt("2015-02T").precision, TemporalPrecision::kMonth);
  EXPECT_EQ(Dt("2015-02-04T").precision, TemporalPrecision::kDay);
  EXPECT_EQ(Dt("2015-02-04T14").precision, TemporalPrecision::kHour);
  EXPECT_EQ(Dt("2015-02-04T14:34").precision, TemporalPrecision::kMinute);
  EXPECT_EQ(Dt("2015-02-04T14:34:28").precision, TemporalPrecision::kSecond);
  EXPECT_EQ(Dt("2015-02-04T14:34:28.123").precision, TemporalPrecision::kMillisecond);
  EXPECT_FALSE(Dt("2015-02-04T14:34:28").tz_offset_minutes.has_value());
  EXPECT_EQ(Dt("2014-01-01T08:05+08:00").tz_offset_minutes, 480);
  for (const char* text : {"2015T14", "2015-02T14:00", "2015-02-04T24", "2015-02-04T14:60",
                           "2015-02-04T14:34:28.", "2015-02-04TZ", "2015-02-04T14:34:28+1000"}) {
    EXPECT_FALSE(DateTime::ParseDateTime(text, /*fhir_strict=*/false).has_value()) << text;
  }
}

TEST(TemporalTest, FractionalSecondsKeepMillisecondsAndTruncateTheRest) {
  EXPECT_EQ(Dt("2015-02-04T14:34:28.1").millisecond, 100);
  EXPECT_EQ(Dt("2015-02-04T14:34:28.12").millisecond, 120);
  EXPECT_EQ(Dt("2015-02-04T14:34:28.123999").millisecond, 123);
  EXPECT_EQ(Dt("2015-02-04T14:34:28.0").precision, TemporalPrecision::kMillisecond);
}

TEST(TemporalTest, TimeParsing) {
  const std::optional<Time> strict = Time::Parse("14:34:28.5");
  ASSERT_TRUE(strict.has_value());
  EXPECT_EQ(strict->millisecond, 500);
  EXPECT_EQ(strict->precision, TemporalPrecision::kMillisecond);
  EXPECT_FALSE(Time::Parse("14:34").has_value());
  EXPECT_EQ(T("14").precision, TemporalPrecision::kHour);
  EXPECT_EQ(T("14:34").precision, TemporalPrecision::kMinute);
  for (const char* text : {"14:34:28Z", "14:34:28+10:00", "24:00", "4:00", "14:5", ""}) {
    EXPECT_FALSE(Time::Parse(text, /*fhir_strict=*/false).has_value()) << text;
  }
}

TEST(TemporalTest, ToStringRoundTripsEveryPrecision) {
  for (const char* text :
       {"2015", "2015-02", "2015-02-04", "2015-02-04T14", "2015-02-04T14:34", "2015-02-04T14:34:28",
        "2015-02-04T14:34:28.123", "2015-02-04T14:34:28.010+09:00", "0001-01-01T00:00:00-05:30",
        "2015-02-04T14:34:28Z"}) {
    EXPECT_EQ(Dt(text).ToString(), text);
  }
  EXPECT_EQ(Dt("2015-02-04T14:34:28+00:00").ToString(), "2015-02-04T14:34:28Z");
  EXPECT_EQ(Dt("2015-02-04T14:34:28.1").ToString(), "2015-02-04T14:34:28.100");
  for (const char* text : {"14", "14:34", "14:34:28", "14:34:28.007"}) {
    EXPECT_EQ(T(text).ToString(), text);
  }
}

TEST(TemporalTest, EqualityFollowsTheFhirPathSuite) {
  EXPECT_EQ(Compare(Dt("2012-04-15"), Dt("2012-04-15")), 0);
  EXPECT_EQ(Compare(Dt("2012-04-15"), Dt("2012-04-16")), -1);
  EXPECT_EQ(Compare(Dt("2012-04-15"), Dt("2012-04-15T10:00:00")), std::nullopt);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00"), Dt("2012-04-15T10:00:00")), 1);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:30:31"), Dt("2012-04-15T15:30:31.0")), 0);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:30:31"), Dt("2012-04-15T15:30:31.1")), -1);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00Z"), Dt("2012-04-15T10:00:00")), std::nullopt);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00+02:00"), Dt("2012-04-15T16:00:00+03:00")), 0);
}

TEST(TemporalTest, ZonesAreComparedInUtc) {
  EXPECT_EQ(Compare(Dt("2017-11-05T01:30:00.0-04:00"), Dt("2017-11-05T01:15:00.0-05:00")), -1);
  EXPECT_EQ(Compare(Dt("2017-11-05T01:30:00.0-04:00"), Dt("2017-11-05T00:30:00.0-05:00")), 0);
  EXPECT_EQ(Compare(Dt("2014-01-01T00:30+01:00"), Dt("2013-12-31T23:30Z")), 0);
}

TEST(TemporalTest, PartialValuesCompareUpToTheCoarserPrecision) {
  EXPECT_EQ(Compare(Dt("2018-03"), Dt("2018-03-01")), std::nullopt);
  EXPECT_EQ(Compare(Dt("2018-03-01T10:30"), Dt("2018-03-01T10:30:00")), std::nullopt);
  EXPECT_EQ(Compare(Dt("2018-03-01T10:30:00"), Dt("2018-03-01T10:30:00.0")), 0);
  EXPECT_EQ(Compare(Dt("2012"), Dt("2013-01")), -1);
  EXPECT_EQ(Compare(Dt("2012-02"), Dt("2012-01-31")), 1);
  EXPECT_EQ(Compare(Dt("2012"), Dt("2012")), 0);
}

TEST(TemporalTest, ZonelessValueAgainstZonedValueIsKnownOnlyAtEveryOffset) {
  // now() > Patient.birthDate, now() > today(), birthDate != @1974-12-25T12:34:00Z.
  const DateTime now = Dt("2024-05-01T10:00:00.000+02:00");
  EXPECT_EQ(Compare(now, Dt("1974-12-25")), 1);
  EXPECT_EQ(Compare(now, Dt("2024-05-01")), std::nullopt);
  EXPECT_EQ(Compare(Dt("1974-12-25"), Dt("1974-12-25T12:34:00Z")), std::nullopt);
  // 10:00 without a zone is somewhere in 20:00Z the day before .. 22:00Z the same day.
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00Z"), Dt("2012-04-15T04:00:00")), std::nullopt);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00Z"), Dt("2012-04-15T02:59:59")), 1);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00Z"), Dt("2012-04-16T05:00:01")), -1);
  EXPECT_EQ(Compare(Dt("2012-04-16T15:00:00Z"), Dt("2012-04-15T10:00:00")), 1);
  EXPECT_EQ(Compare(Dt("2012-04-15T15:00:00Z"), Dt("2012-04-10")), 1);
  EXPECT_FALSE(Equivalent(Dt("2012-04-15T15:00:00Z"), Dt("2012-04-15T15:00:00")));
}

TEST(TemporalTest, DefaultOffsetPlacesZonelessValues) {
  const DateTime zulu = Dt("2012-04-15T15:00:00Z");
  const DateTime zoneless = Dt("2012-04-15T10:00:00");
  EXPECT_EQ(Compare(zulu, zoneless, /*default_offset_minutes=*/-300), 0);
  EXPECT_EQ(Compare(zulu, zoneless, /*default_offset_minutes=*/0), 1);
  EXPECT_TRUE(Equivalent(zulu, zoneless, /*default_offset_minutes=*/-300));
  // Two zoneless values share whatever zone they are in.
  EXPECT_EQ(Compare(zoneless, Dt("2012-04-15T11:00:00"), std::int16_t{600}), -1);
}

TEST(TemporalTest, EquivalenceIsFalseAcrossPrecisions) {
  EXPECT_TRUE(Equivalent(Dt("2012-04-15"), Dt("2012-04-15")));
  EXPECT_FALSE(Equivalent(Dt("2012-04-15"), Dt("2012-04-16")));
  EXPECT_FALSE(Equivalent(Dt("2012-04-15"), Dt("2012-04-15T10:00:00")));
  EXPECT_TRUE(Equivalent(Dt("2012-04-15T15:30:31"), Dt("2012-04-15T15:30:31.0")));
  EXPECT_FALSE(Equivalent(Dt("2012-04-15T15:30:31"), Dt("2012-04-15T15:30:31.1")));
  EXPECT_FALSE(Equivalent(Dt("2012-01"), Dt("2012")));
}

TEST(TemporalTest, TimeComparison) {
  EXPECT_EQ(Compare(T("12:00:00"), T("14:00:00")), -1);
  EXPECT_EQ(Compare(T("12:00:01"), T("12:00:00")), 1);
  EXPECT_EQ(Compare(T("12:00:00"), T("12:00:00")), 0);
  EXPECT_EQ(Compare(T("10:30"), T("10:30:00")), std::nullopt);
  EXPECT_EQ(Compare(T("10:30:00"), T("10:30:00.0")), 0);
  EXPECT_EQ(Compare(T("10"), T("11:59")), -1);
  EXPECT_TRUE(Equivalent(T("10:30:00"), T("10:30:00.000")));
  EXPECT_FALSE(Equivalent(T("10:30"), T("10:30:00")));
}

TEST(TemporalTest, AddDurationFollowsTheFhirPathSuite) {
  EXPECT_EQ(Plus("1973-12-25", "7", "days"), "1974-01-01");
  EXPECT_EQ(Plus("1973-12-25", "7.7", "days"), "1974-01-01");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "7", "days"), "1974-01-01T00:00:00.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "7.7", "days"), "1974-01-01T00:00:00.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "1", "second"), "1973-12-25T00:00:01.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "10", "millisecond"),
            "1973-12-25T00:00:00.010+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "1", "minute"), "1973-12-25T00:01:00.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "1", "hour"), "1973-12-25T01:00:00.000+10:00");
  EXPECT_EQ(Plus("1973-12-25", "1", "day"), "1973-12-26");
  EXPECT_EQ(Plus("1973-12-25", "1", "month"), "1974-01-25");
  EXPECT_EQ(Plus("1973-12-25", "1", "week"), "1974-01-01");
  EXPECT_EQ(Plus("1973-12-25", "1", "year"), "1974-12-25");
  EXPECT_EQ(Plus("1973-12-25", "1", "d"), "1973-12-26");
  EXPECT_EQ(Plus("1973-12-25", "1", "mo"), "<none>");
  EXPECT_EQ(Plus("1973-12-25", "1", "wk"), "1974-01-01");
  EXPECT_EQ(Plus("1973-12-25", "1", "a"), "<none>");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "1", "s"), "1973-12-25T00:00:01.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "0.1", "s"), "1973-12-25T00:00:00.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "10", "ms"), "1973-12-25T00:00:00.010+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "1", "min"), "1973-12-25T00:01:00.000+10:00");
  EXPECT_EQ(Plus("1973-12-25T00:00:00.000+10:00", "1", "h"), "1973-12-25T01:00:00.000+10:00");
  EXPECT_EQ(Plus("1974-12-25", "-1", "month"), "1974-11-25");
  EXPECT_EQ(Plus("1974-12-25", "-1", "cm"), "<none>");
}

TEST(TemporalTest, MonthStepsClampToTheEndOfTheMonth) {
  EXPECT_EQ(Plus("2024-01-31", "1", "month"), "2024-02-29");
  EXPECT_EQ(Plus("2023-01-31", "1", "month"), "2023-02-28");
  EXPECT_EQ(Plus("2024-02-29", "1", "year"), "2025-02-28");
  EXPECT_EQ(Plus("2024-03-31T10:00:00Z", "-1", "month"), "2024-02-29T10:00:00Z");
  EXPECT_EQ(Plus("2024-11", "3", "months"), "2025-02");
  EXPECT_EQ(Plus("2024-01", "-1", "month"), "2023-12");
}

TEST(TemporalTest, AmountsFinerThanThePrecisionTruncateTowardZero) {
  EXPECT_EQ(Plus("2014", "24", "months"), "2016");
  EXPECT_EQ(Plus("2014", "23", "months"), "2015");
  EXPECT_EQ(Plus("2014", "-23", "months"), "2013");
  EXPECT_EQ(Plus("2014-01-01", "25", "hours"), "2014-01-02");
  EXPECT_EQ(Plus("2014-01-01", "-23", "hours"), "2014-01-01");
  EXPECT_EQ(Plus("2014-01-01", "-25", "hours"), "2013-12-31");
  EXPECT_EQ(Plus("2014-03", "45", "days"), "2014-04");
  EXPECT_EQ(Plus("2014-03", "-30", "days"), "2014-03");
  EXPECT_EQ(Plus("2014-03", "-31", "days"), "2014-02");
  EXPECT_EQ(Plus("2015-02-04T14:34", "90", "seconds"), "2015-02-04T14:35");
  EXPECT_EQ(Plus("2015-02-04T14:34:28", "-1500", "ms"), "2015-02-04T14:34:27");
}

TEST(TemporalTest, AddDurationRejectsYearsOutsideTheRange) {
  EXPECT_EQ(Plus("9999-12-31", "1", "day"), "<none>");
  EXPECT_EQ(Plus("0001-01-01", "-1", "day"), "<none>");
  EXPECT_EQ(Plus("0001-01-01", "-1", "ms"), "0001-01-01");  // less than the day's precision
  EXPECT_EQ(Plus("9999", "1", "year"), "<none>");
  EXPECT_EQ(Plus("2000", "99999999999999999", "weeks"), "<none>");
  EXPECT_EQ(Plus("2000", "99999999999999999999", "days"), "<none>");
}

TEST(TemporalTest, TimeArithmeticWrapsAroundMidnight) {
  EXPECT_EQ(PlusTime("23:00", "2", "hours"), "01:00");
  EXPECT_EQ(PlusTime("00:30", "-1", "hour"), "23:30");
  EXPECT_EQ(PlusTime("10:00:00.000", "1500", "ms"), "10:00:01.500");
  EXPECT_EQ(PlusTime("10:00", "59", "s"), "10:00");
  EXPECT_EQ(PlusTime("10:00", "48", "h"), "10:00");
  EXPECT_EQ(PlusTime("10:00", "1", "day"), "<none>");
  EXPECT_EQ(PlusTime("10:00", "1", "wk"), "<none>");
}

}  // namespace
}  // namespace chartroom::fhir
