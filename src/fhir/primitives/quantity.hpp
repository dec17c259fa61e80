// Quantity: a Decimal with a unit, and the UCUM unit arithmetic that FHIRPath needs to compare,
// add and convert quantities ("1 'kg' = 1000 'g'", "4 'cm2' / 2 'cm'", "1 year = 12 months").
// Units are UCUM case-sensitive codes (https://ucum.org/ucum), or the FHIRPath calendar duration
// words (year, month, week, day, hour, minute, second, millisecond and their plurals).
//
// The UCUM implementation parses unit expressions (prefixes, atoms, exponents, '.', '/',
// parentheses, annotations {…}) over a table of the common atoms used in clinical data (SI base
// and derived units, time, volume, mass, length, pressure, amounts, percent, the customary
// units that appear in lab and vital-sign results); an atom outside the table makes a unit
// incomparable rather than wrong.
//
// Value types and pure functions; thread-safe.

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
// True if `unit` parses as a UCUM expression over known atoms.
bool IsKnownUcumUnit(std::string_view unit);

// Converts `quantity` to `unit` when both have the same dimension (and, for calendar words,
// per FHIRPath: 'a'/'mo' are not equal to year/month for equality but are for equivalence);
// nullopt when the units are not commensurable or unknown.
std::optional<Quantity> ConvertTo(const Quantity& quantity, std::string_view unit);

// FHIRPath ordering and equality after converting to a common unit: -1, 0, 1, or nullopt when
// the units cannot be compared.
std::optional<int> Compare(const Quantity& a, const Quantity& b);
// FHIRPath equivalence (~): commensurable and equal after rounding to the lesser precision.
bool Equivalent(const Quantity& a, const Quantity& b);

// FHIRPath quantity arithmetic. Add/Subtract need commensurable units (the result is in a's
// unit); Multiply/Divide combine the units ('cm' * 'cm' = 'cm2', 'g' / 'dL' = 'g/dL').
// nullopt when not defined.
std::optional<Quantity> Add(const Quantity& a, const Quantity& b);
std::optional<Quantity> Subtract(const Quantity& a, const Quantity& b);
std::optional<Quantity> Multiply(const Quantity& a, const Quantity& b);
std::optional<Quantity> Divide(const Quantity& a, const Quantity& b);

}  // namespace chartroom::fhir
