// Request metrics in the Prometheus text format.

#include "rest/metrics.hpp"

#include <gtest/gtest.h>

namespace chartroom::rest {
namespace {

TEST(MetricsTest, CountsByRouteMethodAndStatusWithCumulativeBuckets) {
  Metrics metrics;
  metrics.Record(RouteKind::kInstance, "GET", 200, std::chrono::microseconds(300));
  metrics.Record(RouteKind::kInstance, "GET", 200, std::chrono::microseconds(3000));
  metrics.Record(RouteKind::kInstance, "GET", 404, std::chrono::microseconds(100));
  metrics.Record(RouteKind::kType, "BREW", 418, std::chrono::microseconds(100));
  std::string text;
  metrics.Render(text);
  EXPECT_NE(text.find("# TYPE chartroom_http_requests_total counter"), std::string::npos);
  EXPECT_NE(
      text.find(
          R"(chartroom_http_requests_total{route="/fhir/{type}/{id}",method="GET",status="200"} 2)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          R"(chartroom_http_requests_total{route="/fhir/{type}/{id}",method="GET",status="404"} 1)"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(chartroom_http_requests_total{route="/fhir/{type}",method="any",status="4xx"} 1)"),
      std::string::npos);
  EXPECT_NE(text.find(R"(le="0.0005"} 2)"), std::string::npos);  // 100 and 300 us
  EXPECT_NE(text.find(R"(le="0.005"} 3)"), std::string::npos);   // cumulative
  EXPECT_NE(
      text.find(
          R"(chartroom_http_request_duration_seconds_sum{route="/fhir/{type}/{id}"} 0.003400)"),
      std::string::npos);
  EXPECT_NE(
      text.find(R"(chartroom_http_request_duration_seconds_count{route="/fhir/{type}/{id}"} 3)"),
      std::string::npos);
  EXPECT_EQ(text.find("BREW"), std::string::npos);  // methods are a closed set
}

}  // namespace
}  // namespace chartroom::rest
