// rest::Options: the settings of the FHIR REST API (config/chartroom.example.toml, section
// [rest], lists each with its default; docs/config.md explains them). A plain value type,
// validated by app/ before the Api is built.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace chartroom::rest {

// Bulk Data export (https://hl7.org/fhir/uv/bulkdata/STU2/export.html; rest/export.hpp).
struct ExportOptions {
  // How long a finished job, its manifest and its files stay available after it completes.
  std::chrono::seconds expiry{3600};
  // Jobs running at once; a kick-off beyond this gets 429 with Retry-After. Each running job
  // holds one of the store's reader connections.
  std::uint32_t max_jobs = 2;
  // An output file is closed, and the next one of its type begun, before it would grow past this
  // many bytes of NDJSON. A download holds one file in memory, so this bounds that too.
  std::size_t max_file_bytes = 16 * 1024 * 1024;
};

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
  ExportOptions bulk_export;
};

}  // namespace chartroom::rest
