// Request metrics in the Prometheus text exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/): a counter of requests by route
// template, method and status, and a latency histogram per route template. Labels hold route
// templates ("/fhir/{type}/{id}"), never ids, query values or anything else from a record.
//
// Thread safety: Record() is lock-free (relaxed atomics) and may be called from any thread;
// Render() reads a consistent-enough snapshot while requests continue.

#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rest/router.hpp"

namespace chartroom::rest {

class Metrics {
 public:
  // Counts one request and its latency.
  void Record(RouteKind route, std::string_view method, int status,
              std::chrono::microseconds latency);
  // Appends every metric, with HELP and TYPE lines.
  void Render(std::string& out) const;

  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  // The statuses counted one by one; any other falls into the last slot, labelled by class.
  static constexpr std::array<int, 24> kStatuses = {200, 201, 204, 304, 400, 401, 403, 404,
                                                    405, 406, 409, 410, 412, 413, 415, 422,
                                                    429, 431, 500, 501, 503, 0,   0,   0};
  static constexpr std::array<std::string_view, 6> kMethods = {"GET",   "POST",   "PUT",
                                                               "PATCH", "DELETE", "other"};

 private:
  static constexpr std::size_t kStatusSlots = kStatuses.size();
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_us{0};
  };
  std::array<std::array<std::array<std::atomic<std::uint64_t>, kStatusSlots>, kMethods.size()>,
             kRouteKindCount>
      requests_{};
  // Statuses not in kStatuses, by class (1xx..5xx), per route.
  std::array<std::array<std::atomic<std::uint64_t>, 6>, kRouteKindCount> other_statuses_{};
  std::array<Histogram, kRouteKindCount> latency_{};
};

}  // namespace chartroom::rest
