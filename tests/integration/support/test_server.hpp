// TestServer runs the real Chartroom server in-process, as `chartroom serve` composes it (App:
// key file, SQLite store in a fresh temporary data directory, REST API, HTTP server on a free
// port), with a fixed clock, seeded randomness and the log captured, for tests that drive it
// over HTTP.

#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "support/http_client.hpp"

namespace chartroom::test {

class TestServer {
 public:
  // Starts a server; `adjust` may change the configuration first (limits, page sizes ...).
  explicit TestServer(const std::function<void(app::Config&)>& adjust = {});
  ~TestServer();

  std::uint16_t port() const { return app_->port(); }
  HttpClient Client() const { return HttpClient(port()); }
  core::FixedClock& clock() { return clock_; }
  const app::Config& config() const { return config_; }

  // Every log line written so far.
  std::vector<std::string> LogLines() const;

  // Stops the server (gracefully) and starts it again on the same data directory and port 0.
  void Restart();
  void Stop();

 private:
  std::filesystem::path dir_;
  app::Config config_;
  core::FixedClock clock_;
  core::SeededRandom random_;
  mutable std::mutex log_mutex_;
  std::vector<std::string> log_;
  std::unique_ptr<app::App> app_;
};

// JSON helpers for assertions.
std::string Str(const boost::json::value& v, std::string_view path);  // "a.b.0.c"
const boost::json::value* At(const boost::json::value& v, std::string_view path);
// The details code of the first issue of an OperationOutcome, "" when not one.
std::string IssueCode(const boost::json::value& outcome);
// The id of a resource body.
std::string IdOf(const HttpResult& result);

}  // namespace chartroom::test
