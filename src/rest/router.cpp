#include "rest/router.hpp"

#include <algorithm>
#include <array>

#include "fhir/model/model.hpp"

namespace chartroom::rest {
namespace {

constexpr std::array<std::string_view, kRouteKindCount> kTemplates = {
    "/healthz",
    "/metrics",
    "/fhir/metadata",
    "/fhir",
    "/fhir/_search",
    "/fhir/_history",
    "/fhir/{type}",
    "/fhir/{type}/_search",
    "/fhir/{type}/_history",
    "/fhir/{type}/{id}",
    "/fhir/{type}/{id}/_history",
    "/fhir/{type}/{id}/_history/{vid}",
    "/fhir/{type}/{id}/${operation}",
    "/fhir/${operation}",
    "/fhir/{type}/${operation}",
    "/fhir/$export-status/{job}",
    "/fhir/$export-file/{job}/{file}",
    "other",
};

// Splits `path` on '/', at most `N` segments; returns how many, or N+1 when there are more.
template <std::size_t N>
std::size_t Split(std::string_view path, std::array<std::string_view, N>& out) {
  std::size_t n = 0;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (n == N) return N + 1;
    out[n++] = segment;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (path.empty()) break;  // one trailing slash is tolerated
  }
  return n;
}

}  // namespace

Route RouteForFhirPath(std::string_view relative) {
  if (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  std::array<std::string_view, 4> s;
  const std::size_t n = Split(relative, s);
  Route r;
  switch (n) {
    case 0:
      r.kind = RouteKind::kSystem;
      break;
    case 1:
      if (s[0] == "metadata") {
        r.kind = RouteKind::kMetadata;
      } else if (s[0] == "_search") {
        r.kind = RouteKind::kSystemSearch;
      } else if (s[0] == "_history") {
        r.kind = RouteKind::kSystemHistory;
      } else if (s[0].size() > 1 && s[0][0] == '$') {
        r.kind = RouteKind::kSystemOperation;
        r.operation = s[0].substr(1);
      } else if (!s[0].empty() && s[0][0] != '_' && s[0][0] != '$') {
        r.kind = RouteKind::kType;
        r.type = s[0];
      }
      break;
    case 2:
      if (!s[0].empty() && s[0][0] == '$') {
        if (s[0] == "$export-status" && !s[1].empty()) {
          r.kind = RouteKind::kExportStatus;
          r.id = s[1];
        }
        break;
      }
      r.type = s[0];
      if (s[1] == "_search") {
        r.kind = RouteKind::kTypeSearch;
      } else if (s[1] == "_history") {
        r.kind = RouteKind::kTypeHistory;
      } else if (s[1].size() > 1 && s[1][0] == '$') {
        r.kind = RouteKind::kTypeOperation;
        r.operation = s[1].substr(1);
      } else if (!s[1].empty() && s[1][0] != '$' && s[1][0] != '_') {
        r.kind = RouteKind::kInstance;
        r.id = s[1];
      }
      break;
    case 3:
      if (s[0] == "$export-file") {
        if (!s[1].empty() && !s[2].empty()) {
          r.kind = RouteKind::kExportFile;
          r.id = s[1];
          r.file = s[2];
        }
        break;
      }
      r.type = s[0];
      r.id = s[1];
      if (s[2] == "_history") {
        r.kind = RouteKind::kInstanceHistory;
      } else if (s[2].size() > 1 && s[2][0] == '$') {
        r.kind = RouteKind::kInstanceOperation;
        r.operation = s[2].substr(1);
      }
      break;
    case 4:
      if (s[2] == "_history") {
        r.kind = RouteKind::kVersion;
        r.type = s[0];
        r.id = s[1];
        r.version = s[3];
      }
      break;
    default:
      break;
  }
  if (r.kind == RouteKind::kUnknown) r = Route{};
  return r;
}

Route RouteForPath(std::string_view path) {
  Route fixed;
  if (path == "/healthz") {
    fixed.kind = RouteKind::kHealth;
    return fixed;
  }
  if (path == "/metrics") {
    fixed.kind = RouteKind::kMetrics;
    return fixed;
  }
  if (path.substr(0, kFhirPrefix.size()) != kFhirPrefix) return Route{};
  std::string_view rest = path.substr(kFhirPrefix.size());
  if (!rest.empty() && rest.front() != '/') return Route{};  // "/fhirx"
  return RouteForFhirPath(rest);
}

std::string_view RouteTemplate(RouteKind kind) {
  return kTemplates[static_cast<std::size_t>(kind)];
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

Status CheckRoute(const Route& route) {
  if (!route.type.empty() && fhir::FindResourceType(route.type) == nullptr) {
    return Fail(ErrorCategory::kNotFound, "rest.unknown-type",
                "the URL names no FHIR R4 resource type");
  }
  if (!route.id.empty() && !IsValidId(route.id)) {
    return Fail(ErrorCategory::kInvalid, "rest.bad-id",
                "the id in the URL is not a FHIR id ([A-Za-z0-9-.]{1,64})");
  }
  if (route.kind == RouteKind::kVersion) {
    const std::string_view v = route.version;
    const bool digits =
        !v.empty() && v.size() <= 18 && v[0] != '0' &&
        std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      return Fail(ErrorCategory::kInvalid, "rest.bad-version",
                  "the version in the URL is not a positive integer");
    }
  }
  return Ok();
}

}  // namespace chartroom::rest
