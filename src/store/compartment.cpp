#include "store/compartment.hpp"

#include <variant>

#include "fhir/model/model.hpp"

namespace chartroom::store {

std::optional<std::string> CompartmentPatient(
    std::string_view type, std::string_view id,
    const std::vector<fhir::search::IndexEntry>& entries) {
  if (type == "Patient") return std::string(id);
  const fhir::TypeInfo* info = fhir::FindResourceType(type);
  if (info == nullptr) return std::nullopt;
  for (fhir::StrRef code_ref : info->patient_compartment_params()) {
    std::string_view code = fhir::Str(code_ref);
    for (const auto& entry : entries) {
      if (entry.param == nullptr || entry.param->code() != code) continue;
      const auto* ref = std::get_if<fhir::search::ReferenceValue>(&entry.value);
      if (ref != nullptr && ref->type == "Patient" && !ref->id.empty()) return ref->id;
    }
  }
  return std::nullopt;
}

}  // namespace chartroom::store
