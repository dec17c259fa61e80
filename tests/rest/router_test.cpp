// Routing of request paths and Bundle entry urls (https://hl7.org/fhir/R4/http.html#general).

#include "rest/router.hpp"

#include <gtest/gtest.h>

namespace chartroom::rest {
namespace {

TEST(RouterTest, PathsMapToTheirInteractionTargets) {
  struct Case {
    std::string_view path;
    RouteKind kind;
    std::string_view type, id, version, operation;
  };
  const Case cases[] = {
      {"/healthz", RouteKind::kHealth, "", "", "", ""},
      {"/metrics", RouteKind::kMetrics, "", "", "", ""},
      {"/fhir", RouteKind::kSystem, "", "", "", ""},
      {"/fhir/", RouteKind::kSystem, "", "", "", ""},
      {"/fhir/metadata", RouteKind::kMetadata, "", "", "", ""},
      {"/fhir/_search", RouteKind::kSystemSearch, "", "", "", ""},
      {"/fhir/_history", RouteKind::kSystemHistory, "", "", "", ""},
      {"/fhir/Patient", RouteKind::kType, "Patient", "", "", ""},
      {"/fhir/Patient/", RouteKind::kType, "Patient", "", "", ""},
      {"/fhir/Patient/_search", RouteKind::kTypeSearch, "Patient", "", "", ""},
      {"/fhir/Patient/_history", RouteKind::kTypeHistory, "Patient", "", "", ""},
      {"/fhir/Patient/p1", RouteKind::kInstance, "Patient", "p1", "", ""},
      {"/fhir/Patient/p1/_history", RouteKind::kInstanceHistory, "Patient", "p1", "", ""},
      {"/fhir/Patient/p1/_history/3", RouteKind::kVersion, "Patient", "p1", "3", ""},
      {"/fhir/Patient/p1/$everything", RouteKind::kInstanceOperation, "Patient", "p1", "",
       "everything"},
      {"/fhirx", RouteKind::kUnknown, "", "", "", ""},
      {"/other", RouteKind::kUnknown, "", "", "", ""},
      {"/fhir/Patient/p1/_history/3/x", RouteKind::kUnknown, "", "", "", ""},
      {"/fhir/Patient//p1", RouteKind::kUnknown, "", "", "", ""},
      {"/fhir/$export", RouteKind::kSystemOperation, "", "", "", "export"},
      {"/fhir/$", RouteKind::kUnknown, "", "", "", ""},
      {"/fhir/Patient/$export", RouteKind::kTypeOperation, "Patient", "", "", "export"},
      {"/fhir/Group/g1/$export", RouteKind::kInstanceOperation, "Group", "g1", "", "export"},
      {"/fhir/$export-status/j1", RouteKind::kExportStatus, "", "j1", "", ""},
      {"/fhir/$export-file/j1/Patient-1.ndjson", RouteKind::kExportFile, "", "j1", "", ""},
      {"/fhir/$export-file/j1", RouteKind::kUnknown, "", "", "", ""},
      {"/fhir/Patient/p1/other", RouteKind::kUnknown, "", "", "", ""},
  };
  for (const Case& c : cases) {
    const Route r = RouteForPath(c.path);
    EXPECT_EQ(r.kind, c.kind) << c.path;
    EXPECT_EQ(r.type, c.type) << c.path;
    EXPECT_EQ(r.id, c.id) << c.path;
    EXPECT_EQ(r.version, c.version) << c.path;
    EXPECT_EQ(r.operation, c.operation) << c.path;
  }
}

TEST(RouterTest, ExportFileRoutesNameTheJobAndTheFile) {
  const Route r = RouteForPath("/fhir/$export-file/j1/Patient-1.ndjson");
  EXPECT_EQ(r.id, "j1");
  EXPECT_EQ(r.file, "Patient-1.ndjson");
  EXPECT_EQ(RouteTemplate(r.kind), "/fhir/$export-file/{job}/{file}");
  EXPECT_EQ(RouteTemplate(RouteForPath("/fhir/$export-status/j1").kind),
            "/fhir/$export-status/{job}");
}

TEST(RouterTest, BundleEntryUrlsAreRelativeToTheBase) {
  EXPECT_EQ(RouteForFhirPath("Patient").kind, RouteKind::kType);
  EXPECT_EQ(RouteForFhirPath("Patient/1").id, "1");
  EXPECT_EQ(RouteForFhirPath("/Patient/1/_history/2").version, "2");
  EXPECT_EQ(RouteForFhirPath("").kind, RouteKind::kSystem);
}

TEST(RouterTest, CheckRouteRefusesUnknownTypesBadIdsAndBadVersions) {
  EXPECT_TRUE(CheckRoute(RouteForPath("/fhir/Patient/a-b.C1")).has_value());
  EXPECT_EQ(CheckRoute(RouteForPath("/fhir/Patients/1")).error().code(), "rest.unknown-type");
  EXPECT_EQ(CheckRoute(RouteForPath("/fhir/Resource/1")).error().code(), "rest.unknown-type");
  EXPECT_EQ(CheckRoute(RouteForPath("/fhir/Patient/a_b")).error().code(), "rest.bad-id");
  EXPECT_EQ(CheckRoute(RouteForPath("/fhir/Patient/" + std::string(65, 'x'))).error().code(),
            "rest.bad-id");
  EXPECT_EQ(CheckRoute(RouteForPath("/fhir/Patient/1/_history/01")).error().code(),
            "rest.bad-version");
  EXPECT_EQ(CheckRoute(RouteForPath("/fhir/Patient/1/_history/-1")).error().code(),
            "rest.bad-version");
}

TEST(RouterTest, TemplatesNeverHoldValues) {
  EXPECT_EQ(RouteTemplate(RouteForPath("/fhir/Patient/secret-id").kind), "/fhir/{type}/{id}");
  EXPECT_EQ(RouteTemplate(RouteKind::kVersion), "/fhir/{type}/{id}/_history/{vid}");
  EXPECT_EQ(RouteTemplate(RouteKind::kUnknown), "other");
}

}  // namespace
}  // namespace chartroom::rest
