// How FHIR types map onto FHIRPath System types (https://hl7.org/fhir/R4/fhirpath.html#types)
// and the type names FHIRPath reports. Pure functions over the static model; thread-safe.

#pragma once

#include <string_view>

#include "fhir/fhirpath/ast.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::fhir::fhirpath {

// The System type a FHIR primitive (or Quantity and its profiles) converts to: boolean ->
// Boolean; string, code, id, uri, url, canonical, oid, uuid, markdown, base64Binary, xhtml ->
// String; integer, unsignedInt, positiveInt -> Integer; decimal -> Decimal; date -> Date;
// dateTime, instant -> DateTime; time -> Time; Quantity, Age, Duration ... -> Quantity.
// kNone for other complex types and resources.
SystemType SystemTypeOfFhir(const TypeInfo& type);

// "Boolean" -> kBoolean ... "Any" -> kAny; kNone for other names.
SystemType SystemTypeByName(std::string_view name);
// "Boolean", "Integer" ... (the System namespace spelling).
std::string_view SystemTypeName(SystemType type);

}  // namespace chartroom::fhir::fhirpath
