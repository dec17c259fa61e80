// Which patient compartment a resource belongs to, decided when it is written; every backend
// seals a version under that compartment's data key (docs/storage.md, compartments), and so does
// the blob store for the version's attachments.
//
// Thread safety: a pure function over the static R4 model.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/search/index_values.hpp"

namespace chartroom::store {

// The patient whose compartment holds a resource of `type` with id `id` and search values
// `entries`: itself for a Patient, else the first Patient referenced through one of the type's
// compartment parameters (https://hl7.org/fhir/R4/compartmentdefinition-patient.html), in the
// definition's order; nullopt (the system compartment) when there is none.
std::optional<std::string> CompartmentPatient(std::string_view type, std::string_view id,
                                              const std::vector<fhir::search::IndexEntry>& entries);

}  // namespace chartroom::store
