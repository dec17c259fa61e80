// App is the composition root: the one place that knows every concrete type. From a validated
// Config it builds, in order, the master key (key file in the data directory), the search-index
// extractor, the SQLite store, the export jobs (data directory/exports), the REST API and the
// HTTP server, and it takes them down in the reverse order: stop accepting, let requests in flight
// finish, then close the store.
//
// Ownership: App owns everything it builds; the clock and random of Seams (when given) must
// outlive it. Thread safety: Stop() and Wait() may be called from any thread; the rest is for
// the thread that started it.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"

namespace chartroom::app {

// What tests may replace; the defaults are the system's.
struct Seams {
  core::Clock* clock = nullptr;    // default: the system clock
  core::Random* random = nullptr;  // default: the OS CSPRNG (ids, nonces, keys)
  // Where log lines go (one JSON object per line); default: stderr.
  std::function<void(std::string_view line)> log_sink;
};

class App {
 public:
  // Builds and starts everything. Fails with the error of the first part that cannot start:
  // kUnavailable for the data directory, key file, database or port, kInvalid for a key file
  // or TLS files that are not what they should be, kForbidden for a key file others can read.
  [[nodiscard]] static Result<std::unique_ptr<App>> Start(const Config& config, Seams seams = {});
  ~App();  // Stop()s.
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // The port the server listens on (the chosen one when the config said port 0).
  std::uint16_t port() const;

  // Graceful shutdown: stops accepting connections, lets requests in flight finish (up to
  // server.shutdown_grace_seconds), then closes the store. Idempotent.
  void Stop();

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace chartroom::app
