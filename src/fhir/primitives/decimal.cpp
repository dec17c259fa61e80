// Decimal arithmetic on a 128-bit coefficient. Every operation that can exceed 38 digits checks
// for it; division goes through a 256-bit intermediate so that the quotient is rounded once,
// from the exact value.

#include "fhir/primitives/decimal.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <system_error>

namespace chartroom::fhir {
namespace {

__extension__ using UInt128 = unsigned __int128;

constexpr std::array<UInt128, 39> MakePowersOfTen() {
  std::array<UInt128, 39> powers{};
  UInt128 value = 1;
  for (auto& power : powers) {
    power = value;
    value *= 10;
  }
  return powers;
}
constexpr std::array<UInt128, 39> kPow10 = MakePowersOfTen();
constexpr UInt128 kLimit = kPow10[Decimal::kMaxDigits];  // coefficients stay below this

UInt128 Magnitude(Int128 value) {
  return value < 0 ? UInt128{0} - static_cast<UInt128>(value) : static_cast<UInt128>(value);
}

Int128 Signed(UInt128 magnitude, bool negative) {
  const auto value = static_cast<Int128>(magnitude);
  return negative ? -value : value;
}

int DigitCount(UInt128 value) {
  int digits = 1;
  while (digits < 39 && value >= kPow10[static_cast<std::size_t>(digits)]) ++digits;
  return digits;
}

// value × 10^n when the product stays below 10^38.
std::optional<UInt128> TimesPow10(UInt128 value, int n) {
  if (n < 0) return std::nullopt;
  if (value == 0) return UInt128{0};
  if (n > Decimal::kMaxDigits) return std::nullopt;
  const UInt128 power = kPow10[static_cast<std::size_t>(n)];
  if (value >= kLimit / power + 1) return std::nullopt;
  const UInt128 product = value * power;
  if (product >= kLimit) return std::nullopt;
  return product;
}

// An unsigned 256-bit number, just enough for exact division.
struct U256 {
  UInt128 hi = 0;
  UInt128 lo = 0;
};

U256 Multiply128(UInt128 a, UInt128 b) {
  const UInt128 mask = (UInt128{1} << 64) - 1;
  const UInt128 a_lo = a & mask;
  const UInt128 a_hi = a >> 64;
  const UInt128 b_lo = b & mask;
  const UInt128 b_hi = b >> 64;
  const UInt128 lo_lo = a_lo * b_lo;
  const UInt128 hi_lo = a_hi * b_lo;
  const UInt128 lo_hi = a_lo * b_hi;
  const UInt128 hi_hi = a_hi * b_hi;
  const UInt128 middle = (lo_lo >> 64) + (hi_lo & mask) + (lo_hi & mask);
  U256 out;
  out.lo = (middle << 64) | (lo_lo & mask);
  out.hi = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (middle >> 64);
  return out;
}

// value × 10^n as 256 bits; nullopt past 2^256.
std::optional<U256> WideTimesPow10(UInt128 value, int n) {
  U256 out{0, value};
  while (n > 0) {
    const int step = std::min(n, 38);
    const UInt128 power = kPow10[static_cast<std::size_t>(step)];
    // (hi·2^128 + lo) × p = hi·p·2^128 + lo·p; overflow when hi·p does not fit.
    const U256 low = Multiply128(out.lo, power);
    const U256 high = Multiply128(out.hi, power);
    if (high.hi != 0) return std::nullopt;
    const UInt128 new_hi = high.lo + low.hi;
    if (new_hi < high.lo) return std::nullopt;
    out = {new_hi, low.lo};
    n -= step;
  }
  return out;
}

struct QuotientRemainder {
  U256 quotient;
  UInt128 remainder;
};

// Schoolbook binary long division; `divisor` < 2^127 keeps the running remainder in range.
QuotientRemainder Divide256(const U256& dividend, UInt128 divisor) {
  QuotientRemainder out{};
  if (dividend.hi == 0) {  // the common case: native 128-bit division
    out.quotient.lo = dividend.lo / divisor;
    out.remainder = dividend.lo % divisor;
    return out;
  }
  UInt128 remainder = 0;
  for (int bit = 255; bit >= 0; --bit) {
    const UInt128 word = bit >= 128 ? dividend.hi : dividend.lo;
    const UInt128 next = (word >> (bit % 128)) & 1;
    remainder = (remainder << 1) | next;
    UInt128 q = 0;
    if (remainder >= divisor) {
      remainder -= divisor;
      q = 1;
    }
    if (bit >= 128) {
      out.quotient.hi |= q << (bit - 128);
    } else {
      out.quotient.lo |= q << bit;
    }
  }
  out.remainder = remainder;
  return out;
}

enum class Rounding { kTruncate, kHalfAwayFromZero };

// round(numerator × 10^shift / denominator) as a magnitude below 10^38, or nullopt when it is
// not. `denominator` > 0 and below 10^38.
std::optional<UInt128> ScaledQuotient(UInt128 numerator, int shift, UInt128 denominator,
                                      Rounding rounding) {
  U256 dividend{0, numerator};
  UInt128 divisor = denominator;
  if (shift >= 0) {
    const std::optional<U256> wide = WideTimesPow10(numerator, shift);
    if (!wide) return std::nullopt;
    dividend = *wide;
  } else {
    // Dividing by 10^-shift as well. A divisor of 2^127 or more exceeds the numerator (below
    // 10^38), so the quotient is 0 or, rounding, 1 when numerator >= divisor / 2.
    const std::optional<U256> wide = WideTimesPow10(denominator, -shift);
    if (!wide || wide->hi != 0) return UInt128{0};
    if ((wide->lo >> 127) != 0) {
      const bool round_up = rounding == Rounding::kHalfAwayFromZero && 2 * numerator >= wide->lo;
      return UInt128{round_up ? 1u : 0u};
    }
    divisor = wide->lo;
  }
  QuotientRemainder qr = Divide256(dividend, divisor);
  if (qr.quotient.hi != 0) return std::nullopt;
  UInt128 quotient = qr.quotient.lo;
  if (rounding == Rounding::kHalfAwayFromZero && qr.remainder >= divisor - qr.remainder) {
    ++quotient;
  }
  if (quotient >= kLimit) return std::nullopt;
  return quotient;
}

std::string MagnitudeDigits(UInt128 value) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

Decimal Decimal::FromInt(std::int64_t value) {
  Decimal out;
  out.coefficient_ = value;
  return out;
}

std::optional<Decimal> Decimal::FromCoefficient(Int128 coefficient, int scale) {
  if (Magnitude(coefficient) >= kLimit || scale < 0 || scale > kMaxScale) return std::nullopt;
  Decimal out;
  out.coefficient_ = coefficient;
  out.scale_ = scale;
  return out;
}

std::optional<Decimal> Decimal::Parse(std::string_view text, bool lenient) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || (lenient && text[i] == '+'))) {
    negative = text[i] == '-';
    ++i;
  }
  const auto is_digit = [&](std::size_t at) {
    return at < text.size() && text[at] >= '0' && text[at] <= '9';
  };
  if (!is_digit(i)) return std::nullopt;
  // -?(0|[1-9][0-9]*): a leading zero stands alone unless lenient.
  if (!lenient && text[i] == '0' && is_digit(i + 1)) return std::nullopt;

  UInt128 magnitude = 0;
  int significant = 0;
  int fraction_digits = 0;
  const auto take_digit = [&](char c) {
    if (magnitude == 0 && c == '0') return true;  // leading zeros carry no digits
    if (++significant > kMaxDigits) return false;
    magnitude = magnitude * 10 + static_cast<UInt128>(c - '0');
    return true;
  };
  for (; is_digit(i); ++i) {
    if (!take_digit(text[i])) return std::nullopt;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!is_digit(i)) return std::nullopt;
    for (; is_digit(i); ++i, ++fraction_digits) {
      if (!take_digit(text[i])) return std::nullopt;
    }
  }
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (!is_digit(i)) return std::nullopt;
    for (; is_digit(i); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 100000) return std::nullopt;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;

  long scale = fraction_digits - exponent;
  if (scale < 0) {
    const std::optional<UInt128> scaled = TimesPow10(magnitude, static_cast<int>(-scale));
    if (!scaled) return std::nullopt;
    magnitude = *scaled;
    scale = 0;
  }
  if (scale > kMaxScale) return std::nullopt;
  return FromCoefficient(Signed(magnitude, negative), static_cast<int>(scale));
}

std::optional<Decimal> Decimal::FromDouble(double value) {
  std::array<char, 64> buffer{};
  const std::to_chars_result result = std::to_chars(buffer.data(), buffer.data() + buffer.size(),
                                                    value);  // shortest round-trip form
  if (result.ec != std::errc()) return std::nullopt;
  const std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  // "inf" and "nan" fail to parse; so does anything needing more than 38 digits.
  return Parse(text, /*lenient=*/true);
}

std::string Decimal::ToString() const {
  std::string digits = MagnitudeDigits(Magnitude(coefficient_));
  const auto scale = static_cast<std::size_t>(scale_);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (scale > 0) digits.insert(digits.size() - scale, 1, '.');
  if (coefficient_ < 0) digits.insert(0, 1, '-');
  return digits;
}

double Decimal::ToDouble() const {
  const std::string text = ToString();
  double value = 0;
  // Correctly rounded; the text always parses.
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

int Decimal::Sign() const { return coefficient_ < 0 ? -1 : (coefficient_ > 0 ? 1 : 0); }

bool Decimal::IsInteger() const {
  if (scale_ == 0 || coefficient_ == 0) return true;
  if (scale_ > kMaxDigits) return false;  // 0 < |coefficient| < 10^38 <= 10^scale
  return Magnitude(coefficient_) % kPow10[static_cast<std::size_t>(scale_)] == 0;
}

std::optional<std::int64_t> Decimal::ToInt64() const {
  if (!IsInteger()) return std::nullopt;
  const Int128 value =
      coefficient_ /
      static_cast<Int128>(kPow10[static_cast<std::size_t>(std::min(scale_, kMaxDigits))]);
  if (value < INT64_MIN || value > INT64_MAX) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

Decimal Decimal::Normalized() const { return TrimmedTo(0); }

Decimal Decimal::TrimmedTo(int min_scale) const {
  Decimal out = *this;
  if (out.coefficient_ == 0) {
    out.scale_ = std::min(out.scale_, std::max(min_scale, 0));
    return out;
  }
  while (out.scale_ > min_scale && out.coefficient_ % 10 == 0) {
    out.coefficient_ /= 10;
    --out.scale_;
  }
  return out;
}

std::size_t Decimal::Hash() const {
  const Decimal n = Normalized();
  const auto bits = static_cast<UInt128>(n.coefficient_);
  const std::size_t h1 = std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(bits));
  const std::size_t h2 = std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(bits >> 64));
  constexpr std::size_t kMix = 0x9e3779b97f4a7c15u;
  return h1 ^ (h2 * kMix) ^ static_cast<std::size_t>(n.scale_);
}

std::optional<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
  const int scale = std::max(a.scale_, b.scale_);
  const std::optional<UInt128> ma = TimesPow10(Magnitude(a.coefficient_), scale - a.scale_);
  const std::optional<UInt128> mb = TimesPow10(Magnitude(b.coefficient_), scale - b.scale_);
  if (!ma || !mb) return std::nullopt;
  // Add magnitudes unsigned: each is below 10^38, so their sum (< 2 * 10^38 < 2^128) cannot wrap,
  // while a signed 128-bit sum could (2^127 is only about 1.7 * 10^38).
  const bool negative_a = a.coefficient_ < 0;
  const bool negative_b = b.coefficient_ < 0;
  if (negative_a == negative_b) {
    const UInt128 sum = *ma + *mb;
    if (sum >= kLimit) return std::nullopt;
    return FromCoefficient(Signed(sum, negative_a), scale);
  }
  return *ma >= *mb ? FromCoefficient(Signed(*ma - *mb, negative_a), scale)
                    : FromCoefficient(Signed(*mb - *ma, negative_b), scale);
}

std::optional<Decimal> Decimal::Subtract(const Decimal& a, const Decimal& b) {
  return Add(a, b.Negate());
}

std::optional<Decimal> Decimal::Multiply(const Decimal& a, const Decimal& b) {
  const U256 product = Multiply128(Magnitude(a.coefficient_), Magnitude(b.coefficient_));
  if (product.hi != 0 || product.lo >= kLimit) return std::nullopt;
  return FromCoefficient(Signed(product.lo, (a.coefficient_ < 0) != (b.coefficient_ < 0)),
                         a.scale_ + b.scale_);
}

std::optional<Decimal> Decimal::DivideRounded(const Decimal& a, const Decimal& b, int scale) {
  if (b.coefficient_ == 0 || scale < 0 || scale > kMaxScale) return std::nullopt;
  // a / b = (ca / cb) × 10^(sb - sa); at `scale` places the coefficient is
  // ca × 10^(scale - sa + sb) / cb.
  const std::optional<UInt128> magnitude =
      ScaledQuotient(Magnitude(a.coefficient_), scale - a.scale_ + b.scale_,
                     Magnitude(b.coefficient_), Rounding::kHalfAwayFromZero);
  if (!magnitude) return std::nullopt;
  return FromCoefficient(Signed(*magnitude, (a.coefficient_ < 0) != (b.coefficient_ < 0)), scale);
}

std::optional<Decimal> Decimal::Divide(const Decimal& a, const Decimal& b) {
  if (b.coefficient_ == 0) return std::nullopt;
  const int operand_scale = std::max(a.scale_, b.scale_);
  // The integer part of the quotient has digits(a) - digits(b) + sb - sa digits, or one more;
  // the places after the point get what of the 38 digits that leaves, up to S + 8. Start from
  // the shorter integer part and give up a place when the quotient does not fit.
  const int integer_digits = DigitCount(Magnitude(a.coefficient_)) -
                             DigitCount(Magnitude(b.coefficient_)) + b.scale_ - a.scale_;
  int places = std::min({operand_scale + 8, kMaxDigits - std::max(integer_digits, 0), kMaxScale});
  for (; places >= 0; --places) {
    const std::optional<Decimal> quotient = DivideRounded(a, b, places);
    if (quotient) return quotient->TrimmedTo(std::min(operand_scale, places));
  }
  return std::nullopt;
}

std::optional<Decimal> Decimal::DivideTruncated(const Decimal& a, const Decimal& b) {
  if (b.coefficient_ == 0) return std::nullopt;
  const std::optional<UInt128> magnitude =
      ScaledQuotient(Magnitude(a.coefficient_), b.scale_ - a.scale_, Magnitude(b.coefficient_),
                     Rounding::kTruncate);
  if (!magnitude) return std::nullopt;
  return FromCoefficient(Signed(*magnitude, (a.coefficient_ < 0) != (b.coefficient_ < 0)), 0);
}

std::optional<Decimal> Decimal::Modulo(const Decimal& a, const Decimal& b) {
  const std::optional<Decimal> quotient = DivideTruncated(a, b);
  if (!quotient) return std::nullopt;
  const std::optional<Decimal> product = Multiply(b, *quotient);
  if (!product) return std::nullopt;
  return Subtract(a, *product);
}

Decimal Decimal::Negate() const {
  Decimal out = *this;
  out.coefficient_ = -out.coefficient_;
  return out;
}

Decimal Decimal::Abs() const { return coefficient_ < 0 ? Negate() : *this; }

std::optional<Decimal> Decimal::Round(int digits) const {
  if (digits < 0 || digits > kMaxScale) return std::nullopt;
  if (digits >= scale_) {
    const std::optional<UInt128> padded = TimesPow10(Magnitude(coefficient_), digits - scale_);
    if (!padded) return std::nullopt;
    return FromCoefficient(Signed(*padded, coefficient_ < 0), digits);
  }
  const std::optional<UInt128> rounded =
      ScaledQuotient(Magnitude(coefficient_), digits - scale_, 1, Rounding::kHalfAwayFromZero);
  if (!rounded) return std::nullopt;
  return FromCoefficient(Signed(*rounded, coefficient_ < 0), digits);
}

Decimal Decimal::Truncate() const {
  // Truncating never grows the magnitude, so this cannot fail.
  const UInt128 magnitude =
      *ScaledQuotient(Magnitude(coefficient_), -scale_, 1, Rounding::kTruncate);
  return *FromCoefficient(Signed(magnitude, coefficient_ < 0), 0);
}

Decimal Decimal::Floor() const {
  const Decimal truncated = Truncate();
  if (coefficient_ >= 0 || Compare(truncated, *this) == 0) return truncated;
  return *Subtract(truncated, FromInt(1));
}

Decimal Decimal::Ceiling() const {
  const Decimal truncated = Truncate();
  if (coefficient_ <= 0 || Compare(truncated, *this) == 0) return truncated;
  return *Add(truncated, FromInt(1));
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  const int sign_a = a.Sign();
  const int sign_b = b.Sign();
  if (sign_a != sign_b) return sign_a < sign_b ? -1 : 1;
  if (sign_a == 0) return 0;
  // Same sign: compare magnitudes at a common scale. When scaling one up overflows 10^38 it
  // exceeds the other, whose coefficient is below 10^38.
  UInt128 ma = Magnitude(a.coefficient_);
  UInt128 mb = Magnitude(b.coefficient_);
  int magnitude_order = 0;
  if (a.scale_ >= b.scale_) {
    const std::optional<UInt128> scaled = TimesPow10(mb, a.scale_ - b.scale_);
    magnitude_order = !scaled ? -1 : (ma < *scaled ? -1 : (ma > *scaled ? 1 : 0));
  } else {
    const std::optional<UInt128> scaled = TimesPow10(ma, b.scale_ - a.scale_);
    magnitude_order = !scaled ? 1 : (*scaled < mb ? -1 : (*scaled > mb ? 1 : 0));
  }
  return sign_a > 0 ? magnitude_order : -magnitude_order;
}

bool Decimal::Equivalent(const Decimal& a, const Decimal& b) {
  const Decimal na = a.Normalized();
  const Decimal nb = b.Normalized();
  const int scale = std::min(na.scale_, nb.scale_);
  // Rounding to fewer places never overflows.
  return Compare(*na.Round(scale), *nb.Round(scale)) == 0;
}

}  // namespace chartroom::fhir
