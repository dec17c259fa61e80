// Quantity: a Decimal with a unit, and the UCUM unit arithmetic that FHIRPath needs to compare,
// add and convert quantities ("1 'kg' = 1000 'g'", "4 'cm2' / 2 'cm'", "1 year = 12 months").
// Units are UCUM case-sensitive codes (https://ucum.org/ucum), or the FHIRPath calendar duration
// words (year, month, week, day, hour, minute, second, millisecond and their plurals).
//
// The UCUM implementation parses unit expressions (prefixes, atoms, exponents, '.', '/',
// parentheses, annotations {…}) over a table of the common atoms used in clinical data (SI base
// and derived units, time, volume, mass, length, pressure, amounts, percent, the customary
// units that appear in lab and vital-sign results); an atom outside the table makes a unit
// incomparable rather than wrong. A unit is a dimension vector and an exact rational factor, so
// conversions are exact whenever the result is a terminating decimal (1 [lb_av] = 0.45359237
// kg) and otherwise carry at least 20 places. Arbitrary units ([iU], [arb'U], [CFU] ...)
// compare only with themselves; the special units Cel and [degF] convert (with their offsets)
// only when they stand alone. Units are case-sensitive (UCUM c/s codes: "meq", not "mEq").
//
// Time-valued quantities (https://hl7.org/fhirpath/N1/#time-valued-quantities, as the FHIRPath
// R4 suite reads it): week(s), day(s), hour(s), minute(s), second(s) and millisecond(s) are the
// UCUM 'wk', 'd', 'h', 'min', 's', 'ms' (7 days = 1 'wk'). year(s) and month(s) are calendar
// units: 1 year = 12 months, but for equality, ordering and arithmetic they are not comparable
// with 'a', 'mo' or any fixed length (1 year = 1 'a' and 1 year = 365 days are unknown); for
// equivalence year is 'a' and month is 'mo' (1 year ~ 1 'a').
//
// Two quantities whose unit strings are identical always compare by value, known unit or not.
// A unit of "" is read as "1".
//
// Value types and pure functions; the unit table is built once, on first use, and is
// immutable after; thread-safe.

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhir/primitives/decimal.hpp"

namespace chartroom::fhir {

struct Quantity {
  Decimal value;
  std::string unit;  // UCUM code or calendar word; "1" for a unitless quantity
};

// True for the FHIRPath calendar duration words, singular or plural.
bool IsCalendarDurationUnit(std::string_view unit);
// True if `unit` parses as a UCUM expression over known atoms ("mg/dL", "10*3/uL",
// "mm[Hg]", "{beats}/min", "Cel"). Calendar words are not UCUM.
bool IsKnownUcumUnit(std::string_view unit);

// True when quantities in units `a` and `b` can be compared for equality and order, i.e.
// FHIRPath comparable(): the same unit string, or known units of one dimension (a calendar
// year or month only with each other).
bool AreComparableUnits(std::string_view a, std::string_view b);

// Converts `quantity` to `unit` when both have the same dimension, under the equality reading
// of calendar words (1 year converts to 12 months, not to 'a'); nullopt when the units are not
// commensurable or unknown, or the value would need more than 38 digits.
std::optional<Quantity> ConvertTo(const Quantity& quantity, std::string_view unit);

// FHIRPath ordering and equality after converting to a common unit: -1, 0, 1, or nullopt when
// the units cannot be compared (4.0000 'g' = 4000.0 'mg', 6 days < 1 week, 1 year = 1 'a' is
// unknown).
std::optional<int> Compare(const Quantity& a, const Quantity& b);
// FHIRPath equivalence (~): commensurable and equal after rounding both, in the unit of the
// less precise operand, to that operand's precision (trailing zeros ignored): 4 'g' ~ 4040 'mg'
// (4.04 g rounds to 4 g), 1 year ~ 1 'a'. False when not commensurable.
bool Equivalent(const Quantity& a, const Quantity& b);

// The UCUM canonical form of `quantity` (https://ucum.org/ucum#section-Semantics): the value in
// base units (g, m, s, rad, K, C, cd, and each arbitrary unit as itself), with trailing
// fraction zeros removed, and the unit as the product of those base units with exponents, in
// that order, joined by '.': 1 'kg' -> 1000 'g', 5 'mg/dL' -> 50 'g.m-3', 1 'kPa' -> 1000000
// 'g.m-1.s-2', 37 'Cel' -> 310.15 'K' (rounded to 20 places where not exact). Dimensionless
// units, annotations and mol (a number in UCUM) canonicalize to '1': 50 '%' -> 0.5 '1'. So two
// quantities are commensurable exactly when their canonical units are equal, and equal when
// their canonical values are too (up to the rounding of inexact conversions). nullopt for
// unknown units, calendar words (not UCUM) and values beyond 38 digits. Used by search, which
// matches quantities in different units (https://hl7.org/fhir/R4/search.html#quantity).
std::optional<Quantity> Canonicalize(const Quantity& quantity);

// FHIRPath quantity arithmetic. Add/Subtract need commensurable units and give the result in
// the more granular of the two (3 'm' + 3 'cm' = 303 'cm', as the FHIRPath spec's example has
// it), or in the shared unit when the unit strings are identical. Multiply/Divide combine the
// units ('cm' * 'cm' = 'cm2', 'g' / 'dL' = 'g/dL', 'm' / 'm' = '1'); a unit of '1' leaves the
// other unit as written (2 days * 3 '1' = 6 days). Calendar years and months, the special
// units and unknown units take part only against '1'. nullopt when not defined, on division
// by zero, or beyond 38 digits.
std::optional<Quantity> Add(const Quantity& a, const Quantity& b);
std::optional<Quantity> Subtract(const Quantity& a, const Quantity& b);
std::optional<Quantity> Multiply(const Quantity& a, const Quantity& b);
std::optional<Quantity> Divide(const Quantity& a, const Quantity& b);

}  // namespace chartroom::fhir
