#include "fhir/fhirpath/types.hpp"

#include <array>
#include <atomic>
#include <vector>

namespace chartroom::fhir::fhirpath {
namespace {

SystemType ComputeSystemType(const TypeInfo& type) {
  if (type.is_primitive()) {
    // Walk to the root primitive: code -> string, positiveInt -> integer, url -> uri.
    const TypeInfo* t = &type;
    while (t->base != kNoType && Type(t->base).is_primitive()) t = &Type(t->base);
    std::string_view name = t->name();
    if (name == "boolean") return SystemType::kBoolean;
    if (name == "integer") return SystemType::kInteger;
    if (name == "decimal") return SystemType::kDecimal;
    if (name == "date") return SystemType::kDate;
    if (name == "dateTime" || name == "instant") return SystemType::kDateTime;
    if (name == "time") return SystemType::kTime;
    return SystemType::kString;
  }
  static const TypeInfo* quantity = FindType("Quantity");
  if (quantity != nullptr && IsA(type, *quantity)) return SystemType::kQuantity;
  return SystemType::kNone;
}

// One entry per model type, computed once (the model is static).
const std::vector<SystemType>& Table() {
  static const std::vector<SystemType> table = [] {
    std::vector<SystemType> t;
    for (const TypeInfo& type : AllTypes()) t.push_back(ComputeSystemType(type));
    return t;
  }();
  return table;
}

constexpr std::array<std::string_view, 10> kNames = {
    "", "Boolean", "Integer", "Decimal", "String", "Date", "DateTime", "Time", "Quantity", "Any"};

}  // namespace

SystemType SystemTypeOfFhir(const TypeInfo& type) { return Table()[IdOf(type)]; }

SystemType SystemTypeByName(std::string_view name) {
  for (std::size_t i = 1; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<SystemType>(i);
  }
  return SystemType::kNone;
}

std::string_view SystemTypeName(SystemType type) { return kNames[static_cast<std::size_t>(type)]; }

}  // namespace chartroom::fhir::fhirpath
