// Quantity and UCUM: unit parsing, exact conversion, and the FHIRPath semantics of the R4
// FHIRPath suite (tests-fhir-r4.xml: testQuantity*, Comparable*, testEquality28,
// testStringQuantity*LiteralToQuantity, and the calendar-duration rules).

#include "fhir/primitives/quantity.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace chartroom::fhir {
namespace {

Quantity Q(std::string_view value, std::string_view unit) {
  const std::optional<Decimal> parsed = Decimal::Parse(value);
  EXPECT_TRUE(parsed.has_value()) << value;
  return Quantity{parsed.value_or(Decimal()), std::string(unit)};
}

std::string Str(const std::optional<Quantity>& q) {
  return q ? q->value.ToString() + " '" + q->unit + "'" : std::string("<none>");
}

std::string Converted(std::string_view value, std::string_view from, std::string_view to) {
  return Str(ConvertTo(Q(value, from), to));
}

TEST(QuantityTest, CalendarWordsAreRecognized) {
  for (const char* word :
       {"year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
        "minute", "minutes", "second", "seconds", "millisecond", "milliseconds"}) {
    EXPECT_TRUE(IsCalendarDurationUnit(word)) << word;
  }
  EXPECT_FALSE(IsCalendarDurationUnit("a"));
  EXPECT_FALSE(IsCalendarDurationUnit("Year"));
  EXPECT_FALSE(IsCalendarDurationUnit("wk"));
}

TEST(QuantityTest, ParsesCommonClinicalUnits) {
  for (const char* unit : {"1",
                           "%",
                           "mg/dL",
                           "mmol/L",
                           "10*3/uL",
                           "10*9/L",
                           "mm[Hg]",
                           "cm[H2O]",
                           "{beats}/min",
                           "/min",
                           "kg/m2",
                           "[lb_av]",
                           "[oz_av]",
                           "[in_i]",
                           "[ft_i]",
                           "Cel",
                           "[degF]",
                           "g/dL",
                           "U/L",
                           "[IU]/L",
                           "m[IU]/mL",
                           "[iU]",
                           "meq/L",
                           "mosm/kg",
                           "fL",
                           "pg",
                           "ng/mL",
                           "ug/dL",
                           "mL/min/{1.73_m2}",
                           "mL/min/(1.73.m2)",
                           "[arb'U]/mL",
                           "[CFU]/mL",
                           "kat/L",
                           "ms",
                           "mo",
                           "wk",
                           "a",
                           "kPa",
                           "[psi]",
                           "kcal",
                           "[Cal]",
                           "Hz",
                           "[ppm]",
                           "deg",
                           "kg.m/s2",
                           "s-1",
                           "10*-3",
                           "mL{total}",
                           "[in_i'Hg]",
                           "[foz_us]",
                           "dam",
                           "nmol/(24.h)"}) {
    EXPECT_TRUE(IsKnownUcumUnit(unit)) << unit;
  }
}

TEST(QuantityTest, RejectsUnknownOrMalformedUnits) {
  for (const char* unit :
       {"",    "mEq/L", "mmHg",   "[s]", "kg/",  "(m",   "m)", "Cel/h", "kCel", "Cel2",
        "foo", "m{",    "m{a b}", "Kg",  "year", "days", "0",  "m.",    "//m",  "[in_i"}) {
    EXPECT_FALSE(IsKnownUcumUnit(unit)) << unit;
  }
}

TEST(QuantityTest, NumbersInUnitsAreFactors) {
  // UCUM reads "2.5" as the product 2 · 5, and "10*3" as 10 to the third.
  EXPECT_EQ(Compare(Q("1", "2.5"), Q("10", "1")), 0);
  EXPECT_EQ(Compare(Q("4", "10*3/uL"), Q("4", "10*9/L")), 0);
  EXPECT_EQ(Compare(Q("1", "/min"), Q("1", "1/min")), 0);
  EXPECT_EQ(Compare(Q("50", "%"), Q("0.5", "1")), 0);
}

TEST(QuantityTest, ComparableUnitsShareADimension) {
  EXPECT_TRUE(AreComparableUnits("cm", "[in_i]"));
  EXPECT_FALSE(AreComparableUnits("cm", "[s]"));
  EXPECT_FALSE(AreComparableUnits("cm", "s"));
  EXPECT_FALSE(AreComparableUnits("cm2", "cm"));
  EXPECT_TRUE(AreComparableUnits("mg/dL", "g/L"));
  EXPECT_TRUE(AreComparableUnits("Cel", "[degF]"));
  EXPECT_TRUE(AreComparableUnits("[iU]", "[IU]"));
  EXPECT_FALSE(AreComparableUnits("[iU]", "[arb'U]"));
  EXPECT_TRUE(AreComparableUnits("year", "months"));
  EXPECT_FALSE(AreComparableUnits("year", "a"));
  EXPECT_TRUE(AreComparableUnits("day", "h"));
  EXPECT_TRUE(AreComparableUnits("whatever", "whatever"));
  EXPECT_TRUE(AreComparableUnits("", "1"));
}

TEST(QuantityTest, EqualityAndOrderFollowTheFhirPathSuite) {
  EXPECT_EQ(Compare(Q("4.0000", "g"), Q("4000.0", "mg")), 0);
  EXPECT_EQ(Compare(Q("4", "g"), Q("4040", "mg")), -1);
  EXPECT_EQ(Compare(Q("7", "days"), Q("1", "week")), 0);
  EXPECT_EQ(Compare(Q("7", "days"), Q("1", "wk")), 0);
  EXPECT_EQ(Compare(Q("6", "days"), Q("1", "week")), -1);
  EXPECT_EQ(Compare(Q("8", "days"), Q("1", "week")), 1);
  EXPECT_EQ(Compare(Q("185", "[lb_av]"), Q("185", "[lb_av]")), 0);
  EXPECT_EQ(Compare(Q("185", "[lb_av]"), Q("200", "[lb_av]")), -1);
  EXPECT_EQ(Compare(Q("185", "[lb_av]"), Q("185", "kg")), -1);
  EXPECT_EQ(Compare(Q("1", "day"), Q("1", "d")), 0);
  EXPECT_EQ(Compare(Q("1", "wk"), Q("1", "week")), 0);
  EXPECT_EQ(Compare(Q("1", "mo"), Q("1", "month")), std::nullopt);
  EXPECT_EQ(Compare(Q("1", "a"), Q("1", "year")), std::nullopt);
}

TEST(QuantityTest, CalendarYearsAndMonthsCompareOnlyWithEachOther) {
  EXPECT_EQ(Compare(Q("1", "year"), Q("12", "months")), 0);
  EXPECT_EQ(Compare(Q("2", "years"), Q("25", "month")), -1);
  EXPECT_EQ(Compare(Q("1", "year"), Q("365", "days")), std::nullopt);
  EXPECT_EQ(Compare(Q("1", "month"), Q("30", "d")), std::nullopt);
  EXPECT_EQ(Compare(Q("1", "second"), Q("1", "s")), 0);
  EXPECT_EQ(Compare(Q("1", "a"), Q("12", "mo")), 0);  // UCUM: mo = a/12
}

TEST(QuantityTest, ConversionsAreExactWhereTheResultTerminates) {
  EXPECT_EQ(Compare(Q("1", "kg"), Q("1000", "g")), 0);
  EXPECT_EQ(Compare(Q("1", "[lb_av]"), Q("0.45359237", "kg")), 0);
  EXPECT_EQ(Compare(Q("1", "kg"), Q("2.2046", "[lb_av]")), 1);
  EXPECT_EQ(Compare(Q("1", "kg"), Q("2.2047", "[lb_av]")), -1);
  EXPECT_EQ(Compare(Q("1", "min"), Q("60", "s")), 0);
  EXPECT_EQ(Compare(Q("1", "h"), Q("61", "min")), -1);
  EXPECT_EQ(Compare(Q("37", "Cel"), Q("98.6", "[degF]")), 0);
  EXPECT_EQ(Compare(Q("0", "Cel"), Q("273.15", "K")), 0);
  EXPECT_EQ(Compare(Q("100", "mg/dL"), Q("1", "g/L")), 0);
  EXPECT_EQ(Compare(Q("1", "mL"), Q("1", "cm3")), 0);
}

TEST(QuantityTest, IdenticalUnitStringsCompareByValueEvenWhenUnknown) {
  EXPECT_EQ(Compare(Q("5", "foo"), Q("5.0", "foo")), 0);
  EXPECT_EQ(Compare(Q("5", "foo"), Q("5", "bar")), std::nullopt);
  EXPECT_EQ(Compare(Q("5", ""), Q("5", "1")), 0);
  EXPECT_EQ(Compare(Q("5", "cm"), Q("5", "s")), std::nullopt);
}

TEST(QuantityTest, EquivalenceRoundsToTheLessPreciseOperand) {
  EXPECT_TRUE(Equivalent(Q("4", "g"), Q("4040", "mg")));
  EXPECT_TRUE(Equivalent(Q("4040", "mg"), Q("4", "g")));
  EXPECT_FALSE(Equivalent(Q("4", "g"), Q("4600", "mg")));
  EXPECT_FALSE(Equivalent(Q("1000", "g"), Q("1.2", "kg")));
  EXPECT_TRUE(Equivalent(Q("185", "[lb_av]"), Q("185", "[lb_av]")));
  EXPECT_FALSE(Equivalent(Q("185", "[lb_av]"), Q("185", "kg")));
  EXPECT_TRUE(Equivalent(Q("1.0", "mg"), Q("1.01", "mg")));
  EXPECT_FALSE(Equivalent(Q("1", "cm"), Q("1", "s")));
  EXPECT_FALSE(Equivalent(Q("1", "foo"), Q("1", "bar")));
}

TEST(QuantityTest, CalendarYearsAreEquivalentToUcumYears) {
  EXPECT_TRUE(Equivalent(Q("1", "year"), Q("1", "a")));
  EXPECT_TRUE(Equivalent(Q("1", "month"), Q("1", "mo")));
  EXPECT_TRUE(Equivalent(Q("1", "year"), Q("12", "months")));
  EXPECT_TRUE(Equivalent(Q("7", "days"), Q("1", "wk")));
  EXPECT_FALSE(Equivalent(Q("2", "years"), Q("1", "a")));
}

TEST(QuantityTest, ConvertTo) {
  EXPECT_EQ(Converted("1", "kg", "g"), "1000 'g'");
  EXPECT_EQ(Converted("4000.0", "mg", "g"), "4.0000 'g'");
  EXPECT_EQ(Converted("1", "[lb_av]", "kg"), "0.45359237 'kg'");
  // 1 / 0.45359237 does not terminate: 20 places, rounded.
  EXPECT_EQ(Converted("1", "kg", "[lb_av]"), "2.20462262184877580723 '[lb_av]'");
  EXPECT_EQ(Converted("37", "Cel", "[degF]"), "98.60 '[degF]'");
  EXPECT_EQ(Converted("100", "[degF]", "Cel").substr(0, 12), "37.777777777");
  EXPECT_EQ(Converted("1", "year", "months"), "12 'months'");
  EXPECT_EQ(Converted("18", "months", "year"), "1.5 'year'");
  EXPECT_EQ(Converted("1", "year", "a"), "<none>");
  EXPECT_EQ(Converted("1", "a", "d"), "365.25 'd'");
  EXPECT_EQ(Converted("1", "mo", "d"), "30.4375 'd'");
  EXPECT_EQ(Converted("1", "[ft_i]", "cm"), "30.48 'cm'");
  EXPECT_EQ(Converted("120", "mm[Hg]", "kPa"), "15.998640 'kPa'");
  EXPECT_EQ(Converted("1", "[in_i'Hg]", "mm[Hg]"), "25.4 'mm[Hg]'");
  EXPECT_EQ(Converted("10", "mg/dL", "g/L"), "0.10 'g/L'");
  EXPECT_EQ(Converted("1", "[foz_us]", "mL"), "29.5735295625 'mL'");
  EXPECT_EQ(Converted("1", "gon", "deg"), "0.9 'deg'");
  EXPECT_EQ(Converted("2", "h", "s"), "7200 's'");
  EXPECT_EQ(Converted("1", "m", "s"), "<none>");
  EXPECT_EQ(Converted("1", "foo", "m"), "<none>");
}

TEST(QuantityTest, AddAndSubtractUseTheMoreGranularUnit) {
  EXPECT_EQ(Str(Add(Q("3", "m"), Q("3", "cm"))), "303 'cm'");
  EXPECT_EQ(Str(Subtract(Q("3", "m"), Q("3", "cm"))), "297 'cm'");
  EXPECT_EQ(Str(Add(Q("1", "year"), Q("1", "month"))), "13 'month'");
  EXPECT_EQ(Str(Add(Q("1", "day"), Q("1", "h"))), "25 'h'");
  EXPECT_EQ(Str(Add(Q("1.5", "mg"), Q("2", "mg"))), "3.5 'mg'");
  EXPECT_EQ(Str(Add(Q("1", "Cel"), Q("1", "Cel"))), "2 'Cel'");
  EXPECT_EQ(Str(Add(Q("1", "Cel"), Q("1", "K"))), "<none>");
  EXPECT_EQ(Str(Add(Q("1", "g"), Q("1", "s"))), "<none>");
  EXPECT_EQ(Str(Add(Q("1", "year"), Q("1", "a"))), "<none>");
}

TEST(QuantityTest, MultiplyAndDivideCombineUnits) {
  EXPECT_EQ(Str(Multiply(Q("12", "cm"), Q("3", "cm"))), "36 'cm2'");
  EXPECT_EQ(Str(Multiply(Q("3", "cm"), Q("12", "cm2"))), "36 'cm3'");
  EXPECT_EQ(Str(Multiply(Q("2", "days"), Q("3", "1"))), "6 'days'");
  EXPECT_EQ(Str(Multiply(Q("2", "mg"), Q("3", ""))), "6 'mg'");
  EXPECT_EQ(Str(Multiply(Q("2", "m/s"), Q("3", "s"))), "6 'm'");
  EXPECT_EQ(Str(Multiply(Q("1", "kg.m"), Q("1", "s-2"))), "1 'kg.m/s2'");
  EXPECT_EQ(Str(Divide(Q("12", "cm2"), Q("3", "cm"))), "4 'cm'");
  EXPECT_EQ(Str(Divide(Q("1", "g"), Q("1", "dL"))), "1 'g/dL'");
  EXPECT_EQ(Str(Divide(Q("1", "1"), Q("2", "m"))), "0.5 '1/m'");
  EXPECT_EQ(Str(Divide(Q("1", "m"), Q("0", "s"))), "<none>");
  EXPECT_EQ(Str(Multiply(Q("1", "year"), Q("1", "m"))), "<none>");
  EXPECT_EQ(Str(Multiply(Q("1", "Cel"), Q("2", "m"))), "<none>");
  EXPECT_EQ(Str(Multiply(Q("1", "Cel"), Q("2", "1"))), "2 'Cel'");
}

TEST(QuantityTest, ProductsAndQuotientsEqualTheSuiteResults) {
  const std::optional<Quantity> area = Multiply(Q("2.0", "cm"), Q("2.0", "m"));
  ASSERT_TRUE(area.has_value());
  EXPECT_EQ(Compare(*area, Q("0.040", "m2")), 0);
  const std::optional<Quantity> density = Divide(Q("4.0", "g"), Q("2.0", "m"));
  ASSERT_TRUE(density.has_value());
  EXPECT_EQ(Compare(*density, Q("2", "g/m")), 0);
  const std::optional<Quantity> ratio = Divide(Q("1.0", "m"), Q("1.0", "m"));
  ASSERT_TRUE(ratio.has_value());
  EXPECT_EQ(Compare(*ratio, Q("1", "1")), 0);
}

std::string Canonical(std::string_view value, std::string_view unit) {
  return Str(Canonicalize(Q(value, unit)));
}

TEST(QuantityTest, CanonicalizeExpressesValuesInBaseUnits) {
  EXPECT_EQ(Canonical("1", "kg"), "1000 'g'");
  EXPECT_EQ(Canonical("1000", "g"), "1000 'g'");
  EXPECT_EQ(Canonical("1.50", "g"), "1.5 'g'");
  EXPECT_EQ(Canonical("5", "mg/dL"), "50 'g.m-3'");
  EXPECT_EQ(Canonical("1", "kPa"), "1000000 'g.m-1.s-2'");
  EXPECT_EQ(Canonical("72", "/min"), "1.2 's-1'");
  EXPECT_EQ(Canonical("2", "h"), "7200 's'");
  EXPECT_EQ(Canonical("25", "kg/m2"), "25000 'g.m-2'");
  EXPECT_EQ(Canonical("1", "[lb_av]"), "453.59237 'g'");
  EXPECT_EQ(Canonical("3", "[iU]/L"), "3000 'm-3.[iU]'");
  EXPECT_EQ(Canonical("3", "[IU]/L"), "3000 'm-3.[iU]'");
  EXPECT_EQ(Canonical("2", "mg.[iU]/L"), "2 'g.m-3.[iU]'");
}

TEST(QuantityTest, CanonicalizeMakesDimensionlessUnitsOne) {
  EXPECT_EQ(Canonical("50", "%"), "0.5 '1'");
  EXPECT_EQ(Canonical("4", "{score}"), "4 '1'");
  EXPECT_EQ(Canonical("4", "1"), "4 '1'");
  EXPECT_EQ(Canonical("4", ""), "4 '1'");
  EXPECT_EQ(Canonical("2", "10*3"), "2000 '1'");
}

TEST(QuantityTest, CanonicalizeAppliesTemperatureOffsets) {
  EXPECT_EQ(Canonical("37", "Cel"), "310.15 'K'");
  EXPECT_EQ(Canonical("32", "[degF]"), "273.15 'K'");
  EXPECT_EQ(Canonical("300", "K"), "300 'K'");
}

TEST(QuantityTest, CanonicalFormsOfCommensurableUnitsAgree) {
  const std::optional<Quantity> a = Canonicalize(Q("1", "L"));
  const std::optional<Quantity> b = Canonicalize(Q("1000", "mL"));
  const std::optional<Quantity> c = Canonicalize(Q("1", "dm3"));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->unit, "m3");
  EXPECT_EQ(Str(a), Str(b));
  EXPECT_EQ(Str(a), Str(c));
  const std::optional<Quantity> molar = Canonicalize(Q("1", "mmol/L"));
  const std::optional<Quantity> micro = Canonicalize(Q("1000", "umol/L"));
  ASSERT_TRUE(molar && micro);
  EXPECT_EQ(Str(molar), Str(micro));
}

TEST(QuantityTest, CanonicalizeRefusesUnknownUnitsAndCalendarWords) {
  EXPECT_EQ(Canonical("1", "kilogram"), "<none>");
  EXPECT_EQ(Canonical("1", "year"), "<none>");
  EXPECT_EQ(Canonical("1", "mEq"), "<none>");
}

}  // namespace
}  // namespace chartroom::fhir
