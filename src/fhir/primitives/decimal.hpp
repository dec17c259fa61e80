// Decimal is an exact base-10 number, coefficient × 10^-scale, with up to 38 significant digits.
// It keeps its scale (1.50 has scale 2): FHIR requires decimals to round-trip exactly, and
// FHIRPath's precision-sensitive operations (equivalence, round, precision) depend on it.
// Used by FHIRPath arithmetic and Quantity, and wherever a FHIR decimal must not be squeezed
// through a double.
//
// Representation: |coefficient| < 10^38 and 0 <= scale <= kMaxScale, so 1e3 is 1000 (scale 0)
// and 1.50e-1 is 0.150 (scale 3). Zero has no sign.
//
// Value type; trivially copyable; all functions are pure and thread-safe.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chartroom::fhir {

// The GCC/Clang 128-bit integer; __extension__ keeps -Wpedantic quiet about it.
__extension__ using Int128 = __int128;

class Decimal {
 public:
  static constexpr int kMaxDigits = 38;   // significant digits of the coefficient
  static constexpr int kMaxScale = 1000;  // decimal places

  Decimal() = default;  // 0 with scale 0

  static Decimal FromInt(std::int64_t value);
  // Parses the FHIR JSON decimal form -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (FHIRPath
  // number literals are a subset). Also accepts a leading '+' and leading zeros when `lenient`,
  // as FHIRPath's toDecimal() does. nullopt when malformed or beyond 38 significant digits.
  static std::optional<Decimal> Parse(std::string_view text, bool lenient = false);
  // The shortest decimal that round-trips `value`; nullopt for NaN/infinity/out of range.
  static std::optional<Decimal> FromDouble(double value);
  // coefficient × 10^-scale; nullopt when |coefficient| >= 10^38 or scale is outside
  // [0, kMaxScale].
  static std::optional<Decimal> FromCoefficient(Int128 coefficient, int scale);

  // Plain notation that keeps the scale: "1.50", "-0.001", "100". Never an exponent.
  std::string ToString() const;
  double ToDouble() const;
  int scale() const { return scale_; }
  Int128 coefficient() const { return coefficient_; }
  int Sign() const;
  bool IsInteger() const;  // no non-zero fraction digit
  // The integer value when IsInteger() and it fits in int64.
  std::optional<std::int64_t> ToInt64() const;
  // Removes trailing fraction zeros: 1.500 -> 1.5, 2.0 -> 2.
  Decimal Normalized() const;
  // Removes trailing fraction zeros while the scale exceeds `min_scale`: 1.500 -> 1.50 for 2.
  Decimal TrimmedTo(int min_scale) const;
  // Consistent with ==: 1.0 and 1.00 hash alike.
  std::size_t Hash() const;

  // Arithmetic. nullopt on overflow (more than 38 significant digits needed) or division by
  // zero. Add/Subtract/Multiply are exact; Add/Subtract give the larger operand scale and
  // Multiply the sum of the scales (1.2 * 1.8 = 2.16). Divide gives the exact quotient when it
  // terminates within 8 decimal places beyond the larger operand scale S, else rounds (half
  // away from zero) to S + 8 places (fewer when 38 digits would not hold them); trailing
  // fraction zeros are then dropped down to scale S: 1 / 3 = 0.33333333, 1 / 2 = 0.5,
  // 4.0 / 2.0 = 2.0, 1.2 / 1.8 = 0.666666667.
  static std::optional<Decimal> Add(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Subtract(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Multiply(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Divide(const Decimal& a, const Decimal& b);
  // a / b rounded half away from zero to exactly `scale` places (0 <= scale <= kMaxScale).
  static std::optional<Decimal> DivideRounded(const Decimal& a, const Decimal& b, int scale);
  // FHIRPath `div` (truncated integer quotient) and `mod` (a - b * (a div b)).
  static std::optional<Decimal> DivideTruncated(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Modulo(const Decimal& a, const Decimal& b);

  Decimal Negate() const;
  Decimal Abs() const;
  // Rounds half away from zero to `digits` decimal places (FHIRPath round()); the result has
  // scale `digits` (3.14159 -> 3.142; 1.5 -> 1.500 for 3). nullopt for negative `digits` or
  // overflow.
  std::optional<Decimal> Round(int digits) const;
  Decimal Truncate() const;  // toward zero, scale 0
  Decimal Floor() const;
  Decimal Ceiling() const;

  // Numeric comparison: -1, 0 or 1; 1.0 compares equal to 1.00.
  static int Compare(const Decimal& a, const Decimal& b);
  // FHIRPath equivalence (~): equal after rounding both to the smaller of the two scales, with
  // trailing zeros ignored in determining scale (https://hl7.org/fhirpath/N1/#equivalence):
  // 1.2 / 1.8 ~ 0.67, 1.10 ~ 1.1, and 1.0 ~ 1.01 (1.0 counts as 1).
  static bool Equivalent(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) { return Compare(a, b) == 0; }

 private:
  Int128 coefficient_ = 0;
  std::int32_t scale_ = 0;
};

}  // namespace chartroom::fhir
