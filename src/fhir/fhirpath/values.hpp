// Value semantics shared by the evaluator and the public API: FHIR-to-System conversion
// (https://hl7.org/fhir/R4/fhirpath.html#types), equality (https://hl7.org/fhirpath/N1/#equality),
// equivalence, ordering and string forms. Pure functions; thread-safe.

#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "fhir/fhirpath/fhirpath.hpp"

namespace chartroom::fhir::fhirpath {

// The System form of `item`: a FHIR primitive node becomes its Boolean/Integer/Decimal/String/
// Date/DateTime/Time value (a node without a value, `kind == kNode` stays as it is), a Quantity
// node becomes a System Quantity stored in `scratch`. Other items are returned unchanged.
Item Normalize(const Item& item, Quantity& scratch);

// Equality of two single items (after Normalize): nullopt when the answer is unknown (date/time
// precision) or not defined (incomparable units).
std::optional<bool> ItemsEqual(const Item& a, const Item& b, std::int16_t default_offset);
bool ItemsEquivalent(const Item& a, const Item& b, std::int16_t default_offset);
// Ordering of two single items: -1/0/1, nullopt when unknown; error when the types cannot be
// compared.
Result<std::optional<int>> CompareItems(const Item& a, const Item& b, std::int16_t default_offset);

// FHIRPath string form (toString()): nullopt for items that have none (complex nodes).
std::optional<std::string> ItemToString(const Item& item);
// Quantity string form: 1 'mg', 4 days.
std::string QuantityToString(const Quantity& quantity);

}  // namespace chartroom::fhir::fhirpath
