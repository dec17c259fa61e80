// Time as a dependency. Services never read the wall clock themselves: they are given a Clock,
// so tests can fix or advance time (a FixedClock) and every timestamp in the record comes from
// one place.
//
// Thread safety: Now() may be called from any thread on every implementation here.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chartroom::core {

// Microseconds since the Unix epoch, UTC. FHIR instants carry milliseconds; the store keeps
// microseconds so that versions written in the same millisecond still order.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that stands still until told to move; for tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp(std::chrono::microseconds(now_.load())); }
  void Set(Timestamp t) { now_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::microseconds d) { now_ += d.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

// FHIR instant form, UTC with milliseconds: "2024-03-01T09:00:00.123Z".
std::string FormatInstant(Timestamp t);
// Parses an RFC 3339 / FHIR instant with a zone ("2024-03-01T09:00:00Z", "...+02:00", fraction
// optional). kInvalid ("core.bad-instant") otherwise.
Result<Timestamp> ParseInstant(std::string_view text);
// HTTP-date (RFC 9110 IMF-fixdate) for Last-Modified: "Fri, 01 Mar 2024 09:00:00 GMT".
std::string FormatHttpDate(Timestamp t);

}  // namespace chartroom::core
