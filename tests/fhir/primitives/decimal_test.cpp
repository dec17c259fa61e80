// Decimal: exact parsing and arithmetic, and the FHIRPath semantics the R4 FHIRPath suite
// expects of decimals (tests-fhir-r4.xml groups testPlus ... testTruncate, testEquivalent).

#include "fhir/primitives/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace chartroom::fhir {
namespace {

Decimal D(std::string_view text) {
  const std::optional<Decimal> value = Decimal::Parse(text);
  EXPECT_TRUE(value.has_value()) << text;
  return value.value_or(Decimal());
}

std::string Str(const std::optional<Decimal>& value) {
  return value ? value->ToString() : std::string("<none>");
}

TEST(DecimalTest, ParseKeepsScaleAndRoundTrips) {
  for (const char* text : {"0", "1", "-1", "1.50", "-0.001", "100", "0.00000001",
                           "1234567890987654321.0", "99999999999999999999999999999999999999"}) {
    EXPECT_EQ(D(text).ToString(), text);
  }
  EXPECT_EQ(D("1.50").scale(), 2);
  EXPECT_EQ(D("-0").ToString(), "0");
  EXPECT_EQ(D("-0.0").Sign(), 0);
}

TEST(DecimalTest, ParseAppliesExponentWithoutLosingDigits) {
  EXPECT_EQ(D("1e3").ToString(), "1000");
  EXPECT_EQ(D("1.5E+3").ToString(), "1500");
  EXPECT_EQ(D("1.50e1").ToString(), "15.0");
  EXPECT_EQ(D("1e-3").ToString(), "0.001");
  EXPECT_EQ(D("-2.5e-2").ToString(), "-0.025");
}

TEST(DecimalTest, ParseRejectsMalformedText) {
  for (const char* text : {"", "-", "01", "+1", "1.", ".5", "1e", "1e+", "1,5", " 1", "1 ", "NaN",
                           "inf", "0x1", "1..2", "--1"}) {
    EXPECT_FALSE(Decimal::Parse(text).has_value()) << text;
  }
}

TEST(DecimalTest, LenientParseAcceptsPlusAndLeadingZeros) {
  EXPECT_EQ(Str(Decimal::Parse("+1.5", /*lenient=*/true)), "1.5");
  EXPECT_EQ(Str(Decimal::Parse("007", /*lenient=*/true)), "7");
  EXPECT_EQ(Str(Decimal::Parse("-00.50", /*lenient=*/true)), "-0.50");
  EXPECT_FALSE(Decimal::Parse("+", /*lenient=*/true).has_value());
}

TEST(DecimalTest, AddOfTwoLarge38DigitValuesOverflowsInsteadOfWrapping) {
  // Each magnitude fits 38 digits; their sum needs 39 and exceeds 2^127 as a signed value.
  const Decimal big = *Decimal::Parse("90000000000000000000000000000000000000");
  EXPECT_FALSE(Decimal::Add(big, big).has_value());
  EXPECT_FALSE(Decimal::Subtract(big.Negate(), big).has_value());
  EXPECT_EQ(Decimal::Subtract(big, big)->ToString(), "0");
  const Decimal almost = *Decimal::Parse("99999999999999999999999999999999999998");
  EXPECT_EQ(Decimal::Add(almost, Decimal::FromInt(1))->ToString(),
            "99999999999999999999999999999999999999");
  EXPECT_FALSE(Decimal::Add(almost, Decimal::FromInt(2)).has_value());
  EXPECT_EQ(Decimal::Add(almost.Negate(), Decimal::FromInt(3))->ToString(),
            "-99999999999999999999999999999999999995");
}

TEST(DecimalTest, ParseRejectsMoreThan38SignificantDigits) {
  EXPECT_TRUE(Decimal::Parse("0.00099999999999999999999999999999999999999").has_value());
  EXPECT_FALSE(Decimal::Parse("123456789012345678901234567890123456789").has_value());
  EXPECT_FALSE(Decimal::Parse("1e38").has_value());
  EXPECT_TRUE(Decimal::Parse("1e37").has_value());
  EXPECT_FALSE(Decimal::Parse("1e-100000").has_value());
}

TEST(DecimalTest, FromDoubleGivesShortestRoundTrip) {
  EXPECT_EQ(Str(Decimal::FromDouble(0.1)), "0.1");
  EXPECT_EQ(Str(Decimal::FromDouble(-2.5)), "-2.5");
  EXPECT_EQ(Str(Decimal::FromDouble(1e20)), "100000000000000000000");
  EXPECT_EQ(Str(Decimal::FromDouble(1.5e-7)), "0.00000015");
  EXPECT_FALSE(Decimal::FromDouble(1e300).has_value());
  EXPECT_FALSE(Decimal::FromDouble(std::numeric_limits<double>::quiet_NaN()).has_value());
  EXPECT_FALSE(Decimal::FromDouble(std::numeric_limits<double>::infinity()).has_value());
  EXPECT_DOUBLE_EQ(D("0.1").ToDouble(), 0.1);
  EXPECT_DOUBLE_EQ(D("-1234.5678").ToDouble(), -1234.5678);
}

TEST(DecimalTest, FromCoefficientChecksRange) {
  EXPECT_EQ(Str(Decimal::FromCoefficient(-150, 2)), "-1.50");
  EXPECT_FALSE(Decimal::FromCoefficient(1, -1).has_value());
  EXPECT_FALSE(Decimal::FromCoefficient(1, Decimal::kMaxScale + 1).has_value());
  Int128 limit = 1;
  for (int i = 0; i < 38; ++i) limit *= 10;
  EXPECT_FALSE(Decimal::FromCoefficient(limit, 0).has_value());
  EXPECT_TRUE(Decimal::FromCoefficient(limit - 1, 0).has_value());
  EXPECT_EQ(D("-1.50").coefficient(), -150);
}

TEST(DecimalTest, AddAndSubtractAreExactAtTheLargerScale) {
  EXPECT_EQ(Str(Decimal::Add(D("1.2"), D("1.8"))), "3.0");
  EXPECT_EQ(Str(Decimal::Subtract(D("1.8"), D("1.2"))), "0.6");
  EXPECT_EQ(Str(Decimal::Add(D("1"), D("0.001"))), "1.001");
  EXPECT_EQ(Str(Decimal::Subtract(D("1"), D("1.00"))), "0.00");
  EXPECT_EQ(Str(Decimal::Add(D("-5.5"), D("2.25"))), "-3.25");
}

TEST(DecimalTest, ArithmeticBeyond38DigitsFails) {
  const Decimal nines = D("99999999999999999999999999999999999999");
  EXPECT_FALSE(Decimal::Add(nines, D("1")).has_value());
  EXPECT_FALSE(Decimal::Add(D("1"), D("1e-38")).has_value());
  EXPECT_TRUE(Decimal::Add(D("1"), D("1e-37")).has_value());
  EXPECT_FALSE(Decimal::Multiply(nines, D("10")).has_value());
  EXPECT_FALSE(Decimal::Multiply(D("10000000000000000000"), D("10000000000000000000")).has_value());
}

TEST(DecimalTest, MultiplyIsExactAndAddsScales) {
  EXPECT_EQ(Str(Decimal::Multiply(D("1.2"), D("1.8"))), "2.16");
  EXPECT_EQ(Str(Decimal::Multiply(D("2.0"), D("0.02"))), "0.040");
  EXPECT_EQ(Str(Decimal::Multiply(D("-3"), D("4"))), "-12");
  EXPECT_EQ(Str(Decimal::Multiply(D("1234567890123456789"), D("1234567890123456789"))),
            "1524157875323883675019051998750190521");
}

TEST(DecimalTest, DivideIsExactWhenTerminatingElseRoundsToEightPlacesPastOperandScale) {
  EXPECT_EQ(Str(Decimal::Divide(D("1"), D("2"))), "0.5");
  EXPECT_EQ(Str(Decimal::Divide(D("4"), D("2"))), "2");
  EXPECT_EQ(Str(Decimal::Divide(D("4.0"), D("2.0"))), "2.0");
  EXPECT_EQ(Str(Decimal::Divide(D("1"), D("3"))), "0.33333333");
  EXPECT_EQ(Str(Decimal::Divide(D("2"), D("3"))), "0.66666667");
  EXPECT_EQ(Str(Decimal::Divide(D("1.2"), D("1.8"))), "0.666666667");
  EXPECT_EQ(Str(Decimal::Divide(D("-1"), D("8"))), "-0.125");
  EXPECT_EQ(Str(Decimal::Divide(D("1"), D("0.0004"))), "2500.0000");
  EXPECT_EQ(Str(Decimal::Divide(D("0.000000001"), D("3"))), "0.00000000033333333");
  EXPECT_FALSE(Decimal::Divide(D("1"), D("0")).has_value());
  EXPECT_FALSE(Decimal::Divide(D("1"), D("0.00")).has_value());
}

TEST(DecimalTest, DivideGivesUpPlacesRatherThanOverflow) {
  EXPECT_EQ(Str(Decimal::Divide(D("10000000000000000000000000000000000000"), D("3"))),
            "3333333333333333333333333333333333333.3");
  EXPECT_FALSE(Decimal::Divide(D("99999999999999999999999999999999999999"), D("0.1")).has_value());
  EXPECT_EQ(Str(Decimal::Divide(D("1"), D("99999999999999999999999999999999999999"))), "0");
}

TEST(DecimalTest, DivideRoundedRoundsHalfAwayFromZero) {
  EXPECT_EQ(Str(Decimal::DivideRounded(D("1"), D("8"), 2)), "0.13");
  EXPECT_EQ(Str(Decimal::DivideRounded(D("-1"), D("8"), 2)), "-0.13");
  EXPECT_EQ(Str(Decimal::DivideRounded(D("1"), D("3"), 0)), "0");
  EXPECT_EQ(Str(Decimal::DivideRounded(D("5"), D("10"), 0)), "1");
  EXPECT_EQ(Str(Decimal::DivideRounded(D("1"), D("3"), 38)), "0." + std::string(38, '3'));
  EXPECT_FALSE(Decimal::DivideRounded(D("1"), D("3"), 39).has_value());
  EXPECT_FALSE(Decimal::DivideRounded(D("1"), D("3"), -1).has_value());
  EXPECT_EQ(Str(Decimal::DivideRounded(D("90000000000000000000000000000000000000"), D("1.7"), 0)),
            "52941176470588235294117647058823529412");
  // A divisor that outgrows 127 bits once scaled (18 × 10^37) still rounds correctly.
  const Decimal nine = D("9.0000000000000000000000000000000000000");
  EXPECT_EQ(Str(Decimal::DivideRounded(nine, D("18"), 0)), "1");
  EXPECT_EQ(Str(Decimal::DivideRounded(nine, D("19"), 0)), "0");
}

TEST(DecimalTest, DivAndModTruncateTowardZero) {
  EXPECT_EQ(Str(Decimal::DivideTruncated(D("5"), D("2"))), "2");
  EXPECT_EQ(Str(Decimal::DivideTruncated(D("2.2"), D("1.8"))), "1");
  EXPECT_EQ(Str(Decimal::DivideTruncated(D("5.5"), D("0.7"))), "7");
  EXPECT_EQ(Str(Decimal::DivideTruncated(D("-5"), D("2"))), "-2");
  EXPECT_FALSE(Decimal::DivideTruncated(D("5"), D("0")).has_value());
  EXPECT_EQ(Str(Decimal::Modulo(D("5"), D("2"))), "1");
  EXPECT_EQ(Str(Decimal::Modulo(D("2.2"), D("1.8"))), "0.4");
  EXPECT_EQ(Str(Decimal::Modulo(D("5.5"), D("0.7"))), "0.6");
  EXPECT_EQ(Str(Decimal::Modulo(D("-5"), D("2"))), "-1");
  EXPECT_EQ(Str(Decimal::Modulo(D("4"), D("2"))), "0");
  EXPECT_FALSE(Decimal::Modulo(D("5"), D("0")).has_value());
}

TEST(DecimalTest, RoundHalfAwayFromZeroToRequestedScale) {
  EXPECT_EQ(Str(D("3.14159").Round(3)), "3.142");
  EXPECT_EQ(Str(D("1").Round(0)), "1");
  EXPECT_EQ(Str(D("2.5").Round(0)), "3");
  EXPECT_EQ(Str(D("-2.5").Round(0)), "-3");
  EXPECT_EQ(Str(D("-2.45").Round(1)), "-2.5");
  EXPECT_EQ(Str(D("1.5").Round(3)), "1.500");
  EXPECT_EQ(Str(D("0.004").Round(2)), "0.00");
  EXPECT_FALSE(D("1.5").Round(-1).has_value());
  EXPECT_FALSE(D("99999999999999999999999999999999999999").Round(1).has_value());
  const std::optional<Decimal> two_thirds = Decimal::Divide(D("1.2"), D("1.8"));
  ASSERT_TRUE(two_thirds.has_value());
  EXPECT_EQ(Str(two_thirds->Round(2)), "0.67");
}

TEST(DecimalTest, TruncateFloorCeilingGiveIntegers) {
  EXPECT_EQ(D("101").Truncate().ToString(), "101");
  EXPECT_EQ(D("1.00000001").Truncate().ToString(), "1");
  EXPECT_EQ(D("-1.56").Truncate().ToString(), "-1");
  EXPECT_EQ(D("2.1").Floor().ToString(), "2");
  EXPECT_EQ(D("-2.1").Floor().ToString(), "-3");
  EXPECT_EQ(D("-2.0").Floor().ToString(), "-2");
  EXPECT_EQ(D("1.1").Ceiling().ToString(), "2");
  EXPECT_EQ(D("-1.1").Ceiling().ToString(), "-1");
  EXPECT_EQ(D("1").Ceiling().ToString(), "1");
  EXPECT_EQ(D("0.5").Negate().ToString(), "-0.5");
  EXPECT_EQ(D("-5.5").Abs().ToString(), "5.5");
}

TEST(DecimalTest, CompareIgnoresTrailingZerosAndHandlesDistantScales) {
  EXPECT_EQ(Decimal::Compare(D("1.10"), D("1.1")), 0);
  EXPECT_EQ(Decimal::Compare(D("0.0"), D("0")), 0);
  EXPECT_EQ(Decimal::Compare(D("1.1"), D("1.2")), -1);
  EXPECT_EQ(Decimal::Compare(D("-1.1"), D("-1.2")), 1);
  EXPECT_EQ(Decimal::Compare(D("-1"), D("0")), -1);
  EXPECT_EQ(Decimal::Compare(D("0.1"), D("1e-50")), 1);
  EXPECT_EQ(Decimal::Compare(D("1e-50"), D("0.1")), -1);
  EXPECT_EQ(Decimal::Compare(D("-99999999999999999999999999999999999999"), D("-1e-40")), -1);
  EXPECT_TRUE(D("1.10") == D("1.1"));
  EXPECT_FALSE(D("1.1") == D("1.2"));
}

TEST(DecimalTest, EquivalenceRoundsToTheLeastPreciseOperand) {
  const std::optional<Decimal> two_thirds = Decimal::Divide(D("1.2"), D("1.8"));
  ASSERT_TRUE(two_thirds.has_value());
  EXPECT_TRUE(Decimal::Equivalent(*two_thirds, D("0.67")));
  EXPECT_FALSE(Decimal::Equivalent(*two_thirds, D("0.6")));
  EXPECT_TRUE(Decimal::Equivalent(D("1.10"), D("1.1")));
  EXPECT_TRUE(Decimal::Equivalent(D("0.0"), D("0")));
  EXPECT_FALSE(Decimal::Equivalent(D("1.1"), D("1.2")));
  // Trailing zeros do not count as precision, so 1.0 is as precise as 1.
  EXPECT_TRUE(Decimal::Equivalent(D("1.0"), D("1.01")));
  EXPECT_FALSE(Decimal::Equivalent(D("1.0"), D("1.5")));
}

TEST(DecimalTest, IntegerQueries) {
  EXPECT_TRUE(D("2.000").IsInteger());
  EXPECT_FALSE(D("2.001").IsInteger());
  EXPECT_EQ(D("-42.00").ToInt64(), -42);
  EXPECT_EQ(D("2.5").ToInt64(), std::nullopt);
  EXPECT_EQ(D("99999999999999999999").ToInt64(), std::nullopt);
  EXPECT_EQ(Decimal::FromInt(INT64_MIN).ToInt64(), INT64_MIN);
}

TEST(DecimalTest, NormalizationAndHash) {
  EXPECT_EQ(D("1.500").Normalized().ToString(), "1.5");
  EXPECT_EQ(D("2.0").Normalized().ToString(), "2");
  EXPECT_EQ(D("100").Normalized().ToString(), "100");
  EXPECT_EQ(D("1.500").TrimmedTo(2).ToString(), "1.50");
  EXPECT_EQ(D("0.000").TrimmedTo(1).ToString(), "0.0");
  EXPECT_EQ(D("1.0").Hash(), D("1.00").Hash());
  EXPECT_NE(D("1.0").Hash(), D("1.01").Hash());
}

}  // namespace
}  // namespace chartroom::fhir
