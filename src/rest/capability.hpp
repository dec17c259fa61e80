// The CapabilityStatement of /fhir/metadata (https://hl7.org/fhir/R4/capabilitystatement.html),
// generated from what the server really does: every concrete R4 resource type with the
// interactions rest/ implements, every search parameter the index extractor fills (the model's
// parameters less IndexExtractor::skipped() and those the store cannot search), the _include and
// _revinclude values of the reference parameters, JSON only.
//
// Pure; built once at startup.

#pragma once

#include <span>
#include <string>

#include "core/clock.hpp"
#include "fhir/search/index_values.hpp"

namespace chartroom::rest {

// The JSON text of the statement; `date` is its date (the server's start). With `bulk_export`
// it lists the Bulk Data $export operations (system, Patient and Group level).
std::string BuildCapabilityStatement(std::span<const fhir::search::SkippedParam> skipped,
                                     core::Timestamp date, bool bulk_export = false);

}  // namespace chartroom::rest
