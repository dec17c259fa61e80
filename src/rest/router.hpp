// Routing: a request path (or the url of a Bundle entry) becomes a Route naming the FHIR
// interaction's target (https://hl7.org/fhir/R4/http.html#general): the system, a type, an
// instance, a version, a history or an operation. The Route holds views into the path; it is
// valid while that text lives.
//
// Pure functions; thread-safe.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"

namespace chartroom::rest {

// The FHIR endpoint's path prefix.
inline constexpr std::string_view kFhirPrefix = "/fhir";

enum class RouteKind : std::uint8_t {
  kHealth,             // /healthz
  kMetrics,            // /metrics
  kMetadata,           // /fhir/metadata
  kSystem,             // /fhir
  kSystemSearch,       // /fhir/_search
  kSystemHistory,      // /fhir/_history
  kType,               // /fhir/{type}
  kTypeSearch,         // /fhir/{type}/_search
  kTypeHistory,        // /fhir/{type}/_history
  kInstance,           // /fhir/{type}/{id}
  kInstanceHistory,    // /fhir/{type}/{id}/_history
  kVersion,            // /fhir/{type}/{id}/_history/{vid}
  kInstanceOperation,  // /fhir/{type}/{id}/${operation}
  kSystemOperation,    // /fhir/${operation}
  kTypeOperation,      // /fhir/{type}/${operation}
  kExportStatus,       // /fhir/$export-status/{job}: a bulk export job (rest/export.hpp)
  kExportFile,         // /fhir/$export-file/{job}/{file}: one of its output files
  kUnknown,            // anything else
};
inline constexpr std::size_t kRouteKindCount = static_cast<std::size_t>(RouteKind::kUnknown) + 1;

struct Route {
  RouteKind kind = RouteKind::kUnknown;
  std::string_view type;
  std::string_view id;
  std::string_view version;
  std::string_view operation;  // without the '$'
  std::string_view file;       // kExportFile: the file's name
};

// The route of an HTTP request path (no query string).
Route RouteForPath(std::string_view path);

// The route of a path relative to the FHIR base, as Bundle entries write it: "Patient",
// "Patient/1", "Patient/1/_history/2", "" (the base itself), with or without a leading '/'.
Route RouteForFhirPath(std::string_view relative);

// The path template of a route kind, for metrics and logs: "/fhir/{type}/{id}". Never holds
// ids or other values.
std::string_view RouteTemplate(RouteKind kind);

// Checks the parts of a FHIR route: the type must be a concrete R4 resource type (kNotFound
// "rest.unknown-type"), the id a FHIR id ([A-Za-z0-9\-\.]{1,64}; kInvalid "rest.bad-id"), the
// version a positive integer (kInvalid "rest.bad-version").
Status CheckRoute(const Route& route);

// True when `id` is a valid FHIR id (https://hl7.org/fhir/R4/datatypes.html#id).
bool IsValidId(std::string_view id);

}  // namespace chartroom::rest
