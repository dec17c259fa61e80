// Decimal is an exact base-10 number, coefficient × 10^-scale, with up to 38 significant digits.
// It keeps its scale (1.50 has scale 2): FHIR requires decimals to round-trip exactly, and
// FHIRPath's precision-sensitive operations (equivalence, round, precision) depend on it.
// Used by FHIRPath arithmetic and Quantity, and wherever a FHIR decimal must not be squeezed
// through a double.
//
// Value type; trivially copyable; all functions are pure and thread-safe.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chartroom::fhir {

class Decimal {
 public:
  Decimal() = default;  // 0 with scale 0

  static Decimal FromInt(std::int64_t value);
  // Parses the FHIR JSON decimal form -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (FHIRPath
  // number literals are a subset). Also accepts a leading '+' and leading zeros when `lenient`,
  // as FHIRPath's toDecimal() does. nullopt when malformed or beyond 38 significant digits.
  static std::optional<Decimal> Parse(std::string_view text, bool lenient = false);
  // The shortest decimal that round-trips `value`; nullopt for NaN/infinity/out of range.
  static std::optional<Decimal> FromDouble(double value);

  // Plain notation that keeps the scale: "1.50", "-0.001", "100". Never an exponent.
  std::string ToString() const;
  double ToDouble() const;
  int scale() const { return scale_; }
  int Sign() const;
  bool IsInteger() const;  // no non-zero fraction digit
  // The integer value when IsInteger() and it fits in int64.
  std::optional<std::int64_t> ToInt64() const;
  // Removes trailing fraction zeros: 1.500 -> 1.5, 2.0 -> 2.
  Decimal Normalized() const;

  // Arithmetic. nullopt on overflow (more than 38 significant digits needed) or division by
  // zero. Add/Subtract/Multiply are exact. Divide gives the exact quotient when it terminates
  // within 8 decimal places of the larger operand scale, else rounds (half away from zero) to
  // 8 decimal places; the result has no trailing fraction zeros beyond the operands' scale.
  static std::optional<Decimal> Add(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Subtract(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Multiply(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Divide(const Decimal& a, const Decimal& b);
  // FHIRPath `div` (truncated integer quotient) and `mod` (a - b * (a div b)).
  static std::optional<Decimal> DivideTruncated(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Modulo(const Decimal& a, const Decimal& b);

  Decimal Negate() const;
  Decimal Abs() const;
  // Rounds half away from zero to `digits` decimal places (FHIRPath round()).
  std::optional<Decimal> Round(int digits) const;
  Decimal Truncate() const;  // toward zero, scale 0
  Decimal Floor() const;
  Decimal Ceiling() const;

  // Numeric comparison: -1, 0 or 1; 1.0 compares equal to 1.00.
  static int Compare(const Decimal& a, const Decimal& b);
  // FHIRPath equivalence (~): equal after rounding both to the smaller of the two scales.
  static bool Equivalent(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) { return Compare(a, b) == 0; }

 private:
  __int128 coefficient_ = 0;
  std::int32_t scale_ = 0;
};

}  // namespace chartroom::fhir
