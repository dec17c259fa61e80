// Writing JSON text directly: the REST layer splices stored resource JSON into Bundles and
// responses without parsing it again, so it writes the surrounding JSON itself.
//
// Pure functions; thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/json/writer.hpp"

namespace chartroom::rest {

// Appends `text` as a JSON string literal (quotes included), escaping '"', '\\' and control
// characters. UTF-8 passes through unchanged (the input comes from validated sources).
using fhir::json::AppendJsonString;

// Appends `"key":` (with a leading comma unless `first`).
void AppendJsonKey(std::string& out, std::string_view key, bool first = false);

}  // namespace chartroom::rest
