// rest::Options: the settings of the FHIR REST API (config/chartroom.example.toml, section
// [rest], lists each with its default; docs/config.md explains them). A plain value type,
// validated by app/ before the Api is built.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chartroom::rest {

struct Options {
  // The public base URL of the FHIR endpoint, e.g. "https://ehr.example.org/fhir", used in
  // fullUrl, Location and Bundle links. Empty: "http://" (or "https://" behind TLS) + the
  // request's Host header + "/fhir".
  std::string base_url;
  // Request bodies larger than this are refused with 413 and an OperationOutcome. The HTTP layer
  // refuses bodies beyond twice this without reading them (app/ sets its limit).
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  // Entries allowed in one batch or transaction Bundle (more: 400 rest.bundle-too-large).
  std::size_t max_bundle_entries = 10000;
  // Page size of history when the request gives no _count.
  std::uint32_t history_page_size = 50;
  // JSON nesting deeper than this is rejected (fhir.json-too-deep): bounds every recursion
  // downstream of the parser.
  std::size_t max_json_depth = 128;
};

}  // namespace chartroom::rest
