#include "rest/metrics.hpp"

#include <cstdio>

namespace chartroom::rest {
namespace {

std::size_t MethodSlot(std::string_view method) {
  for (std::size_t i = 0; i + 1 < Metrics::kMethods.size(); ++i) {
    if (Metrics::kMethods[i] == method) return i;
  }
  return Metrics::kMethods.size() - 1;
}

std::string FormatDouble(double value) {
  char buffer[32];
  const int n = std::snprintf(buffer, sizeof buffer, "%g", value);
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string FormatSeconds(std::uint64_t microseconds) {
  return std::to_string(microseconds / 1000000) + "." +
         std::string(6 - std::to_string(microseconds % 1000000).size(), '0') +
         std::to_string(microseconds % 1000000);
}

}  // namespace

void Metrics::Record(RouteKind route, std::string_view method, int status,
                     std::chrono::microseconds latency) {
  const auto r = static_cast<std::size_t>(route);
  bool counted = false;
  for (std::size_t s = 0; s < kStatusSlots && kStatuses[s] != 0; ++s) {
    if (kStatuses[s] == status) {
      requests_[r][MethodSlot(method)][s].fetch_add(1, std::memory_order_relaxed);
      counted = true;
      break;
    }
  }
  if (!counted) {
    const int status_class = status / 100;
    const auto slot =
        static_cast<std::size_t>(status_class >= 1 && status_class <= 5 ? status_class : 0);
    other_statuses_[r][slot].fetch_add(1, std::memory_order_relaxed);
  }
  Histogram& h = latency_[r];
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  h.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_us.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
}

void Metrics::Render(std::string& out) const {
  out +=
      "# HELP chartroom_http_requests_total HTTP requests answered, by route template, method "
      "and status.\n"
      "# TYPE chartroom_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRouteKindCount; ++r) {
    const std::string route(RouteTemplate(static_cast<RouteKind>(r)));
    for (std::size_t m = 0; m < kMethods.size(); ++m) {
      for (std::size_t s = 0; s < kStatusSlots && kStatuses[s] != 0; ++s) {
        const std::uint64_t n = requests_[r][m][s].load(std::memory_order_relaxed);
        if (n == 0) continue;
        out += "chartroom_http_requests_total{route=\"" + route + "\",method=\"" +
               std::string(kMethods[m]) + "\",status=\"" + std::to_string(kStatuses[s]) + "\"} " +
               std::to_string(n) + "\n";
      }
    }
    for (std::size_t c = 0; c < 6; ++c) {
      const std::uint64_t n = other_statuses_[r][c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += "chartroom_http_requests_total{route=\"" + route + "\",method=\"any\",status=\"" +
             (c == 0 ? std::string("other") : std::to_string(c) + "xx") + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  out +=
      "# HELP chartroom_http_request_duration_seconds Time from a request's arrival at the "
      "handler to its response, by route template.\n"
      "# TYPE chartroom_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < kRouteKindCount; ++r) {
    const Histogram& h = latency_[r];
    const std::uint64_t count = h.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string route(RouteTemplate(static_cast<RouteKind>(r)));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += h.buckets[b].load(std::memory_order_relaxed);
      const std::string le = b < kBuckets.size() ? FormatDouble(kBuckets[b]) : "+Inf";
      out += "chartroom_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" + le +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "chartroom_http_request_duration_seconds_sum{route=\"" + route + "\"} " +
           FormatSeconds(h.sum_us.load(std::memory_order_relaxed)) + "\n";
    // The +Inf bucket's cumulative count, so that _count and the buckets always agree.
    out += "chartroom_http_request_duration_seconds_count{route=\"" + route + "\"} " +
           std::to_string(cumulative) + "\n";
  }
}

}  // namespace chartroom::rest
